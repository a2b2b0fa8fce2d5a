import * as path from 'node:path';
import type { Command } from 'commander';
import { LOCAL_APPROVER } from '../config/approvals-config';
import { secretValues, type Config } from '../config/config';
import type { CleaningSubject } from '../cleaning/types';
import { decide, describe, listPending, signDecision, type ApprovalDescription, type DecideResult, type UnsignedApprover } from '../lib/approvals/client';
import { approverLine, ensureLocalApprover, generateKeyPair, loadSigner, writeKeyFile, type Signer } from '../lib/approvals/keys';
import type { DecisionKind } from '../lib/approvals/protocol';
import { createScrub } from '../lib/scrub';
import type { PersonaCandidateSubject } from '../workflows/retrain-personas';
import type { DecisionRecord } from '../workflows/shared/approval';
import { CliError } from './errors';
import type { CliContext } from './main';
import { print } from './output';

/**
 * `dag approvals list|show|accept|reject|revise|sign|keygen` — one model for every subject
 * (cleaning plans, persona models). Decisions are signed with the approver's Ed25519 key
 * (`--key`, DAG_APPROVER_KEY, or the embedded default's local approver) and sent as the
 * workflow's Update through lib/approvals/client.ts, the module the console uses too.
 */
export function formatDescription(d: ApprovalDescription): string {
  const head = `${d.workflowId} — ${d.subjectKind} v${d.version ?? '?'} (${d.status}${d.running ? '' : `, workflow ${d.executionStatus.toLowerCase()}`})`;
  const lines = [head];
  if (d.subject === null) lines.push('nothing presented for a decision yet');
  else if (d.subjectKind === 'cleaning-plan') lines.push(...cleaningLines(d.subject as CleaningSubject));
  else lines.push(...personaLines(d.subject as PersonaCandidateSubject));
  if (d.toSign) lines.push(`to sign: ${d.toSign.subjectKind} v${d.toSign.version}, ${d.toSign.subjectHash}, run ${d.toSign.runId}`);
  if (d.deadline) lines.push(`automatic rejection at ${d.deadline}`);
  lines.push(
    `approvers: ${d.approvers.join(', ') || 'none configured'}${d.signaturesRequired === false ? ' (unsigned decisions allowed: development setting)' : ''}; requested by ${d.requester}`,
  );
  if (d.history.length) lines.push('decisions:', ...d.history.map(describeRecord));
  return lines.join('\n');
}

function cleaningLines(p: CleaningSubject): string[] {
  const lines = [`partition ${p.date}, round ${p.round}; failing: ${p.failedChecks.join(', ')}`];
  lines.push(`planner: ${p.plan.planner}${p.plan.fallbackReason ? ` (${p.plan.fallbackReason})` : ''}`, `summary: ${p.plan.summary}`, 'operations:');
  p.operations.forEach((o, i) => lines.push(`  ${i + 1}. ${o} — ${p.plan.operations[i]?.rationale ?? ''}`));
  lines.push('dry run (rows before → after):');
  for (const [t, n] of Object.entries(p.dryRun.rowsBefore)) lines.push(`  ${t}: ${n} → ${p.dryRun.rowsAfter[t as keyof typeof p.dryRun.rowsAfter]}`);
  const after = new Map(p.dryRun.checksAfter.map((c) => [c.check, c.status]));
  for (const c of p.dryRun.checksBefore) if (c.status !== after.get(c.check)) lines.push(`  ${c.check}: ${c.status} → ${after.get(c.check)}`);
  lines.push(`judge (${p.verdict.judge}): ${p.verdict.verdict} — ${p.verdict.reasons.join('; ')}`);
  return lines;
}

function personaLines(m: PersonaCandidateSubject): string[] {
  const c = m.comparison;
  const shift = Object.entries(c.centroidShift)
    .sort((a, b) => b[1] - a[1])
    .map(([name, d]) => `${name} ${d.toFixed(3)}`);
  return [
    `candidate v${m.candidateVersion} vs active v${m.activeVersion}, trained on ${m.window.from}..${m.window.to}${m.reason ? ` (${m.reason})` : ''}`,
    `k=${c.k}: silhouette ${c.candidate.silhouette} vs ${c.active.silhouette}; inertia ${c.candidate.inertia} vs ${c.active.inertia}`,
    `label stability ${(c.labelStability * 100).toFixed(1)}% on ${c.sampleSize} participants`,
    `centroid movement: ${shift.join(', ')}`,
  ];
}

const describeRecord = (r: DecisionRecord) =>
  `  ${r.at} ${r.approver} ${r.decision} v${r.version ?? '?'} via ${r.via}: ${r.outcome}${r.ignoredReason ? ` (${r.ignoredReason})` : ''}${r.verification ? ` [${r.verification}${r.keyId ? `, key ${r.keyId}` : ''}]` : ''}${r.reason ? ` — ${r.reason}` : ''}`;

/** The signer for a decision: --key, DAG_APPROVER_KEY, or the local approver the embedded default created. */
export function signerFor(config: Config, opts: { key?: string; unsigned?: string }): Signer | UnsignedApprover {
  if (opts.unsigned) return { unsigned: true, approver: opts.unsigned };
  const file = opts.key ?? config.approvals.signingKey;
  if (!file) throw new CliError('no approver key: pass --key FILE or set DAG_APPROVER_KEY (make a key pair with `dag approvals keygen --approver NAME`)');
  try {
    if (!opts.key && config.approvals.localApprover && path.resolve(file) === path.join(config.approvals.localApproverDir, `${LOCAL_APPROVER}.key`))
      ensureLocalApprover(config.approvals.localApproverDir, LOCAL_APPROVER);
    return loadSigner(file);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

interface DecideOptions {
  reason?: string;
  feedback?: string;
  version?: string;
  key?: string;
  unsigned?: string;
  json?: boolean;
}

function parseVersion(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[1-9]\d{0,8}$/.test(v)) throw new CliError(`--version: "${v}" is not a version number like 1`);
  return Number(v);
}

export function registerApprovalCommands(program: Command, ctx: CliContext): void {
  const scrubbed = (text: string) => createScrub(secretValues(ctx.config()))(text);
  const approvals = program
    .command('approvals')
    .description('decisions awaited on cleaning plans and persona models: list, show, accept, reject, revise, sign, keygen');
  approvals
    .command('list')
    .description('everything awaiting a decision, oldest first')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const pending = await listPending(await ctx.client());
      print(!!o.json, pending, () =>
        pending.length
          ? pending
              .map(
                (p) =>
                  `${p.workflowId}  ${p.title}  ${p.failedChecks.join(',')}  ${p.ageMinutes} min${p.deadline ? `  rejected automatically at ${p.deadline}` : ''}`,
              )
              .join('\n')
          : 'nothing awaits a decision',
      );
    });
  approvals
    .command('show <id>')
    .description('the plan (dry-run diff, verdict) or model (metrics, centroid movement), what to sign, and every decision')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const d = await describe(await ctx.client(), id).catch((err: Error) => {
        throw new CliError(scrubbed(err.message.split('\n')[0]));
      });
      process.stdout.write(scrubbed(o.json ? JSON.stringify(d, null, 2) : formatDescription(d)) + '\n');
    });
  const send = async (id: string, decision: DecisionKind, o: DecideOptions) => {
    const signer = signerFor(ctx.config(), o);
    const result = await decide(await ctx.client(), id, { decision, reason: o.reason ?? o.feedback, version: parseVersion(o.version) }, signer);
    outcome(!!o.json, result);
  };
  const outcome = (json: boolean, r: DecideResult) => {
    print(json, r, () =>
      r.ok ? `${r.record.decision} applied to v${r.record.version} as ${r.record.verifiedApprover ?? r.record.approver} (${r.record.verification})` : r.refusal,
    );
    if (!r.ok) process.exitCode = 3;
  };
  for (const decision of ['accept', 'reject'] as const)
    withSigningOptions(approvals.command(`${decision} <id>`).description(`${decision} the plan or model awaiting a decision (signed)`))
      .option('--reason <text>', 'why')
      .action((id: string, o: DecideOptions) => send(id, decision, o));
  withSigningOptions(approvals.command('revise <id>').description('ask for a new version (signed)'))
    .requiredOption('--feedback <text>', 'what to change')
    .action((id: string, o: DecideOptions) => send(id, 'revise', o));
  withSigningOptions(
    approvals
      .command('sign <id> <decision>')
      .description('print a signed decision payload to paste into the Web UI (Send an Update) or `temporal workflow update execute`'),
  )
    .option('--reason <text>', 'why (the feedback, for revise)')
    .action(async (id: string, decision: string, o: DecideOptions) => {
      if (decision !== 'accept' && decision !== 'reject' && decision !== 'revise')
        throw new CliError(`decision must be accept, reject or revise, not "${decision}"`);
      const d = await describe(await ctx.client(), id);
      if (!d.toSign) throw new CliError(`refused: nothing awaits a decision in ${id} yet (${d.status})`);
      const payload = await signDecision(d.toSign, { decision, reason: o.reason, version: parseVersion(o.version) }, signerFor(ctx.config(), o));
      process.stdout.write(`${JSON.stringify(payload)}\n`);
      if (!o.json)
        process.stderr.write(
          `update name: ${d.subjectKind === 'cleaning-plan' ? 'cleaningDecision' : 'personaDecision'}; valid for this run and v${payload.version} only\n`,
        );
    });
  approvals
    .command('keygen')
    .description('make an Ed25519 key pair for an approver; prints the line to add to DAG_APPROVERS on the worker')
    .requiredOption('--approver <name>', 'who the key belongs to')
    .option('--out <file>', 'where to write the private key (mode 0600)')
    .option('--force', 'replace an existing key file')
    .option('--json', 'print JSON')
    .action((o: { approver: string; out?: string; force?: boolean; json?: boolean }) => {
      if (!/^[A-Za-z0-9._@+-]{1,100}$/.test(o.approver)) throw new CliError(`--approver: "${o.approver}" may use letters, digits and . _ @ + - only`);
      const file = path.resolve(o.out ?? path.join(ctx.config().dataDir, 'approvers', `${o.approver}.key`));
      const fresh = generateKeyPair(o.approver);
      const key = writeKeyFile(file, fresh, { overwrite: o.force });
      if (key.publicKey !== fresh.publicKey) throw new CliError(`${file} already exists (key ${key.keyId}); pass --force to replace it`);
      print(!!o.json, { file, approver: key.approver, keyId: key.keyId, publicKey: key.publicKey, approversEntry: approverLine(key) }, () =>
        [
          `private key: ${file} (keep it to yourself; sign with --key ${file} or DAG_APPROVER_KEY)`,
          `key id: ${key.keyId}`,
          `add to the worker's DAG_APPROVERS (comma-separated) or one line of DAG_APPROVERS_FILE:`,
          `  ${approverLine(key)}`,
        ].join('\n'),
      );
    });
}

function withSigningOptions(cmd: Command): Command {
  return cmd
    .option('--version <n>', 'the version you read (default: the one awaiting a decision now)')
    .option('--key <file>', 'private key file (default: DAG_APPROVER_KEY, or the local approver of the embedded default)')
    .option('--unsigned <approver>', 'send an unsigned decision as this approver (only counts with DAG_ALLOW_UNSIGNED_DECISIONS=true on the worker)')
    .option('--json', 'print JSON');
}
