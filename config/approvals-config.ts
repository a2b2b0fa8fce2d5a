import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { isPublicKeyHex } from '../lib/approvals/protocol';
import { ConfigError } from './config-error';

/**
 * The approvals block of the configuration: who may approve (names with Ed25519 public keys),
 * four-eyes, and the two settings that loosen approval — unsigned decisions (development only)
 * and persona auto-promotion. Workflows never read these from their input: an activity hands
 * them over from here (see lib/approvals/policy.ts).
 */
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const NAME = /^[A-Za-z0-9._@+-]{1,100}$/;

/** `alice=<64 hex public key>` (what `dag approvals keygen` prints), or a bare `alice` (counts only unsigned). */
export interface ApproverEntry {
  name: string;
  publicKey?: string;
}

/** DAG_APPROVERS and the lines of DAG_APPROVERS_FILE, joined by commas; one issue per bad entry, naming it. */
const approverEntries = z.string().transform((list, ctx) => {
  const out: ApproverEntry[] = [];
  for (const entry of list
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const [name, key, ...extra] = entry.split('=').map((x) => x.trim());
    if (!NAME.test(name ?? '') || extra.length)
      ctx.addIssue({ code: 'custom', message: `"${entry.slice(0, 40)}" is not NAME or NAME=PUBLIC_KEY (letters, digits, . _ @ + - in names)` });
    else if (key !== undefined && !isPublicKeyHex(key.toLowerCase()))
      ctx.addIssue({ code: 'custom', message: `${name}: the public key must be 64 hex characters (the line \`dag approvals keygen\` prints)` });
    else out.push({ name, ...(key !== undefined ? { publicKey: key.toLowerCase() } : {}) });
  }
  return out;
});

export const approvalsSchema = z.object({
  /** DAG_APPROVERS plus the lines of DAG_APPROVERS_FILE. */
  approvers: approverEntries,
  approversFile: z.string().optional(),
  /** DAG_LOCAL_APPROVER: the embedded default's one local approver, its key pair kept under the data dir. */
  localApprover: bool,
  localApproverDir: z.string(),
  /** DAG_APPROVER_KEY: the private key file `dag approvals accept|reject|revise` sign with. */
  signingKey: z.string().optional(),
  /** DAG_FOUR_EYES: the requester cannot decide their own request. */
  fourEyes: bool.default(true),
  /** DAG_ALLOW_UNSIGNED_DECISIONS: development only — a listed approver's unsigned decision counts. */
  allowUnsigned: bool.default(false),
  /** DAG_PERSONA_AUTO_PROMOTE: retrained persona models are promoted without a decision. */
  autoPromotePersonas: bool.default(false),
  /** DAG_APPROVAL_CLOCK_SKEW_SECONDS: tolerated difference between a signer's clock and workflow time. */
  clockSkewSeconds: z.coerce.number().int().min(0).max(3600).default(300),
});
export type ApprovalsConfig = z.output<typeof approvalsSchema>;

export const LOCAL_APPROVER = 'local-approver';

export function approvalsFromEnv(e: Record<string, string | undefined>, dataDir: string) {
  const fileLines = e.DAG_APPROVERS_FILE ? readApproversFile(e.DAG_APPROVERS_FILE) : [];
  const inline = (e.DAG_APPROVERS ?? '').trim();
  // Fail closed: only the embedded stack (no TEMPORAL_ADDRESS) with no approvers configured gets the local approver.
  const local = e.DAG_LOCAL_APPROVER ?? (!e.TEMPORAL_ADDRESS && !inline && !fileLines.length ? 'true' : 'false');
  const localApproverDir = path.join(dataDir, 'approvers');
  return {
    approvers: [inline, ...fileLines].filter(Boolean).join(','),
    approversFile: e.DAG_APPROVERS_FILE,
    localApprover: local,
    localApproverDir,
    signingKey: e.DAG_APPROVER_KEY ?? (local === 'true' || local === '1' ? path.join(localApproverDir, `${LOCAL_APPROVER}.key`) : undefined),
    fourEyes: e.DAG_FOUR_EYES,
    allowUnsigned: e.DAG_ALLOW_UNSIGNED_DECISIONS,
    autoPromotePersonas: e.DAG_PERSONA_AUTO_PROMOTE,
    clockSkewSeconds: e.DAG_APPROVAL_CLOCK_SKEW_SECONDS,
  };
}

/** One approver per line (`alice=<public key>`); blank lines and `#` comments ignored. */
function readApproversFile(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`configuration: DAG_APPROVERS_FILE ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((l) => l.replace(/\s+/, '='));
}

export const APPROVAL_ENV_NAMES: Record<string, string> = {
  'approvals.approvers': 'DAG_APPROVERS',
  'approvals.localApprover': 'DAG_LOCAL_APPROVER',
  'approvals.fourEyes': 'DAG_FOUR_EYES',
  'approvals.allowUnsigned': 'DAG_ALLOW_UNSIGNED_DECISIONS',
  'approvals.autoPromotePersonas': 'DAG_PERSONA_AUTO_PROMOTE',
  'approvals.clockSkewSeconds': 'DAG_APPROVAL_CLOCK_SKEW_SECONDS',
};

/**
 * Parses JSON and, when it is malformed, says where (line and column) and what kind of error —
 * never the text around it, which in a configuration file may be a secret.
 */
export function parseJsonWithoutEcho(text: string, what: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (!errors.length) return value;
  const { error, offset } = errors[0];
  const before = text.slice(0, offset).split('\n');
  throw new ConfigError(
    `configuration: ${what}: not valid JSON (${printParseErrorCode(error)} at line ${before.length}, column ${before[before.length - 1].length + 1})`,
  );
}
