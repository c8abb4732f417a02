// Owns what a PostgreSQL node answers for a page or an API route that still needs SQLite in this
// version: 503 with the error `not_available_on_postgres` and one sentence, never a silent run on a
// local SQLite file. The API answers JSON ({error, message}); an admin page asked for by a browser
// gets the sentence as text, which error-pages.tsx shows inside the admin's frame; any other client
// gets the JSON. The route groups that are served on PostgreSQL are the ones built from the storage
// ports (web/app.ts, web/admin/admin.ts); README "More than one machine" lists them.
import type { Context, Env, Hono } from 'hono';

/** The sentence every unported page and API route answers with. */
export const NOT_ON_POSTGRES =
  'not available on PostgreSQL in this version: this part of maskgate still needs SQLite (README, "More than one machine", lists what a PostgreSQL node serves)';

/** The API's answer: 503 `{ error: 'not_available_on_postgres', message }`. */
export function unportedJson(c: Context): Response {
  return c.json({ error: 'not_available_on_postgres', message: NOT_ON_POSTGRES }, 503);
}

/** An admin page's answer: the sentence as text to a browser (framed by error-pages.tsx), the JSON to anyone else. */
export function unportedPage(c: Context): Response {
  if ((c.req.header('accept') ?? '').includes('text/html') || c.req.header('hx-request')) return c.text(NOT_ON_POSTGRES, 503);
  return unportedJson(c);
}

/** Answers every path under each prefix (the prefix itself and below it; '/' alone is the root only) with unportedPage. */
export function unportedPaths<E extends Env>(app: Hono<E>, prefixes: readonly string[]): void {
  for (const p of prefixes) {
    app.all(p, unportedPage);
    if (p !== '/') app.all(`${p}/*`, unportedPage);
  }
}
