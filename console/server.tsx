import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { raw } from 'hono/html';
import { secureHeaders } from 'hono/secure-headers';
import type { Child } from 'hono/jsx';
import type { PartitionRow } from '../activities/console/overview';
import type { ObjectStore } from '../adapters/object-store/object-store';
import { assertObjectKey, assertObjectPrefix, ObjectNotFoundError } from '../adapters/object-store/object-store';
import { addDays } from '../lib/dates';
import type { ApprovalsClient } from './approvals';
import type { IdentityProvider } from './auth/identity';
import { csrfMatches, SESSION_COOKIE, type Session, type SessionStore } from './auth/sessions';
import { DecisionPage } from './pages/decision';
import { InboxPage } from './pages/inbox';
import { Layout } from './pages/layout';
import { gridRows, PartitionsPage } from './pages/partitions';
import { SignInPage } from './pages/sign-in';
import type { WarehouseReader } from './reader';

/**
 * The approvals console: Hono routes rendering hono/jsx pages (escaped by construction), no
 * client-side script. Every page but sign-in needs a session; every POST needs the session's
 * CSRF token and a same-origin request (hono/csrf checks Origin / Sec-Fetch-Site).
 */
export interface ConsoleDeps {
  approvals: ApprovalsClient;
  reader: WarehouseReader;
  store: ObjectStore;
  identity: IdentityProvider;
  sessions: SessionStore;
  /** Visibility look-ups for the grid's live states (running nightly runs, pending reviews). */
  client: Client;
  /** The task queue whose runs the console shows (validated by the config: letters, digits, . _ -). */
  taskQueue: string;
  namespace: string;
  temporalUiUrl?: string;
  /** https → Secure cookies. */
  secureCookies: boolean;
  /** One-line description of an unexpected error, secrets removed. */
  explain(err: unknown): string;
}

type Env = { Variables: { session: Session } };

const CSS = fs.readFileSync(path.join(__dirname, 'pages', 'console.css'), 'utf8');
/** Object-store prefixes the console serves: reports, drift charts, MMM outputs. */
export const SERVED_PREFIXES = ['reports/', 'ml/drift/', 'mmm/runs/'];
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  json: 'application/json',
  md: 'text/plain; charset=utf-8',
  csv: 'text/plain; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
};

export function createConsoleApp(deps: ConsoleDeps): Hono<Env> {
  const app = new Hono<Env>();
  const page = (c: Context<Env>, body: Child, status: 200 | 400 | 403 | 404 | 500 = 200) => {
    const s = c.get('session');
    const html = c.html(
      <>
        {raw('<!DOCTYPE html>')}
        {body}
      </>,
      status,
    );
    if (s) s.flash = undefined;
    return html;
  };
  const cookie = (c: Context<Env>, s: Session) =>
    setCookie(c, SESSION_COOKIE, s.id, { httpOnly: true, sameSite: 'Lax', secure: deps.secureCookies, path: '/', maxAge: deps.sessions.maxAgeSeconds });

  // Reports are our own files, still sandboxed: no script, nothing from elsewhere. (Registered
  // before secureHeaders so this policy is the one that stays on /reports/ responses.)
  app.use('/reports/*', async (c, next) => {
    await next();
    c.header('content-security-policy', "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox");
  });
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: 'same-origin',
    }),
  );
  app.use(csrf());
  // Session: every visitor gets one (the sign-in form needs a CSRF token too).
  app.use(async (c, next) => {
    let s = deps.sessions.get(getCookie(c, SESSION_COOKIE));
    if (!s) {
      s = deps.sessions.create();
      cookie(c, s);
    }
    c.set('session', s);
    if (c.req.method === 'POST') {
      const body = await c.req.parseBody();
      if (!csrfMatches(s, body.csrf))
        return page(c, <Layout title="Refused">The form expired or did not come from this console: reload the page and try again.</Layout>, 403);
    }
    await next();
  });
  app.get('/static/console.css', (c) => c.body(CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=300' }));
  app.get('/sign-in', (c) =>
    page(c, <SignInPage session={c.get('session')} next={safeNext(c.req.query('next'))} redirect={deps.identity.kind === 'redirect'} />),
  );
  app.post('/sign-in', async (c) => {
    const body = await c.req.parseBody();
    const next = safeNext(String(body.next ?? ''));
    if (deps.identity.kind === 'redirect') {
      const started = await deps.identity.start(callbackUrl(c));
      c.get('session').pending = { ...started.pending, next };
      return c.redirect(started.url, 303);
    }
    const who = await deps.identity.verify(String(body.name ?? ''), String(body.password ?? ''));
    if (!who) return page(c, <SignInPage session={c.get('session')} next={next} error="Wrong name or password." />, 403);
    cookie(c, deps.sessions.signIn(c.get('session'), who));
    return c.redirect(next, 303);
  });
  app.get('/auth/callback', async (c) => {
    const s = c.get('session');
    if (deps.identity.kind !== 'redirect' || !s.pending) return c.redirect('/sign-in', 303);
    const who = await deps.identity.finish(callbackUrl(c), c.req.query(), s.pending);
    if (!who) return page(c, <SignInPage session={s} next="/inbox" error="The identity provider did not sign you in." redirect />, 403);
    const next = safeNext(s.pending.next);
    cookie(c, deps.sessions.signIn(s, who));
    return c.redirect(next, 303);
  });

  // Everything below needs a signed-in approver.
  app.use(async (c, next) => {
    if (!c.get('session').identity) return c.redirect(`/sign-in?next=${encodeURIComponent(c.req.path)}`, 303);
    await next();
  });
  app.post('/sign-out', (c) => {
    deps.sessions.destroy(c.get('session').id);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/sign-in', 303);
  });
  app.get('/', (c) => c.redirect('/inbox', 303));
  app.get('/inbox', async (c) => page(c, <InboxPage session={c.get('session')} pending={await deps.approvals.listPending()} now={Date.now()} />));

  app.get('/decisions/:id', async (c) => {
    const view = await deps.approvals.describe(c.req.param('id'));
    if (!view) return page(c, <Layout title="Not found">No decision subject with this id.</Layout>, 404);
    let evidence: Awaited<ReturnType<WarehouseReader['evidence']>> = { history: [] };
    let evidenceError: string | undefined;
    try {
      evidence = await deps.reader.evidence(view);
    } catch (err) {
      evidenceError = `Sample rows and earlier decisions could not be read: ${deps.explain(err)}`;
    }
    return page(
      c,
      <DecisionPage
        session={c.get('session')}
        view={view}
        signing={deps.approvals.signingFor(c.get('session').identity!)}
        samples={evidence.samples}
        earlier={evidence.history}
        evidenceError={evidenceError}
        temporalUiUrl={deps.temporalUiUrl}
        namespace={deps.namespace}
        now={Date.now()}
      />,
    );
  });
  app.post('/decisions/:id/decide', async (c) => {
    const id = c.req.param('id');
    const body = await c.req.parseBody();
    const decision = String(body.decision ?? '');
    const version = Number(body.version);
    const reason = String(body.reason ?? '').trim();
    const subjectHash = typeof body.subject === 'string' && body.subject ? body.subject : undefined;
    const s = c.get('session');
    if (!['accept', 'reject', 'revise'].includes(decision) || !Number.isInteger(version)) {
      s.flash = { kind: 'error', text: 'Choose accept, reject or request revision.' };
    } else if (decision === 'revise' && !reason) {
      s.flash = { kind: 'error', text: 'Say what should change: a revision needs a reason.' };
    } else {
      const answer = await deps.approvals.decide(id, { decision: decision as 'accept' | 'reject' | 'revise', reason, version, subjectHash }, s.identity!);
      s.flash = { kind: answer.applied ? 'ok' : 'refused', text: answer.text };
    }
    return c.redirect(`/decisions/${encodeURIComponent(id)}`, 303);
  });

  app.get('/partitions', async (c) => {
    const s = c.get('session');
    const to = isDate(c.req.query('to')) ? c.req.query('to')! : await latestPartition(deps.client, deps.taskQueue);
    const from = isDate(c.req.query('from')) && c.req.query('from')! <= to ? c.req.query('from')! : addDays(to, -13);
    let rows: PartitionRow[] = [];
    let error: string | undefined;
    try {
      rows = await deps.reader.partitions(from, to);
    } catch (err) {
      error = `The partitions could not be read: ${deps.explain(err)}`;
    }
    const live = await liveStates(deps.client, deps.taskQueue, from, to);
    const grid = gridRows({ from, to }, rows, live, { temporalUiUrl: deps.temporalUiUrl, namespace: deps.namespace });
    return page(c, <PartitionsPage session={s} from={from} to={to} rows={grid} error={error} />);
  });

  app.get('/files', async (c) => {
    const prefix = c.req.query('prefix') ?? '';
    if (!served(prefix)) return page(c, <Layout title="Not found">The console serves reports, drift charts and MMM outputs only.</Layout>, 404);
    const objects = await deps.store.list(assertObjectPrefix(prefix));
    return page(
      c,
      <Layout title={prefix} session={c.get('session')}>
        <ul>
          {objects.map((o) => (
            <li>
              <a href={`/reports/${o.key}`}>{o.key.slice(prefix.length)}</a> <span class="sub">{o.size.toLocaleString('en-US')} bytes</span>
            </li>
          ))}
        </ul>
      </Layout>,
    );
  });
  app.get('/reports/*', async (c) => {
    const key = decodeURIComponent(c.req.path.slice('/reports/'.length));
    if (!served(key)) return page(c, <Layout title="Not found">The console serves reports, drift charts and MMM outputs only.</Layout>, 404);
    try {
      const body = await deps.store.get(assertObjectKey(key));
      const type = TYPES[key.split('.').pop()!.toLowerCase()] ?? 'application/octet-stream';
      return c.body(new Uint8Array(body), 200, { 'content-type': type, 'x-content-type-options': 'nosniff' });
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return page(c, <Layout title="Not found">{`No such report: ${key}`}</Layout>, 404);
      throw err;
    }
  });

  app.notFound((c) => page(c, <Layout title="Not found">Nothing here.</Layout>, 404));
  app.onError((err, c) => {
    // hono/csrf refuses a cross-origin form with an HTTPException(403).
    if (err instanceof HTTPException && err.status === 403)
      return page(c, <Layout title="Refused">This form did not come from this console: open the page here and try again.</Layout>, 403);
    return page(c, <Layout title="Something went wrong">{deps.explain(err)}</Layout>, 500);
  });
  return app;
}

const isDate = (s: string | undefined): s is string => !!s && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s));
const served = (key: string) => SERVED_PREFIXES.some((p) => key.startsWith(p)) && !key.includes('..');
/** Only local paths: `next` must not send a freshly signed-in user to another site. */
const safeNext = (next: string | undefined) => (next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/inbox');
const callbackUrl = (c: Context) => new URL('/auth/callback', c.req.url).toString();

async function latestPartition(client: Client, taskQueue: string): Promise<string> {
  let latest: string | undefined;
  for await (const wf of client.workflow.list({ query: `WorkflowType = 'NightlyPipeline' AND TaskQueue = '${taskQueue}'`, pageSize: 50 })) {
    const d = wf.searchAttributes?.PartitionDate?.[0] as string | undefined;
    if (d && (!latest || d > latest)) latest = d;
    if (latest) break;
  }
  return latest ?? new Date().toISOString().slice(0, 10);
}

/** Dates with a running nightly, and dates whose cleaning review awaits a decision (→ its workflow id). */
async function liveStates(client: Client, taskQueue: string, from: string, to: string) {
  const running = new Set<string>();
  const awaiting = new Map<string, string>();
  const inRange = `TaskQueue = '${taskQueue}' AND PartitionDate >= '${from}' AND PartitionDate <= '${to}'`;
  for await (const wf of client.workflow.list({ query: `WorkflowType = 'NightlyPipeline' AND ExecutionStatus = 'Running' AND ${inRange}` })) {
    const d = wf.searchAttributes?.PartitionDate?.[0] as string | undefined;
    if (d) running.add(d);
  }
  for await (const wf of client.workflow.list({
    query: `WorkflowType = 'CleaningReview' AND ExecutionStatus = 'Running' AND CleaningStatus = 'AwaitingApproval' AND ${inRange}`,
  })) {
    const d = wf.searchAttributes?.PartitionDate?.[0] as string | undefined;
    if (d) awaiting.set(d, wf.workflowId);
  }
  return { running, awaiting };
}
