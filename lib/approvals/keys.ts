import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { keyIdOf, publicKeyOf, randomPrivateKey, signWithPrivateKey } from './protocol';

/**
 * Approver key pairs on disk and the signer made from one. A key file is JSON readable only by
 * its owner (mode 0600): `{approver, keyId, publicKey, privateKey}`. Only the public half goes
 * into the worker's configuration (`DAG_APPROVERS=alice=<publicKey>`).
 */
export interface Signer {
  approver: string;
  keyId: string;
  /** Ed25519 signature (hex) of the bytes; a console may implement this with a key it holds elsewhere. */
  sign(message: Uint8Array): string | Promise<string>;
}

const keyFileSchema = z
  .object({
    approver: z.string().min(1),
    keyId: z.string().min(1),
    publicKey: z.string().regex(/^[0-9a-f]{64}$/),
    privateKey: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type KeyFile = z.infer<typeof keyFileSchema>;

export function generateKeyPair(approver: string): KeyFile {
  const privateKey = randomPrivateKey();
  const publicKey = publicKeyOf(privateKey);
  return { approver, keyId: keyIdOf(publicKey), publicKey, privateKey };
}

/** The line to add to DAG_APPROVERS (or one line of DAG_APPROVERS_FILE). */
export const approverLine = (k: Pick<KeyFile, 'approver' | 'publicKey'>) => `${k.approver}=${k.publicKey}`;

/**
 * Writes a key file atomically and only if none exists (link(2) fails on an existing name), so
 * two processes creating the same key at once end up sharing one. Returns the key on disk.
 */
export function writeKeyFile(file: string, key: KeyFile, opts: { overwrite?: boolean } = {}): KeyFile {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(key, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  try {
    if (opts.overwrite) fs.renameSync(tmp, file);
    else fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return readKeyFile(file);
}

export function readKeyFile(file: string): KeyFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(
      `approver key ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file (make one with `dag approvals keygen`)' : (err as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`approver key ${file}: not a key file written by \`dag approvals keygen\``);
  }
  const key = keyFileSchema.safeParse(parsed);
  if (!key.success || publicKeyOf(key.data.privateKey) !== key.data.publicKey || keyIdOf(key.data.publicKey) !== key.data.keyId)
    throw new Error(`approver key ${file}: not a valid key file (approver, keyId, publicKey, privateKey)`);
  return key.data;
}

export function signerFromKey(key: KeyFile): Signer {
  return { approver: key.approver, keyId: key.keyId, sign: (message) => signWithPrivateKey(key.privateKey, message) };
}

/** The signer of a key file (`DAG_APPROVER_KEY`, `--key`, or the local approver's). */
export function loadSigner(file: string): Signer {
  return signerFromKey(readKeyFile(file));
}

/** The embedded default's approver: created on first use under the data dir, then reused. */
export function ensureLocalApprover(dir: string, approver: string): KeyFile {
  const file = path.join(dir, `${approver}.key`);
  if (fs.existsSync(file)) return readKeyFile(file);
  return writeKeyFile(file, generateKeyPair(approver));
}
