// Owns the admin's last line of defence for masking: every HTML page and fragment the admin sends
// passes through redactAddresses (core/redact-addresses.ts, the finder masking uses) before it
// leaves, so a text that came from outside — a display name, a delivery error, a bounce diagnostic,
// an outbox row — cannot show a real address even when the code that stored or rendered it forgot
// to mask it. Addresses that are ours to show are kept: the relay domains' (aliases), staff
// accounts, store mailboxes and their pending replacements, permitted senders, and category rules
// the owner typed (read through the admin port), an address the user typed as a whole field of the form this request sent
// (a refused form is shown again as typed), and the examples on a page of documentation (on domains
// reserved for examples). Everything else keeps only its domain.
import type { HonoRequest, MiddlewareHandler } from 'hono';
import { redactAddresses } from '../../core/redact-addresses.js';
import type { AdminStore } from '../../store/ports.js';
import type { AdminEnv } from './session.js';

// A kept address must stand alone: not the tail of a longer local part ("x.support@…") nor the
// head of a longer domain ("…@acme.example.evil").
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const BEFORE = "(?<![A-Za-z0-9.!#$%&'*+/=?^_`{|}~\\-\\u{80}-\\u{10FFFF}])";
const AFTER = '(?![A-Za-z0-9\\-]|\\.[A-Za-z0-9])';

// The pattern of the kept addresses, made again only when the list changes (it rarely does): with
// 60 addresses, building it cost a fifth of the scrub of a 60 KiB page (bench/inbox-bench.ts).
let keptPattern: { key: string; pattern: RegExp } | null = null;
function patternOf(list: readonly string[]): RegExp {
  const key = list.join('\n');
  if (keptPattern?.key !== key) keptPattern = { key, pattern: new RegExp(`${BEFORE}(?:${list.map(escape).join('|')})${AFTER}`, 'giu') };
  return keptPattern.pattern;
}

/** Redacts every address in `text` outside `keepDomains` except the exact addresses in `keep` (case-insensitive). */
export function scrubForDisplay(text: string, keepDomains: readonly string[], keep: readonly string[]): string {
  if (!text.includes('@')) return text;
  const kept: string[] = [];
  let protectedText = text.replace(/\u0000/g, '\uFFFD');
  const list = keep.filter((a) => a.includes('@'));
  if (list.length) {
    const pattern = patternOf(list);
    // The placeholder has no "@", so the finder passes over it; it is put back afterwards.
    protectedText = protectedText.replace(pattern, (m) => `\u0000${kept.push(m) - 1}\u0000`);
  }
  const scrubbed = redactAddresses(protectedText, keepDomains);
  return kept.length ? scrubbed.replace(/\u0000(\d+)\u0000/g, (_, i: string) => kept[Number(i)] as string) : scrubbed;
}

/**
 * The addresses the user typed into this request's form, each a whole field ("hello@second.example"
 * in a store's Mailbox): a form refused by the server is shown again with what was typed, and
 * showing someone the address they just typed tells them nothing. Only a form the route has read
 * is looked at, and an address inside a longer text (a reply's body) is not kept.
 */
async function typedAddresses(req: HonoRequest): Promise<string[]> {
  if (req.method === 'GET' || req.method === 'HEAD' || !req.bodyCache.formData) return [];
  const form = await req.parseBody({ all: true }).catch(() => ({}));
  return Object.values(form)
    .flat()
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.trim())
    .filter((v) => /^[^\s@<>"]+@[^\s@<>"]+$/u.test(v));
}

/**
 * Of the addresses a page of documentation set (the API reference's examples), those on a domain
 * reserved for documentation (RFC 2606 §3: example.com, .net, .org; RFC 2606 §2: the TLD .example),
 * which no one can have: an example cannot be a buyer's address, and one that is not on such a
 * domain is scrubbed like any other.
 */
function documented(list: readonly string[] | undefined): string[] {
  return (list ?? []).filter((a) => /@(?:[^@\s]+\.)?(?:example|example\.(?:com|net|org))$/iu.test(a));
}

/** Scrubs every text/html response of the routes behind it; the kept addresses are read through the admin port (admin-sql.ts KEPT_ADDRESSES). */
export function displayScrub(admin: Pick<AdminStore, 'keptAddresses'>, relayDomains: readonly string[]): MiddlewareHandler<AdminEnv> {
  const ours = () => admin.keptAddresses();
  return async (c, next) => {
    // Ours before the request too: a page saying "typo@… was removed" names a sender gone since.
    const before = c.req.method === 'GET' ? [] : await ours();
    await next();
    if (!(c.res.headers.get('content-type') ?? '').startsWith('text/html')) return;
    const html = await c.res.text();
    const keep = [...new Set([...before, ...(await ours()), ...(await typedAddresses(c.req)), ...documented(c.get('documentedAddresses'))])];
    const headers = new Headers(c.res.headers);
    headers.delete('content-length');
    c.res = new Response(scrubForDisplay(html, relayDomains, keep), { status: c.res.status, headers });
  };
}
