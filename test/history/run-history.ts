import { addDays } from '../../lib/dates';
import { auditCounts, captureBefore, checkRuns, CHECKS, type CheckName, type Violation } from './invariants';
import { LandingModel } from './model';
import { Rebuilder } from './rebuild';
import { describeAction, resolve, type Step } from './steps';
import { SystemUnderTest, type HistoryEnv, type RunOutcome } from './system';

export interface HistoryOptions {
  /** First partition date; the history uses `days` consecutive dates from it. */
  firstDate: string;
  days: number;
  checks?: ReadonlySet<CheckName>;
  /** Called with each step's description as it starts (progress for soak runs). */
  onStep?: (line: string) => void;
}

export interface HistoryReport {
  ok: boolean;
  /** What the history did, one line per step that acted (no-op steps are left out). */
  log: string[];
  violations: Violation[];
  durationMs: number;
  runs: number;
  /** Cleaning plans the history's approver accepted (cleanAccept steps). */
  accepted: number;
  /** Where the time went (ms): the system's runs, the rebuilds, and the checks (comparison included). */
  timings: { runs: number; rebuilds: number; checks: number };
}

/**
 * Runs one history against the real system and checks it after every run step (invariants.ts).
 * Steps that change the landing area only change files; run steps start NightlyPipeline or
 * Backfill on the history's worker; kill steps SIGKILL a child-process worker mid-run.
 */
export class HistoryRunner {
  private rebuilder?: Rebuilder;

  constructor(private readonly env: HistoryEnv) {}

  async run(steps: Step[], opts: HistoryOptions): Promise<HistoryReport> {
    const started = Date.now();
    const checks = opts.checks ?? new Set(CHECKS);
    if (checks.has('rebuild') && !this.rebuilder) {
      this.rebuilder = new Rebuilder(this.env);
      await this.rebuilder.start();
    }
    this.rebuilder?.reset();
    const dates = Array.from({ length: opts.days }, (_, i) => addDays(opts.firstDate, i));
    const model = new LandingModel(dates);
    const sut = new SystemUnderTest(this.env);
    await sut.start();
    const log: string[] = [];
    let runs = 0;
    let accepted = 0;
    const timings = { runs: 0, rebuilds: 0, checks: 0 };
    try {
      for (const step of steps) {
        for (const action of resolve(step, model)) {
          const line = describeAction(action, model);
          log.push(line);
          opts.onStep?.(line);
          if (action.kind === 'put' || action.kind === 'delete') {
            await sut.land(action, model);
            continue;
          }
          const touched = action.kind === 'backfill' ? dates.filter((d) => d >= action.from && d <= action.to) : [action.date];
          const retract = action.kind === 'run' && !!action.retract;
          const before = captureBefore(model, touched, await auditCounts(sut.warehouse), retract);
          let outcomes: RunOutcome[];
          let t = Date.now();
          if (action.kind === 'run') outcomes = [await sut.run(action.date, { acceptPartial: action.acceptPartial, retract, review: action.review })];
          else if (action.kind === 'backfill') outcomes = await sut.backfill(action.from, action.to);
          else outcomes = [await sut.kill(action.date, action.then)];
          for (const o of [...outcomes].sort((a, b) => a.startedAt - b.startedAt)) {
            model.ran(o.date, o, retract);
            // The person's decision is part of the state the rebuild must honour (rebuild.ts).
            for (const operations of o.accepted ?? []) {
              model.accepted(o.date, operations);
              accepted++;
            }
          }
          // Late data: runs may re-run other dates by themselves; they count as runs of those dates.
          const reruns = await sut.reruns(dates, model);
          for (const o of reruns.sort((a, b) => a.startedAt - b.startedAt)) model.ran(o.date, o);
          outcomes = [...outcomes, ...reruns];
          runs += outcomes.length;
          timings.runs += Date.now() - t;
          log[log.length - 1] += `  → ${outcomes.map((o) => `${o.date} ${o.status}${o.killed ? ' (killed)' : ''}`).join(', ')}`;
          const rebuilder = this.rebuilder;
          t = Date.now();
          const rebuild =
            rebuilder &&
            (async () => {
              const r0 = Date.now();
              const rb = await rebuilder.rebuild(model);
              timings.rebuilds += Date.now() - r0;
              timings.checks -= Date.now() - r0;
              return rb;
            });
          const violations = await checkRuns(sut.warehouse, model, outcomes, before, checks, rebuild);
          timings.checks += Date.now() - t;
          if (violations.length) return { ok: false, log, violations, durationMs: Date.now() - started, runs, accepted, timings };
        }
      }
      return { ok: true, log, violations: [], durationMs: Date.now() - started, runs, accepted, timings };
    } catch (err) {
      // The harness itself could not go on (a step threw): a failure of the history, reported like one.
      const message = `the history could not continue: ${String((err as Error)?.stack ?? err)}`;
      return { ok: false, log, violations: [{ check: 'outcome', message }], durationMs: Date.now() - started, runs, accepted, timings };
    } finally {
      await sut.close();
    }
  }

  async close(): Promise<void> {
    await this.rebuilder?.close();
  }
}

/** A failing history as a person reads it: the steps, then what broke. */
export function formatReport(r: HistoryReport, header = ''): string {
  return [header, ...r.log.map((l, i) => `  ${String(i + 1).padStart(2)}. ${l}`), ...r.violations.map((v) => `  ✗ [${v.check}] ${v.message}`)]
    .filter(Boolean)
    .join('\n');
}
