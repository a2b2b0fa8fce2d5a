import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { loadConfig } from '../../config/config';
import { approvalPolicy } from '../../lib/approvals/policy';
import { ensureLocalApprover, generateKeyPair, readKeyFile, writeKeyFile } from '../../lib/approvals/keys';
import { hashSubject, signingBytes, signWithPrivateKey, verifySignature, type SigningContext } from '../../lib/approvals/protocol';
import { evaluateDecision, normalizePolicy, parseDecision, type ApprovalPolicy, type ParsedDecision, type PendingState } from '../../lib/approvals/rules';
import { createScrub, scrubActivities, scrubError, scrubValue } from '../../lib/scrub';
import { createLogger } from '../../lib/logger';
import { openDeps } from '../../lib/open-deps';
import { createActivities } from '../../activities';
import { keys } from './approvers';
import { tempDataDir } from '../support/temporal';

/**
 * The approval rules one by one, as pure functions (no Temporal): for each rule a decision that
 * passes every other rule and fails this one, so changing any line of lib/approvals/rules.ts
 * fails a test here. The real-Temporal tests (test/workflows/approval-decision.test.ts, test/cleaning,
 * test/personas/approval.test.ts) show the same answers reach the sender and the audit.
 */
const T0 = Date.parse('2027-01-10T12:00:00.000Z');
const ctx: SigningContext = {
  workflowId: 'cleaning-2027-01-09',
  runId: 'run-1',
  subjectKind: 'cleaning-plan',
  version: 2,
  subjectHash: hashSubject({ plan: 'p' }),
};
const policy: ApprovalPolicy = normalizePolicy({
  approvers: ['alice', 'bob'],
  keys: [keys.alice, keys.bob].map((k) => ({ approver: k.approver, keyId: k.keyId, publicKey: k.publicKey })),
  fourEyes: true,
  allowUnsigned: false,
  autoPromote: false,
  clockSkewMs: 60_000,
  source: 'DAG_APPROVERS',
});
const pending: PendingState = { noun: 'plan', toSign: ctx, requestedAt: T0, deadline: T0 + 3_600_000, requester: 'system:nightly' };
function signed(over: Partial<ParsedDecision> = {}, key = keys.bob, context = ctx): ParsedDecision {
  const d = {
    decision: 'accept' as const,
    approver: key.approver,
    reason: 'ok',
    version: context.version,
    versionField: 'planVersion' as const,
    signedAt: new Date(T0 + 1000).toISOString(),
    keyId: key.keyId,
    ...over,
  };
  return {
    ...d,
    signature: signWithPrivateKey(
      key.privateKey,
      signingBytes(context, { decision: d.decision, reason: d.reason, approver: d.approver, keyId: d.keyId!, signedAt: d.signedAt! }),
    ),
  };
}
const bobsNewKey = generateKeyPair('bob');
const verdict = (d: ParsedDecision, s: Partial<PendingState> = {}, p: Partial<ApprovalPolicy> = {}, now = T0 + 2000) =>
  evaluateDecision({ ...pending, ...s }, { ...policy, ...p }, d, now);

test('a valid signed decision counts, with the identity its key proves', () => {
  expect(verdict(signed())).toEqual({ verification: 'verified', verifiedApprover: 'bob', keyId: keys.bob.keyId });
});

test.each<[string, () => ReturnType<typeof verdict>, string, string]>([
  ['nothing presented', () => verdict(signed(), { toSign: null }), 'nothing awaits a decision yet', 'not checked'],
  [
    'already decided',
    () => verdict(signed(), { decided: { decision: 'reject', approver: 'alice', version: 2 } }),
    'plan v2 was already decided: reject by alice',
    'not checked',
  ],
  ['after the deadline', () => verdict(signed(), {}, {}, T0 + 3_600_001), 'the deadline for plan v2 passed at 2027-01-10T13:00:00.000Z', 'not checked'],
  ['another version', () => verdict(signed({ version: 3 })), 'plan v2 is awaiting a decision, not v3', 'not checked'],
  [
    'no approvers configured',
    () => verdict(signed(), {}, { approvers: [], source: 'DAG_APPROVERS is empty' }),
    'no approvers are configured on the worker (DAG_APPROVERS is empty): nobody can decide',
    'not checked',
  ],
  ['an unlisted approver', () => verdict(signed({}, keys.mallory)), 'mallory is not an approver (approvers: alice, bob)', 'not checked'],
  ['four-eyes', () => verdict(signed(), { requester: 'bob' }), 'four-eyes: bob requested this and cannot also decide it', 'not checked'],
  [
    'unsigned',
    () => verdict({ ...signed(), signature: undefined }),
    "the decision is not signed: sign it with the approver's key (dag approvals accept …)",
    'failed: not signed',
  ],
  ['no key id', () => verdict({ ...signed(), keyId: undefined }), 'a signed decision needs keyId and signedAt', 'failed: incomplete signature'],
  ['no signing time', () => verdict({ ...signed(), signedAt: undefined }), 'a signed decision needs keyId and signedAt', 'failed: incomplete signature'],
  [
    "bob's new key, not configured yet",
    () => verdict(signed({}, bobsNewKey)),
    `key ${bobsNewKey.keyId} is not a configured approver key`,
    'failed: unknown key',
  ],
  [
    'mallory signs as bob',
    () => verdict(signed({ approver: 'bob', keyId: keys.mallory.keyId }, keys.mallory)),
    `key ${keys.mallory.keyId} is not a configured approver key`,
    'failed: unknown key',
  ],
  [
    "alice's key, bob's name",
    () => verdict(signed({ approver: 'bob' }, keys.alice)),
    `key ${keys.alice.keyId} belongs to alice, not bob`,
    'failed: key of another approver',
  ],
  ['a garbled time', () => verdict({ ...signed(), signedAt: 'yesterday' }), 'signedAt: "yesterday" is not an ISO time', 'failed: bad signedAt'],
  [
    'signed in the future',
    () => verdict(signed({ signedAt: new Date(T0 + 2000 + 60_001).toISOString() })),
    'signed in the future (signedAt 2027-01-10T12:01:02.001Z, workflow time 2027-01-10T12:00:02.000Z)',
    'failed: signed in the future',
  ],
  [
    'signed before the plan was presented',
    () => verdict(signed({ signedAt: new Date(T0 - 60_001).toISOString() })),
    'signed at 2027-01-10T11:58:59.999Z, before plan v2 was presented (2027-01-10T12:00:00.000Z): a replayed decision?',
    'failed: signed too early',
  ],
])('refused: %s', (_what, run, refusal, verification) => {
  expect(run()).toMatchObject({ refusal, verification });
});

test('clock skew and the deadline are inclusive boundaries', () => {
  expect(verdict(signed({ signedAt: new Date(T0 + 2000 + 60_000).toISOString() })).refusal).toBeUndefined();
  expect(verdict(signed({ signedAt: new Date(T0 - 60_000).toISOString() })).refusal).toBeUndefined();
  expect(verdict(signed(), {}, {}, T0 + 3_600_000).refusal).toBeUndefined();
  // Before waitForDecision sets a deadline there is none to pass.
  expect(verdict(signed(), { deadline: null }, {}, T0 + 9e9).refusal).toBeUndefined();
});

test('four-eyes off lets the requester decide; unsigned counts only with the development setting', () => {
  expect(verdict(signed(), { requester: 'bob' }, { fourEyes: false }).refusal).toBeUndefined();
  expect(verdict({ ...signed(), signature: undefined }, {}, { allowUnsigned: true })).toEqual({ verification: 'unsigned (DAG_ALLOW_UNSIGNED_DECISIONS)' });
  // The development setting does not excuse a bad signature, an unlisted name or four-eyes.
  expect(verdict({ ...signed(), signature: '00'.repeat(64) }, {}, { allowUnsigned: true }).refusal).toMatch(/^bad signature/);
  expect(verdict({ ...signed({}, keys.mallory), signature: undefined }, {}, { allowUnsigned: true }).refusal).toMatch(/mallory is not an approver/);
});

test('a policy recorded by an older worker (names, no keys) lets nobody decide', () => {
  const old = normalizePolicy({ approvers: ['alice', 'bob'], fourEyes: true });
  expect(old).toMatchObject({ keys: [], allowUnsigned: false, autoPromote: false });
  expect(evaluateDecision(pending, old, signed(), T0 + 2000).refusal).toBe(`key ${keys.bob.keyId} is not a configured approver key`);
  expect(evaluateDecision(pending, old, { ...signed(), signature: undefined }, T0 + 2000).refusal).toMatch(/^the decision is not signed/);
});

test('property: a signature over any other context, decision or reason never verifies', () => {
  fc.assert(
    fc.property(
      fc.record({
        workflowId: fc.string(),
        runId: fc.string(),
        subjectKind: fc.constantFrom('cleaning-plan', 'persona-model'),
        version: fc.integer({ min: 1, max: 99 }),
        subjectHash: fc.string(),
      }),
      fc.constantFrom('accept', 'reject', 'revise'),
      fc.string({ maxLength: 40 }),
      (other, decision, reason) => {
        const fields = { decision: 'accept' as const, reason: 'ok', approver: 'bob', keyId: keys.bob.keyId, signedAt: '2027-01-10T12:00:01.000Z' };
        const sig = signWithPrivateKey(keys.bob.privateKey, signingBytes(other, { ...fields, decision, reason }));
        const same = JSON.stringify(other) === JSON.stringify(ctx) && decision === 'accept' && reason === 'ok';
        expect(verifySignature(keys.bob.publicKey, sig, signingBytes(ctx, fields))).toBe(same);
      },
    ),
    { seed: 16, numRuns: 200 },
  );
});

test('verifySignature never throws on garbage and refuses a malleable or wrong-length signature', () => {
  const bytes = signingBytes(ctx, { decision: 'accept', approver: 'bob', keyId: keys.bob.keyId, signedAt: 'x' });
  const good = signWithPrivateKey(keys.bob.privateKey, bytes);
  expect(verifySignature(keys.bob.publicKey, good, bytes)).toBe(true);
  for (const bad of ['', 'zz'.repeat(64), good.slice(2), good.toUpperCase(), `${good}00`]) expect(verifySignature(keys.bob.publicKey, bad, bytes)).toBe(false);
  expect(verifySignature('not a key', good, bytes)).toBe(false);
});

test('the subject hash ignores key order and whitespace, not values', () => {
  expect(hashSubject({ a: 1, b: [1, 2] })).toBe(hashSubject(JSON.parse('{ "b": [1,2], "a": 1 }')));
  expect(hashSubject({ a: 1, b: [1, 2] })).not.toBe(hashSubject({ a: 1, b: [2, 1] }));
});

test('parseDecision names fields as the sender typed them, in one line', () => {
  expect(parseDecision({ decision: 'accept', approver: 'bob', planVersion: 1 })).toMatchObject({
    ok: true,
    decision: { version: 1, versionField: 'planVersion' },
  });
  expect(parseDecision({ decision: 'accept', approver: 'bob', version: 1 })).toMatchObject({ ok: true, decision: { version: 1, versionField: 'version' } });
  expect(parseDecision({ decision: 'accept', approver: 'bob' })).toEqual({
    ok: false,
    problem: 'planVersion: required (the version awaiting a decision, e.g. 1)',
  });
  expect(parseDecision({ decision: 'accept', approver: 'bob', version: 1, planVersion: 1 })).toEqual({
    ok: false,
    problem: 'give planVersion or version, not both',
  });
  expect(parseDecision({ decision: 'accept', approver: ' ', planVersion: 0 })).toEqual({
    ok: false,
    problem: 'approver: must not be empty; planVersion: must be 1 or more',
  });
  expect(parseDecision('accept')).toMatchObject({ ok: false, problem: expect.stringMatching(/^a decision is a JSON object/) });
  expect(parseDecision({ decision: 'accept', approver: 'bob', planVersion: 1, approvers: ['mallory'] })).toEqual({
    ok: false,
    problem: 'unknown field "approvers"',
  });
});

describe('configuration', () => {
  test('DAG_APPROVERS takes name=public key entries; a malformed key is refused naming the variable', () => {
    const cfg = loadConfig({ DAG_DATA_DIR: tempDataDir(), DAG_APPROVERS: `alice=${keys.alice.publicKey}, bob` });
    expect(cfg.approvals).toMatchObject({ approvers: [{ name: 'alice', publicKey: keys.alice.publicKey }, { name: 'bob' }], localApprover: false });
    expect(approvalPolicy(cfg)).toMatchObject({ approvers: ['alice', 'bob'], keys: [{ approver: 'alice', keyId: keys.alice.keyId }], source: 'DAG_APPROVERS' });
    expect(() => loadConfig({ DAG_APPROVERS: 'alice=abc' })).toThrow(/^configuration: DAG_APPROVERS.*alice: the public key must be 64 hex characters/);
    expect(() => loadConfig({ DAG_APPROVERS: 'al ice' })).toThrow(/is not NAME or NAME=PUBLIC_KEY/);
  });

  test('the local approver exists only for the embedded stack without configured approvers; its key is made once', () => {
    const dataDir = tempDataDir();
    const embedded = loadConfig({ DAG_DATA_DIR: dataDir });
    expect(embedded.approvals).toMatchObject({ localApprover: true, signingKey: path.join(dataDir, 'approvers', 'local-approver.key') });
    const first = approvalPolicy(embedded);
    expect(first).toMatchObject({ approvers: ['local-approver'], keys: [{ approver: 'local-approver' }] });
    expect(approvalPolicy(embedded).keys).toEqual(first.keys);
    expect(fs.statSync(embedded.approvals.signingKey!).mode & 0o777).toBe(0o600);
    expect(loadConfig({ DAG_DATA_DIR: dataDir, TEMPORAL_ADDRESS: 'temporal.internal:7233' }).approvals.localApprover).toBe(false);
    // Fail closed on a cluster with nothing configured: nobody can approve.
    expect(approvalPolicy(loadConfig({ DAG_DATA_DIR: dataDir, TEMPORAL_ADDRESS: 'temporal.internal:7233' }))).toMatchObject({ approvers: [], keys: [] });
  });

  test('DAG_APPROVERS_FILE: one approver per line, comments allowed; a missing file is one line', () => {
    const file = path.join(tempDataDir(), 'approvers.txt');
    fs.writeFileSync(file, `# approvers of marketing-dag\nalice ${keys.alice.publicKey}\n\nbob=${keys.bob.publicKey}  # rotated 2027-01\n`);
    const cfg = loadConfig({ DAG_DATA_DIR: tempDataDir(), DAG_APPROVERS_FILE: file });
    expect(approvalPolicy(cfg)).toMatchObject({ approvers: ['alice', 'bob'], source: 'DAG_APPROVERS and DAG_APPROVERS_FILE' });
    expect(() => loadConfig({ DAG_APPROVERS_FILE: `${file}.missing` })).toThrow(/^configuration: DAG_APPROVERS_FILE .*missing: ENOENT$/);
  });
});

describe('key files', () => {
  test('two processes creating the same key at once share one; a tampered file is refused', () => {
    const dir = tempDataDir();
    const a = ensureLocalApprover(dir, 'local-approver');
    const b = ensureLocalApprover(dir, 'local-approver');
    expect(b).toEqual(a);
    const raced = writeKeyFile(path.join(dir, 'local-approver.key'), generateKeyPair('local-approver'));
    expect(raced).toEqual(a);
    const file = path.join(dir, 'tampered.key');
    fs.writeFileSync(file, JSON.stringify({ ...generateKeyPair('eve'), publicKey: keys.bob.publicKey }));
    expect(() => readKeyFile(file)).toThrow(/not a valid key file/);
    expect(() => readKeyFile(path.join(dir, 'none.key'))).toThrow(/no such file \(make one with `dag approvals keygen`\)/);
  });
});

describe('scrubbing', () => {
  const secret = 'sk-live-0123456789"abc';
  const scrub = createScrub([secret, 'abc', undefined, null]);

  test('a secret is replaced as configured, JSON-escaped and URL-encoded; values shorter than 4 characters are not secrets', () => {
    expect(scrub(`key ${secret} and ${JSON.stringify(secret)} and ${encodeURIComponent(secret)}; abc stays`)).toBe('key *** and "***" and ***; abc stays');
  });

  test('results, errors (with causes) and log lines never carry the secret', async () => {
    expect(scrubValue({ reason: `echoed ${secret}`, n: 1 }, scrub)).toEqual({ reason: 'echoed ***', n: 1 });
    const clean = { a: 1 };
    expect(scrubValue(clean, scrub)).toBe(clean);
    const err = scrubError(new Error(`401 ${secret}`, { cause: new Error(`inner ${secret}`) }), scrub);
    expect([err.message, (err.cause as Error).message, err.stack]).toEqual(['401 ***', 'inner ***', expect.not.stringContaining(secret)]);
    const wrapped = scrubActivities(
      {
        async leak() {
          throw new Error(`upstream said ${secret}`);
        },
        async answer() {
          return { text: secret };
        },
      },
      [secret],
    );
    await expect(wrapped.leak()).rejects.toThrow('upstream said ***');
    expect(await wrapped.answer()).toEqual({ text: '***' });
    expect(wrapped.leak.name).toBe('leak');
    // Every activity the worker registers is wrapped: an error quoting its input loses the secret.
    const deps = await openDeps(loadConfig({ DAG_DATA_DIR: tempDataDir(), OPENAI_API_KEY: secret, DAG_LOG_LEVEL: 'error' }));
    try {
      const activities = createActivities(deps);
      // An object gone before its load is retracted: the result names it, scrubbed.
      expect(await activities.loadBronzeFile({ date: '2026-11-01', source: 'events', key: `landing/2026-11-01/${secret}.csv` })).toMatchObject({
        status: 'retracted',
        key: 'landing/2026-11-01/***.csv',
      });
      await expect(activities.loadBronzeFile({ date: '2026-11-01', source: `s${secret}`, key: 'landing/2026-11-01/events.csv' })).rejects.toThrow('s***');
    } finally {
      await deps.warehouse.close();
    }
    const lines: string[] = [];
    createLogger({ secrets: [secret], write: (l) => lines.push(l) }).error('failed', { err: new Error(secret) });
    expect(lines.join('\n')).not.toContain('0123456789');
  });
});
