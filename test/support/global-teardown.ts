export default async function globalTeardown(): Promise<void> {
  await globalThis.__DAG_DEV_SERVER__?.stop();
}
