import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import type { CleaningSubject } from '../cleaning/types';
import { cleaningApproval } from '../workflows/cleaning-review';
import type { ApprovalState, Decision, DecisionRecord } from '../workflows/shared/approval';
import { CliError } from './errors';
import type { CliContext } from './main';
import { print } from './output';

/** Pending plans: those the UI finds with `CleaningStatus = "AwaitingApproval"`. */
export const PENDING_QUERY = `WorkflowType = 'CleaningReview' AND ExecutionStatus = 'Running' AND CleaningStatus = 'AwaitingApproval'`;

export interface PendingPlan {
  workflowId: string;
  date: string;
  failedChecks: string[];
  version: number | null;
  ageMinutes: number;
}

export async function listPending(client: Client, now = Date.now()): Promise<PendingPlan[]> {
  const out: PendingPlan[] = [];
  for await (const wf of client.workflow.list({ query: PENDING_QUERY })) {
    const state = await client.workflow
      .getHandle(wf.workflowId)
      .query(cleaningApproval.query)
      .catch(() => undefined);
    out.push({
      workflowId: wf.workflowId,
      date: state?.subject?.date ?? '?',
      failedChecks: state?.subject?.failedChecks ?? [],
      version: state?.version ?? null,
      ageMinutes: Math.round((now - wf.startTime.getTime()) / 60_000),
    });
  }
  return out;
}

/** The plan, dry-run diff, verdict and decision history, readable in a terminal. */
export function formatPlan(id: string, s: ApprovalState<CleaningSubject>): string {
  if (!s.subject) return `${id}: ${s.status} (no plan yet)`;
  const p = s.subject;
  const lines = [`${id} — partition ${p.date}, round ${p.round}, plan v${s.version} (${s.status})`, `failing: ${p.failedChecks.join(', ')}`];
  lines.push(`planner: ${p.plan.planner}${p.plan.fallbackReason ? ` (${p.plan.fallbackReason})` : ''}`, `summary: ${p.plan.summary}`, 'operations:');
  p.operations.forEach((o, i) => lines.push(`  ${i + 1}. ${o} — ${p.plan.operations[i]?.rationale ?? ''}`));
  lines.push('dry run (rows before → after):');
  for (const [t, n] of Object.entries(p.dryRun.rowsBefore)) lines.push(`  ${t}: ${n} → ${p.dryRun.rowsAfter[t as keyof typeof p.dryRun.rowsAfter]}`);
  const after = new Map(p.dryRun.checksAfter.map((c) => [c.check, c.status]));
  for (const c of p.dryRun.checksBefore) if (c.status !== after.get(c.check)) lines.push(`  ${c.check}: ${c.status} → ${after.get(c.check)}`);
  lines.push(`judge (${p.verdict.judge}): ${p.verdict.verdict} — ${p.verdict.reasons.join('; ')}`);
  if (s.history.length) lines.push('decisions:', ...s.history.map(describeRecord));
  return lines.join('\n');
}

const describeRecord = (r: DecisionRecord) =>
  `  ${r.at} ${r.approver} ${r.decision} v${r.version} via ${r.via}: ${r.outcome}${r.ignoredReason ? ` (${r.ignoredReason})` : ''}${r.reason ? ` — ${r.reason}` : ''}`;

/** Sends a decision on the version now awaiting one, as an Update: the answer says what became of it. */
export async function sendDecision(client: Client, id: string, d: Omit<Decision, 'version'>): Promise<DecisionRecord> {
  const h = client.workflow.getHandle(id);
  const state = await h.query(cleaningApproval.query);
  if (state.version === null) throw new CliError(`${id}: no plan is awaiting a decision yet (${state.status})`);
  return h.executeUpdate(cleaningApproval.update, { args: [{ ...d, version: state.version }] });
}

export function registerApprovalCommands(program: Command, ctx: CliContext): void {
  const approvals = program.command('approvals').description('cleaning plans awaiting a decision: list, show, accept, reject, revise');
  const outcome = (json: boolean, r: DecisionRecord) => {
    print(json, r, () => (r.outcome === 'applied' ? `${r.decision} recorded for plan v${r.version}` : `ignored: ${r.ignoredReason}`));
    if (r.outcome !== 'applied') process.exitCode = 3;
  };
  approvals
    .command('list')
    .description('pending plans: partition, failing checks, age')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const pending = await listPending(await ctx.client());
      print(!!o.json, pending, () =>
        pending.length
          ? pending.map((p) => `${p.workflowId}  ${p.date}  v${p.version}  ${p.failedChecks.join(',')}  ${p.ageMinutes} min`).join('\n')
          : 'no plan awaits a decision',
      );
    });
  approvals
    .command('show <id>')
    .description('plan, dry-run diff, verdict, decisions')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const state = await (await ctx.client()).workflow.getHandle(id).query(cleaningApproval.query);
      print(!!o.json, state, () => formatPlan(id, state));
    });
  for (const decision of ['accept', 'reject'] as const) {
    approvals
      .command(`${decision} <id>`)
      .description(`${decision} the plan awaiting a decision`)
      .requiredOption('--approver <name>', 'who decides')
      .option('--reason <text>', 'why')
      .option('--json', 'print JSON')
      .action(async (id: string, o: { approver: string; reason?: string; json?: boolean }) =>
        outcome(!!o.json, await sendDecision(await ctx.client(), id, { decision, approver: o.approver, reason: o.reason })),
      );
  }
  approvals
    .command('revise <id>')
    .description('ask the planner for a new version')
    .requiredOption('--feedback <text>', 'what to change')
    .option('--approver <name>', 'who asks', process.env.DAG_APPROVER ?? process.env.USER ?? 'unknown')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { feedback: string; approver: string; json?: boolean }) =>
      outcome(!!o.json, await sendDecision(await ctx.client(), id, { decision: 'revise', approver: o.approver, reason: o.feedback })),
    );
}
