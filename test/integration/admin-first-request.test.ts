// The admin loads on its first request, not when the gateway starts (web/app.ts lazyAdmin: at rest
// a gateway keeps its pages, views and their libraries out of memory). What a person sees must not
// change: the very first requests, many at once, all get their page; a staff member logs in and
// reads a page; the API and its OpenAPI document still answer as JSON, never as an admin page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postLogin } from '../helpers/admin-client.js';
import { OWNER, startWithOwner } from '../helpers/admin-harness.js';
import type { Harness } from '../helpers/gateway.js';

describe('the admin on its first requests', { timeout: 120_000 }, () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    ({ h, base } = await startWithOwner());
  }, 120_000);
  afterAll(() => h.close());

  it('answers ten requests sent at once, before anyone opened it, each with its own page', async () => {
    const paths = ['/login', '/login', '/login', '/login', '/login', '/', '/stores', '/assets/htmx.min.js', '/no-such-page', '/login?next=/stores'];
    const answers = await Promise.all(paths.map((p) => fetch(base + p, { redirect: 'manual' })));
    for (const [i, r] of answers.entries()) {
      const path = paths[i] as string;
      if (path.startsWith('/login')) {
        expect(r.status, path).toBe(200);
        const html = await r.text();
        expect(html).toMatch(/<form[^>]+method="post"/i);
        expect(html).toMatch(/name="password"/);
        expect(r.headers.get('content-security-policy')).toBeTruthy();
      } else if (path.startsWith('/assets/')) {
        expect(r.status, path).toBe(200);
        expect(r.headers.get('content-type')).toMatch(/javascript/);
      } else {
        // Behind the login: sent to it, as before.
        expect(r.status, path).toBe(303);
        expect(r.headers.get('location')).toMatch(/^\/login/);
      }
    }
  });

  it('lets a staff member log in and read a page', async () => {
    const login = await postLogin(base, OWNER.email, OWNER.password, { origin: base });
    expect(login.status).toBe(303);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(cookie).toMatch(/^mg_session=/);
    const page = await fetch(`${base}/stores`, { headers: { cookie }, redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/Stores/);
  });

  it('keeps answering the API as JSON: an unknown API path, a wrong token, the OpenAPI document', async () => {
    const unknown = await h.api('GET', '/api/v1/no-such-route');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'NOT_FOUND' });
    const refused = await h.api('GET', '/api/v1/stores', undefined, 'wrong-token-0123456789abcdefghij');
    expect(refused.status).toBe(401);
    const doc = await fetch(`${base}/api/v1/openapi.json`);
    expect(doc.status).toBe(200);
    expect(await doc.json()).toMatchObject({ openapi: expect.stringMatching(/^3\.1/) });
  });
});
