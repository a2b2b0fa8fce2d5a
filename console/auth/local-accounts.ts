import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';
import type { Identity, PasswordProvider } from './identity';

/**
 * Local accounts for the embedded default: a JSON file of names and scrypt hashes (node:crypto;
 * N=2^15, r=8, p=1, 16-byte salt, 32-byte key — OWASP's minimum for scrypt). Passwords are
 * never stored or logged; a wrong name costs the same hash as a wrong password.
 */
const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));

const PARAMS = { N: 2 ** 15, r: 8, p: 1, keylen: 32 };
const MAXMEM = 64 * 1024 * 1024;

const accountSchema = z.object({
  name: z.string().min(1).max(200),
  scrypt: z.object({ N: z.number().int(), r: z.number().int(), p: z.number().int(), salt: z.string(), hash: z.string() }),
  createdAt: z.string(),
});
const fileSchema = z.object({ version: z.literal(1), accounts: z.array(accountSchema) });
type Account = z.infer<typeof accountSchema>;

export const ACCOUNT_NAME = /^[A-Za-z0-9._@-]{1,64}$/;

export class LocalAccounts implements PasswordProvider {
  readonly kind = 'password' as const;
  readonly id = 'local';
  private dummy?: Account;

  constructor(readonly file: string) {}

  exists(): boolean {
    return fs.existsSync(this.file);
  }

  names(): string[] {
    return this.read().map((a) => a.name);
  }

  /** Creates or replaces the account's password. */
  async setPassword(name: string, password: string): Promise<void> {
    if (!ACCOUNT_NAME.test(name)) throw new Error(`account name ${JSON.stringify(name.slice(0, 64))}: use letters, digits and . _ @ -`);
    if (password.length < 12) throw new Error('password: at least 12 characters');
    const account = await hashAccount(name, password);
    this.write([...this.read().filter((a) => a.name !== name), account]);
  }

  remove(name: string): boolean {
    const before = this.read();
    const after = before.filter((a) => a.name !== name);
    this.write(after);
    return after.length < before.length;
  }

  async verify(name: string, password: string): Promise<Identity | null> {
    const account = this.read().find((a) => a.name === name);
    // Unknown names still pay for one hash, so timing does not tell which names exist.
    const target = account ?? (this.dummy ??= await hashAccount('nobody', randomBytes(16).toString('hex')));
    const key = await scrypt(password, Buffer.from(target.scrypt.salt, 'base64'), Buffer.from(target.scrypt.hash, 'base64').length, {
      N: target.scrypt.N,
      r: target.scrypt.r,
      p: target.scrypt.p,
      maxmem: MAXMEM,
    });
    const ok = timingSafeEqual(key, Buffer.from(target.scrypt.hash, 'base64'));
    return ok && account ? { name: account.name, subject: `local:${account.name}`, provider: this.id } : null;
  }

  private read(): Account[] {
    if (!this.exists()) return [];
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch {
      throw new Error(`console accounts file ${this.file}: not valid JSON`);
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`console accounts file ${this.file}: not an accounts file (version 1)`);
    return parsed.data.accounts;
  }

  private write(accounts: Account[]): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ version: 1, accounts }, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}

async function hashAccount(name: string, password: string): Promise<Account> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, PARAMS.keylen, { N: PARAMS.N, r: PARAMS.r, p: PARAMS.p, maxmem: MAXMEM });
  return {
    name,
    scrypt: { N: PARAMS.N, r: PARAMS.r, p: PARAMS.p, salt: salt.toString('base64'), hash: hash.toString('base64') },
    createdAt: new Date().toISOString(),
  };
}

/** A password people can type: 20 characters from an alphabet without look-alikes. */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/**
 * First start: when no accounts file exists, one account per configured approver (in the
 * embedded default that is `local-approver`), each with a generated password that is printed
 * once and only stored hashed. No approvers configured → no accounts (nobody could decide).
 */
export async function ensureInitialAccounts(accounts: LocalAccounts, approvers: readonly string[]): Promise<{ name: string; password: string }[]> {
  if (accounts.exists()) return [];
  const created: { name: string; password: string }[] = [];
  for (const name of new Set(approvers.filter((a) => ACCOUNT_NAME.test(a)))) {
    const password = generatePassword();
    await accounts.setPassword(name, password);
    created.push({ name, password });
  }
  return created;
}
