/**
 * Who is signed in, and the one interface every way of signing in implements. The console
 * ships the local-accounts provider (scrypt-hashed passwords in a file); an OIDC provider
 * (Google, Okta, Entra ID, Keycloak…) implements the redirect flow with any OIDC client
 * library: `start` returns the authorization URL (with state, nonce and PKCE it keeps in the
 * pending sign-in), `finish` exchanges the code on /auth/callback and maps the ID token's claims
 * to an Identity. The rest of the console (sessions, CSRF, decisions) only sees Identity.
 */
export interface Identity {
  /** The approver name decisions carry (DAG_APPROVERS lists these names). */
  name: string;
  /** Stable id at the provider: `local:alice`, or an OIDC issuer + subject. */
  subject: string;
  provider: string;
}

/** Sign-in with a form the console renders (name + password). */
export interface PasswordProvider {
  readonly kind: 'password';
  readonly id: string;
  /** The identity, or null for an unknown name or a wrong password (callers cannot tell which). */
  verify(name: string, password: string): Promise<Identity | null>;
}

/** Sign-in at an identity provider that redirects back (OIDC authorization-code flow). */
export interface RedirectProvider {
  readonly kind: 'redirect';
  readonly id: string;
  /** Where to send the browser; `pending` is kept in the pre-sign-in session and handed to finish. */
  start(callbackUrl: string): Promise<{ url: string; pending: Record<string, string> }>;
  /** The identity from the callback's query (code, state…), or null when the provider refused. */
  finish(callbackUrl: string, query: Record<string, string>, pending: Record<string, string>): Promise<Identity | null>;
}

export type IdentityProvider = PasswordProvider | RedirectProvider;
