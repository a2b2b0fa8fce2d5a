import type { Child } from 'hono/jsx';
import type { Session } from '../auth/sessions';

/** Every page: header with the navigation and the signed-in approver, the flash answer, the content. No script anywhere. */
export function Layout(p: { title: string; session?: Session; children?: Child }) {
  const flash = p.session?.flash;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{p.title} · marketing-dag console</title>
        <link rel="stylesheet" href="/static/console.css" />
      </head>
      <body>
        <header>
          <a class="brand" href="/inbox">
            marketing-dag
          </a>
          {p.session?.identity && (
            <nav>
              <a href="/inbox">Inbox</a>
              <a href="/partitions">Partitions</a>
            </nav>
          )}
          {p.session?.identity && (
            <form class="signout" method="post" action="/sign-out">
              <input type="hidden" name="csrf" value={p.session.csrf} />
              <span class="who">{p.session.identity.name}</span>
              <button type="submit">Sign out</button>
            </form>
          )}
        </header>
        <main>
          <h1>{p.title}</h1>
          {flash && (
            <p class={`flash ${flash.kind}`} role="status" data-testid="answer">
              {flash.text}
            </p>
          )}
          {p.children}
        </main>
      </body>
    </html>
  );
}

export function CsrfField(p: { session: Session }) {
  return <input type="hidden" name="csrf" value={p.session.csrf} />;
}
