import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import { createObjectStore } from '../../adapters/object-store';
import { ensureInitialAccounts, LocalAccounts } from '../../console/auth/local-accounts';
import { csrfMatches, SESSION_COOKIE, SessionStore } from '../../console/auth/sessions';
import { keyFileSigners } from '../../console/auth/signers';
import { generateKeyPair, writeKeyFile } from '../../lib/approvals/keys';
import { verifySignature } from '../../lib/approvals/protocol';
import { createConsoleApp } from '../../console/server';
import { tempDataDir, testConfig } from '../support/temporal';

/**
 * The console's security boundaries on the real Hono app (app.request, no socket): accounts,
 * sessions, CSRF, redirects after sign-in, and which stored objects it serves. Routes that would
 * reach Temporal are not called here (the browser tests cover them against the real stack).
 */
const dir = tempDataDir('dag-console-auth-');
const accounts = new LocalAccounts(path.join(dir, 'console/accounts.json'));
const unreachable = () => {
  throw new Error('not used by these routes');
};

async function app(sessions = new SessionStore(3600_000)) {
  const config = await testConfig({ DAG_DATA_DIR: dir });
  const store = createObjectStore(config);
  await store.put('reports/attribution/2031-01-01_2031-01-01/report.html', '<h1>report</h1>');
  await store.put('landing/2031-01-01/events.csv', 'event_id,client_id\n1,secret-customer\n');
  return createConsoleApp({
    approvals: { listPending: unreachable, describe: unreachable, decide: unreachable, signingFor: unreachable },
    reader: { partitions: unreachable, evidence: unreachable },
    store,
    identity: accounts,
    sessions,
    client: {} as Client,
    taskQueue: 'marketing-dag',
    namespace: 'default',
    secureCookies: false,
    explain: (err) => String((err as Error).message),
  });
}

/** A browser-like visit: keeps the session cookie, reads the CSRF token from the page. */
async function visitor(a: Awaited<ReturnType<typeof app>>) {
  let cookie = '';
  const keep = (r: Response) => {
    const set = r.headers.get('set-cookie');
    if (set?.startsWith(`${SESSION_COOKIE}=`)) cookie = set.split(';')[0];
    return r;
  };
  const get = async (url: string) => keep(await a.request(url, { headers: { cookie } }));
  const post = async (url: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    keep(await a.request(url, { method: 'POST', body: new URLSearchParams(form), headers: { cookie, origin: 'http://localhost', ...headers } }));
  const csrf = async (url = '/sign-in') => /name="csrf" value="([^"]+)"/.exec(await (await get(url)).text())![1];
  return { get, post, csrf, cookie: () => cookie };
}

beforeAll(async () => {
  await accounts.setPassword('alice', 'correct horse battery');
});

test('local accounts: scrypt hashes only, 0600 file; a wrong password and an unknown name both fail', async () => {
  const text = fs.readFileSync(accounts.file, 'utf8');
  expect(text).not.toContain('correct horse battery');
  expect(JSON.parse(text).accounts[0].scrypt).toMatchObject({ N: 32768, r: 8, p: 1 });
  expect(fs.statSync(accounts.file).mode & 0o777).toBe(0o600);
  expect(await accounts.verify('alice', 'correct horse battery')).toEqual({ name: 'alice', subject: 'local:alice', provider: 'local' });
  expect(await accounts.verify('alice', 'correct horse batterY')).toBeNull();
  expect(await accounts.verify('mallory', 'correct horse battery')).toBeNull();
  await expect(accounts.setPassword('bob', 'short')).rejects.toThrow('password: at least 12 characters');
  await expect(accounts.setPassword('bob smith', 'long enough password')).rejects.toThrow(/account name/);
});

test('first start creates one account per configured approver, with a generated password; later starts create none', async () => {
  const fresh = new LocalAccounts(path.join(tempDataDir('dag-console-first-'), 'accounts.json'));
  const created = await ensureInitialAccounts(fresh, ['alice', 'bob', 'system:auto']);
  expect(created.map((c) => c.name)).toEqual(['alice', 'bob']);
  expect(created[0].password).toMatch(/^[A-Za-z0-9]{20}$/);
  expect(await fresh.verify('bob', created[1].password)).not.toBeNull();
  expect(await ensureInitialAccounts(fresh, ['carol'])).toEqual([]);
  const none = new LocalAccounts(path.join(tempDataDir('dag-console-first-'), 'accounts.json'));
  // No approvers configured: nobody could decide, so no account is made up.
  expect(await ensureInitialAccounts(none, [])).toEqual([]);
  expect(none.exists()).toBe(false);
});

test('the console signs only as the signed-in account, with that account’s own key file, and never uses a key others can read', async () => {
  const keysDir = tempDataDir('dag-console-keys-');
  const signers = keyFileSigners(keysDir);
  const as = (name: string) => signers.signingFor({ name, subject: `local:${name}`, provider: 'local' });
  const alice = generateKeyPair('alice');
  writeKeyFile(path.join(keysDir, 'alice.key'), alice);
  const signed = as('alice');
  if (signed.kind !== 'signed') throw new Error(`expected a signer, got ${signed.kind}: ${signed.note}`);
  expect(signed.signer).toMatchObject({ approver: 'alice', keyId: alice.keyId });
  const message = new TextEncoder().encode('bytes to sign');
  expect(verifySignature(alice.publicKey, await signed.signer.sign(message), message)).toBe(true);
  expect(signed.note).toBe(`signed as alice with key ${alice.keyId}, held by this console`);
  // No key file: sent unsigned (the workflow refuses it unless unsigned decisions are allowed), and the page says so.
  expect(as('dave')).toMatchObject({
    kind: 'unsigned',
    signer: { unsigned: true, approver: 'dave' },
    note: expect.stringContaining('holds no signing key for dave'),
  });
  // bob's key saved under carol's name does not let carol sign (nor anyone sign as bob through carol's account).
  writeKeyFile(path.join(keysDir, 'carol.key'), generateKeyPair('bob'));
  expect(as('carol')).toEqual({
    kind: 'refused',
    note: 'the key file for carol on this console belongs to bob: the console signs only as the signed-in approver',
  });
  // A key others can read is not used (as ssh does).
  writeKeyFile(path.join(keysDir, 'erin.key'), generateKeyPair('erin'));
  fs.chmodSync(path.join(keysDir, 'erin.key'), 0o644);
  expect(as('erin')).toMatchObject({ kind: 'refused', note: expect.stringContaining('readable by other users') });
  fs.writeFileSync(path.join(keysDir, 'frank.key'), '{"not":"a key"}', { mode: 0o600 });
  expect(as('frank')).toMatchObject({ kind: 'refused', note: expect.stringContaining('not a valid key file') });
  // Names are never paths.
  expect(as('..')).toMatchObject({ kind: 'refused' });
  expect(as('../alice')).toMatchObject({ kind: 'refused' });
  // No note ever carries a private key.
  for (const s of [signed, as('dave'), as('carol'), as('erin')]) expect(s.note).not.toContain(alice.privateKey);
});

test('sessions expire, get a new id at sign-in, and compare CSRF tokens exactly', () => {
  const store = new SessionStore(50);
  const anon = store.create();
  const signed = store.signIn(anon, { name: 'alice', subject: 'local:alice', provider: 'local' });
  expect(signed.id).not.toBe(anon.id);
  expect(store.get(anon.id)).toBeUndefined();
  expect(csrfMatches(signed, signed.csrf)).toBe(true);
  expect(csrfMatches(signed, signed.csrf.slice(0, -1) + 'x')).toBe(false);
  expect(csrfMatches(signed, undefined)).toBe(false);
  const realNow = Date.now;
  Date.now = () => realNow() + 60;
  try {
    expect(store.get(signed.id)).toBeUndefined();
  } finally {
    Date.now = realNow;
  }
});

test('sign-in: HTTP-only session cookie, a new session id, and only local redirects afterwards', async () => {
  const a = await app();
  const v = await visitor(a);
  const token = await v.csrf('/sign-in?next=//evil.example/x');
  const before = v.cookie();
  expect(before).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
  const wrong = await v.post('/sign-in', { csrf: token, name: 'alice', password: 'nope nope nope', next: '/partitions' });
  expect(wrong.status).toBe(403);
  expect(await wrong.text()).toContain('Wrong name or password.');
  const ok = await v.post('/sign-in', { csrf: token, name: 'alice', password: 'correct horse battery', next: '//evil.example/x' });
  expect(ok.status).toBe(303);
  expect(ok.headers.get('location')).toBe('/inbox');
  expect(ok.headers.get('set-cookie')).toMatch(/HttpOnly/);
  expect(ok.headers.get('set-cookie')).toMatch(/SameSite=Lax/);
  expect(v.cookie()).not.toBe(before);
  const local = await v.post('/sign-in', { csrf: await v.csrf(), name: 'alice', password: 'correct horse battery', next: '/partitions?from=2031-01-01' });
  expect(local.headers.get('location')).toBe('/partitions?from=2031-01-01');
});

test('every POST needs the session’s CSRF token and a same-origin request', async () => {
  const a = await app();
  const v = await visitor(a);
  const token = await v.csrf();
  expect((await v.post('/sign-in', { name: 'alice', password: 'correct horse battery' })).status).toBe(403);
  expect((await v.post('/sign-in', { csrf: 'forged', name: 'alice', password: 'correct horse battery' })).status).toBe(403);
  expect((await v.post('/sign-in', { csrf: token, name: 'alice', password: 'correct horse battery' }, { origin: 'http://evil.example' })).status).toBe(403);
  expect((await v.post('/sign-in', { csrf: token, name: 'alice', password: 'correct horse battery' })).status).toBe(303);
  // Signed in: sign-out without the token is refused, with it the session ends.
  expect((await v.post('/sign-out', {})).status).toBe(403);
  const out = await v.post('/sign-out', { csrf: await v.csrf('/files?prefix=reports/') });
  expect(out.headers.get('location')).toBe('/sign-in');
  expect((await v.get('/files?prefix=reports/')).headers.get('location')).toBe('/sign-in?next=%2Ffiles');
});

test('the console serves reports, drift charts and MMM outputs only — never landing files, never outside the store', async () => {
  const a = await app();
  const v = await visitor(a);
  expect((await v.get('/reports/reports/attribution/2031-01-01_2031-01-01/report.html')).status).toBe(303); // not signed in
  await v.post('/sign-in', { csrf: await v.csrf(), name: 'alice', password: 'correct horse battery' });
  const report = await v.get('/reports/reports/attribution/2031-01-01_2031-01-01/report.html');
  expect(report.status).toBe(200);
  expect(report.headers.get('content-security-policy')).toBe("default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox");
  expect(await report.text()).toBe('<h1>report</h1>');
  for (const url of [
    '/reports/landing/2031-01-01/events.csv',
    '/reports/reports/../landing/2031-01-01/events.csv',
    '/reports/reports%2F..%2Flanding%2F2031-01-01%2Fevents.csv',
    '/files?prefix=landing/',
  ]) {
    const r = await v.get(url);
    expect([url, r.status]).toEqual([url, 404]);
    expect(await r.text()).not.toContain('secret-customer');
  }
  expect(await (await v.get('/files?prefix=reports/attribution/')).text()).toContain('2031-01-01_2031-01-01/report.html');
});
