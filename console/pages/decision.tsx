import { raw } from 'hono/html';
import type { DecisionHistoryRow } from '../../activities/console/overview';
import type { OperationSamples, PlanSamples } from '../../activities/console/plan-samples';
import type { CleaningSubject } from '../../cleaning/types';
import { groupedBarsSvg } from '../../report/svg-grouped-bars';
import type { PersonaCandidateSubject } from '../../workflows/retrain-personas';
import type { DecisionView } from '../approvals';
import type { Session } from '../auth/sessions';
import type { Signing } from '../auth/signers';
import { num, temporalRunUrl, timeLeft, utc } from './format';
import { CsrfField, Layout } from './layout';

export interface DecisionPageProps {
  session: Session;
  view: DecisionView;
  /** What the decision buttons send for the signed-in account. */
  signing: Signing;
  samples?: PlanSamples;
  earlier: DecisionHistoryRow[];
  evidenceError?: string;
  temporalUiUrl?: string;
  namespace: string;
  now: number;
}

export function DecisionPage(p: DecisionPageProps) {
  const v = p.view;
  const open = v.running && v.status === 'AwaitingApproval' && v.version !== null;
  const runUrl = temporalRunUrl(p.temporalUiUrl, p.namespace, v.workflowId);
  return (
    <Layout title={v.title} session={p.session}>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <span class={`badge ${v.status}`}>{v.status}</span> {v.running ? '' : `(run ${v.executionStatus.toLowerCase()})`}
        </dd>
        <dt>Requested by</dt>
        <dd>{v.requester || '—'}</dd>
        <dt>Requested</dt>
        <dd>{utc(v.requestedAt)}</dd>
        {open && (
          <>
            <dt>Automatic rejection</dt>
            <dd>
              {utc(v.deadline)} (in {timeLeft(v.deadline, p.now)})
            </dd>
          </>
        )}
        <dt>Approvers</dt>
        <dd>
          {v.approvers.length ? v.approvers.join(', ') : 'none configured: nobody can decide'}
          {v.signaturesRequired ? '' : ' (unsigned decisions allowed: development setting)'}
        </dd>
        <dt>Run</dt>
        <dd>{runUrl ? <a href={runUrl}>{v.workflowId} in the Temporal UI</a> : v.workflowId}</dd>
      </dl>
      {open && <DecisionForm session={p.session} version={v.version!} subjectHash={v.subjectHash} workflowId={v.workflowId} signing={p.signing} />}
      {v.cleaning && <CleaningEvidence s={v.cleaning} samples={p.samples} evidenceError={p.evidenceError} />}
      {v.persona && <PersonaEvidence s={v.persona} />}
      <History view={v} earlier={p.earlier} />
    </Layout>
  );
}

function DecisionForm(p: { session: Session; version: number; subjectHash: string | null; workflowId: string; signing: Signing }) {
  return (
    <form class="card decide" method="post" action={`/decisions/${encodeURIComponent(p.workflowId)}/decide`} data-testid="decide">
      <CsrfField session={p.session} />
      <input type="hidden" name="version" value={String(p.version)} />
      {p.subjectHash && <input type="hidden" name="subject" value={p.subjectHash} />}
      <label>
        Reason (for accept and reject) or what to change (for a revision)
        <textarea name="reason" rows={3} maxlength={2000} placeholder="e.g. refunds booked as sales; safe to quarantine" />
      </label>
      <div class="buttons">
        <button type="submit" name="decision" value="accept" class="accept">
          Accept v{p.version}
        </button>
        <button type="submit" name="decision" value="reject" class="reject">
          Reject
        </button>
        <button type="submit" name="decision" value="revise" class="revise">
          Request revision
        </button>
      </div>
      <p class={`sub signing ${p.signing.kind}`} data-testid="signing">
        {p.signing.kind === 'signed' ? `Your decision is ${p.signing.note}.` : `Note: ${p.signing.note}.`}
      </p>
    </form>
  );
}

function CleaningEvidence(p: { s: CleaningSubject; samples?: PlanSamples; evidenceError?: string }) {
  const { plan, dryRun, verdict } = p.s;
  const after = new Map(dryRun.checksAfter.map((c) => [c.check, c]));
  const relevant = dryRun.checksBefore.filter((c) => c.status !== 'pass' || after.get(c.check)?.status !== 'pass');
  return (
    <>
      <section>
        <h2>Failing checks</h2>
        <table class="list" data-testid="checks">
          <thead>
            <tr>
              <th>Check</th>
              <th>Severity</th>
              <th>Observed</th>
              <th>Threshold</th>
              <th>Now</th>
              <th>After the plan (dry run)</th>
            </tr>
          </thead>
          <tbody>
            {relevant.map((c) => (
              <tr>
                <td>{c.check}</td>
                <td>{c.severity}</td>
                <td class="n">{num(c.observed)}</td>
                <td class="n">{num(c.threshold)}</td>
                <td>
                  <span class={`badge ${c.status}`}>{c.status}</span>
                </td>
                <td>
                  <span class={`badge ${after.get(c.check)?.status ?? 'none'}`}>{after.get(c.check)?.status ?? '—'}</span>{' '}
                  {after.get(c.check) && `observed ${num(after.get(c.check)!.observed)}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section>
        <h2>
          Proposed operations <span class="sub">planner: {plan.planner}</span>
        </h2>
        <p>{plan.summary}</p>
        {plan.fallbackReason && <p class="note">The rule planner stood in: {plan.fallbackReason}</p>}
        <ol class="ops">
          {plan.operations.map((op, i) => (
            <li>
              <strong>{p.s.operations[i]}</strong>
              <div class="sub">{op.rationale}</div>
            </li>
          ))}
        </ol>
        {dryRun.refused.length > 0 && (
          <p class="note">Refused by the compiler (would not run): {dryRun.refused.map((r) => `#${r.index + 1}: ${r.reason}`).join('; ')}</p>
        )}
      </section>
      <section>
        <h2>Dry run: rows per table</h2>
        <table class="list" data-testid="counts">
          <thead>
            <tr>
              <th>Table</th>
              <th>Before</th>
              <th>After</th>
              <th>Change</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(dryRun.rowsBefore).map(([t, n]) => {
              const a = dryRun.rowsAfter[t as keyof typeof dryRun.rowsAfter];
              return (
                <tr>
                  <td>silver.{t}</td>
                  <td class="n">{num(n)}</td>
                  <td class="n">{num(a)}</td>
                  <td class={`n ${a !== n ? 'delta' : ''}`}>{a === n ? '0' : (a - n > 0 ? '+' : '') + num(a - n)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <section>
        <h2>Sample rows before and after each operation</h2>
        {p.evidenceError && <p class="flash error">{p.evidenceError}</p>}
        {p.samples ? p.samples.operations.map((o) => <OperationRows o={o} />) : !p.evidenceError && <p class="empty">No samples.</p>}
      </section>
      <section>
        <h2>Judge</h2>
        <p data-testid="verdict">
          <span class={`badge ${verdict.verdict}`}>{verdict.verdict}</span> by {verdict.judge}
          {verdict.fallbackReason ? ` (rule judge stood in: ${verdict.fallbackReason})` : ''}
        </p>
        <ul>
          {verdict.reasons.map((r) => (
            <li>{r}</li>
          ))}
        </ul>
      </section>
    </>
  );
}

function OperationRows(p: { o: OperationSamples }) {
  const o = p.o;
  const columns = o.samples.length ? Object.keys(o.samples[0].before ?? o.samples[0].after ?? {}) : [];
  return (
    <div class="op" data-testid={`samples-${o.index + 1}`}>
      <h3>
        {o.index + 1}. {o.description}
      </h3>
      {o.refused ? (
        <p class="note">Refused: {o.refused}</p>
      ) : (
        <p class="sub">
          silver.{o.table}: {num(o.rowsBefore)} → {num(o.rowsAfter)} rows; {num(o.removed)} taken out, {num(o.changed)} changed
          {o.samples.length < o.removed + o.changed ? ` (first ${o.samples.length} shown)` : ''}
        </p>
      )}
      {o.samples.length > 0 && (
        <div class="scroll">
          <table class="rows">
            <thead>
              <tr>
                <th></th>
                {columns.map((c) => (
                  <th>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {o.samples.map((s) => (
                <>
                  <tr class={s.after ? 'before' : 'before removed'}>
                    <th>{s.after ? 'before' : 'removed'}</th>
                    {columns.map((c) => (
                      <td class={s.changedColumns.includes(c) ? 'changed' : ''}>{cell(s.before?.[c])}</td>
                    ))}
                  </tr>
                  {s.after && (
                    <tr class="after">
                      <th>after</th>
                      {columns.map((c) => (
                        <td class={s.changedColumns.includes(c) ? 'changed' : ''}>{cell(s.after?.[c])}</td>
                      ))}
                    </tr>
                  )}
                </>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

const cell = (v: unknown) => (v === null || v === undefined ? 'NULL' : String(v));

function PersonaEvidence(p: { s: PersonaCandidateSubject }) {
  const c = p.s.comparison;
  const personas = Object.keys(c.centroidShift);
  const metrics = groupedBarsSvg({
    title: 'Silhouette (higher separates personas better)',
    yLabel: 'silhouette',
    categories: ['silhouette'],
    series: [
      { name: `active v${c.active.version}`, values: [c.active.silhouette] },
      { name: `candidate v${p.s.candidateVersion}`, values: [c.candidate.silhouette] },
    ],
  });
  const shift = groupedBarsSvg({
    title: 'Centroid movement per persona (standardised distance)',
    yLabel: 'distance moved',
    categories: personas,
    series: [{ name: 'moved', values: personas.map((n) => c.centroidShift[n]) }],
  });
  return (
    <>
      <section>
        <h2>Candidate vs active model</h2>
        <p>
          Trained on {p.s.window.from}..{p.s.window.to}
          {p.s.reason ? ` because ${p.s.reason}` : ''}.
        </p>
        <table class="list" data-testid="metrics">
          <thead>
            <tr>
              <th>Metric</th>
              <th>Active v{c.active.version}</th>
              <th>Candidate v{p.s.candidateVersion}</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>silhouette</td>
              <td class="n">{num(c.active.silhouette)}</td>
              <td class="n">{num(c.candidate.silhouette)}</td>
            </tr>
            <tr>
              <td>inertia</td>
              <td class="n">{num(c.active.inertia)}</td>
              <td class="n">{num(c.candidate.inertia)}</td>
            </tr>
            <tr>
              <td>k (personas)</td>
              <td class="n">{num(personas.length)}</td>
              <td class="n">{num(c.k)}</td>
            </tr>
            <tr>
              <td>label stability</td>
              <td colSpan={2} class="n">
                {(c.labelStability * 100).toFixed(1)} % of {num(c.sampleSize)} participants keep their persona
              </td>
            </tr>
          </tbody>
        </table>
      </section>
      <section class="charts">
        <h2>Charts</h2>
        <div class="chart">{raw(metrics)}</div>
        <div class="chart">{raw(shift)}</div>
      </section>
    </>
  );
}

function History(p: { view: DecisionView; earlier: DecisionHistoryRow[] }) {
  const earlier = p.earlier.filter((r) => !(r.workflowId === p.view.workflowId && r.runId === p.view.runId));
  return (
    <section>
      <h2>Decisions</h2>
      {p.view.history.length === 0 ? (
        <p class="empty">No decision on this run yet.</p>
      ) : (
        <table class="list" data-testid="history">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>Decision</th>
              <th>Version</th>
              <th>Outcome</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {p.view.history.map((r) => (
              <tr>
                <td>{utc(r.at)}</td>
                <td>{r.approver}</td>
                <td>
                  {r.decision} via {r.via}
                </td>
                <td>v{r.version}</td>
                <td>
                  <span class={`badge ${r.outcome}`}>{r.outcome}</span> {r.ignoredReason ?? ''}
                </td>
                <td>{r.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Earlier decisions{p.view.date ? ` on ${p.view.date}` : ''}</h2>
      {earlier.length === 0 ? (
        <p class="empty">None recorded.</p>
      ) : (
        <table class="list" data-testid="earlier">
          <tbody>
            {earlier.map((r) => (
              <tr>
                <td>{utc(r.at.replace(' ', 'T') + 'Z')}</td>
                <td>{r.workflowId}</td>
                <td>v{r.version}</td>
                <td>{r.actor}</td>
                <td>{r.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
