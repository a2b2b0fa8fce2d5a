import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Identity } from './identity';

/**
 * Server-side sessions: the cookie holds only a random 256-bit id (HttpOnly, SameSite=Lax,
 * Secure behind https); the identity, the CSRF token and a one-shot flash message live here, in
 * memory — a console restart signs everyone out, which is the safe direction. Sessions expire
 * after `maxAgeMs` from sign-in; the id changes at sign-in (no session fixation).
 */
export interface Session {
  id: string;
  csrf: string;
  identity?: Identity;
  /** A redirect sign-in in progress (state, nonce, PKCE verifier). */
  pending?: Record<string, string>;
  flash?: { kind: 'ok' | 'refused' | 'error'; text: string };
  expiresAt: number;
}

export const SESSION_COOKIE = 'dag_console_session';

const token = () => randomBytes(32).toString('base64url');

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly maxAgeMs: number) {}

  create(identity?: Identity): Session {
    this.sweep();
    const s: Session = { id: token(), csrf: token(), identity, expiresAt: Date.now() + this.maxAgeMs };
    this.sessions.set(s.id, s);
    return s;
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (s && s.expiresAt <= Date.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return s;
  }

  /** Replaces the pre-sign-in session with a new one for `identity`. */
  signIn(previous: Session | undefined, identity: Identity): Session {
    if (previous) this.sessions.delete(previous.id);
    return this.create(identity);
  }

  destroy(id: string): void {
    this.sessions.delete(id);
  }

  get maxAgeSeconds(): number {
    return Math.floor(this.maxAgeMs / 1000);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
  }
}

/** Constant-time comparison of a submitted CSRF token with the session's. */
export function csrfMatches(session: Session | undefined, submitted: unknown): boolean {
  if (!session || typeof submitted !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}
