// Placeholder replaced by the Temporal dev-server setup (see temporal/dev-server.ts).
export default async function globalSetup(): Promise<void> {}
