// Owns serving a message's HTML part for a sandboxed iframe: parsed from the delivered bytes,
// sanitised again (no scripts, images, forms or remote loads) and sent under its own CSP.
import type { Context } from 'hono';
import sanitizeHtml from 'sanitize-html';

export async function sandboxedHtml(c: Context, raw: Buffer | null): Promise<Response> {
  const mail = raw ? await (await import('../../relay/parse.js')).parseMail(raw, 5000).catch(() => null) : null;
  const html = sanitizeHtml(mail?.html ?? '', {
    allowedTags: sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'img'),
    allowedAttributes: { a: ['href'], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'] },
    allowedSchemes: ['http', 'https', 'mailto'],
  });
  c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'");
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('X-Frame-Options', 'SAMEORIGIN');
  return c.html(`<!doctype html><meta charset="utf-8">${html}`);
}
