import type { PendingApproval } from '../approvals';
import type { Session } from '../auth/sessions';
import { age, timeLeft } from './format';
import { Layout } from './layout';

const KIND = { 'cleaning-plan': 'cleaning plan', 'persona-model': 'persona model' };
const at = (iso: string | null) => (iso ? new Date(iso) : undefined);

export function InboxPage(p: { session: Session; pending: PendingApproval[]; now: number }) {
  return (
    <Layout title="Awaiting a decision" session={p.session}>
      {p.pending.length === 0 ? (
        <p class="empty">Nothing awaits a decision.</p>
      ) : (
        <table class="list" data-testid="inbox">
          <thead>
            <tr>
              <th>Subject</th>
              <th>Kind</th>
              <th>Partition</th>
              <th>Failing checks</th>
              <th>Waiting</th>
              <th>Automatic rejection in</th>
              <th>Requested by</th>
            </tr>
          </thead>
          <tbody>
            {p.pending.map((v) => (
              <tr>
                <td>
                  <a href={`/decisions/${encodeURIComponent(v.workflowId)}`}>{v.title}</a>
                  <div class="sub">{v.workflowId}</div>
                </td>
                <td>{KIND[v.subjectKind]}</td>
                <td>{v.date ?? '—'}</td>
                <td>{v.failedChecks.join(', ') || '—'}</td>
                <td>{age(at(v.requestedAt), p.now)}</td>
                <td>{timeLeft(at(v.deadline), p.now)}</td>
                <td>{v.requester}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
