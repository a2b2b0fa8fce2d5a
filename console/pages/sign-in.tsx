import type { Session } from '../auth/sessions';
import { CsrfField, Layout } from './layout';

export function SignInPage(p: { session: Session; next: string; error?: string; redirect?: boolean }) {
  return (
    <Layout title="Sign in" session={p.session}>
      {p.error && (
        <p class="flash error" role="alert">
          {p.error}
        </p>
      )}
      <form class="card narrow" method="post" action="/sign-in">
        <CsrfField session={p.session} />
        <input type="hidden" name="next" value={p.next} />
        {p.redirect ? (
          <p>Sign in with your organisation's identity provider.</p>
        ) : (
          <>
            <label>
              Name
              <input name="name" autocomplete="username" required autofocus />
            </label>
            <label>
              Password
              <input name="password" type="password" autocomplete="current-password" required />
            </label>
          </>
        )}
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  );
}
