// A logged-in admin user over plain HTTP (no browser): keeps the session cookie, reads the page's
// CSRF token, and posts forms the way the admin's own forms do.
export interface AdminClient {
  readonly csrf: string;
  /** The session cookie (`mg_session=…`), for requests the helper does not make (multipart uploads). */
  readonly cookie: string;
  get(path: string): Promise<Response>;
  post(path: string, form: Record<string, string>): Promise<Response>;
}

/** The login form posted as the login page posts it, with `headers` added (Origin, X-Forwarded-For …); the answer unread (303 and a session cookie on success). */
export function postLogin(base: string, email: string, password: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ email, password }).toString(),
  });
}

/** Logs in and reads the CSRF token from `csrfPage` (any page in the admin's frame; /inbox unless told). */
export async function adminLogin(base: string, email: string, password: string, csrfPage = '/inbox'): Promise<AdminClient> {
  const r = await postLogin(base, email, password);
  if (r.status !== 303) throw new Error(`login as ${email} failed: ${r.status}`);
  const cookie = /mg_session=[^;]+/.exec(r.headers.getSetCookie().join('\n'))![0];
  const get = (path: string) => fetch(`${base}${path}`, { redirect: 'manual', headers: { cookie } });
  const page = await (await get(csrfPage)).text();
  const csrf = /X-CSRF-Token&quot;:&quot;([^&]+)&quot;|"X-CSRF-Token":"([^"]+)"/.exec(page);
  const token = csrf?.[1] ?? csrf?.[2] ?? '';
  if (!token) throw new Error(`no CSRF token on ${csrfPage}`);
  return {
    csrf: token,
    cookie,
    get,
    post: (path, form) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: token, ...form }).toString(),
      }),
  };
}
