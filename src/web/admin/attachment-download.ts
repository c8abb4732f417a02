// Owns answering with a file from a message: always a download (Content-Disposition: attachment),
// never rendered by the browser on our origin. Only a few plain types keep their own content type;
// everything else (HTML, SVG, scripts, unknown) goes as application/octet-stream, with nosniff and
// a sandboxing CSP in case a browser would still try to show it.
import type { Context } from 'hono';
import type { MailAttachment } from '../../core/types.js';

/** Types that a browser saves or shows without running anything. */
const KEPT_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'application/pdf', 'text/plain']);

/** The content type we send for a file that claims `type`. */
export function safeContentType(type: string): string {
  const base = type.split(';')[0]!.trim().toLowerCase();
  if (!KEPT_TYPES.has(base)) return 'application/octet-stream';
  return base === 'text/plain' ? 'text/plain; charset=utf-8' : base;
}

/** RFC 6266 filename: a plain ASCII fallback and the UTF-8 name (RFC 8187). */
export function dispositionFor(name: string): string {
  const clean = name.replace(/[\r\n"\\/]/g, '_').slice(0, 200) || 'file';
  const ascii = clean.replace(/[^\x20-\x7e]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(clean)}`;
}

export function safeDownload(c: Context, file: MailAttachment): Response {
  const body = Buffer.from(file.content.buffer, file.content.byteOffset, file.content.byteLength);
  return c.body(new Uint8Array(body), 200, {
    'content-type': safeContentType(file.contentType),
    'content-disposition': dispositionFor(file.filename ?? 'file'),
    'x-content-type-options': 'nosniff',
    'content-security-policy': "sandbox; default-src 'none'",
    'cache-control': 'private, no-store',
  });
}
