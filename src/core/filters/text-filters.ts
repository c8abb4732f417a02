// Owns the linear-time text filters: email addresses other than the relay's, and links outside the
// allow-list. Both judge the text a reader sees (masking/fold.ts: entities decoded, tags read as
// nothing in HTML, zero-width characters and soft hyphens gone, NFKC), so a link split by a tag,
// an entity or an invisible character is still a link. Each regex has bounded repetition and no
// nesting, so hostile input (100 000-character tokens, 10 000 dots) costs time proportional to its
// length.
import { findAddresses, keptDomain } from '../masking/address-finder.js';
import { fold, type Folded } from '../masking/fold.js';
import { applySpans, type Span } from '../masking/spans.js';

export interface Redaction {
  readonly value: string;
  readonly count: number;
  /** What was removed (hosts for links, domains for addresses), for the change log. */
  readonly found: readonly string[];
}

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"'()[\]{}]{1,2048}/gi;
const TRAILING = /[.,;:!?]+$/;

export const EMAIL_REMOVED = '[email removed]';
export const LINK_REMOVED = '[link removed]';

/**
 * Removes every address outside `keepDomains`, found by masking's address finder (any script,
 * entities, percent-escapes). `html`: the source is HTML (tags read as nothing and kept).
 */
export function redactEmails(text: string, keepDomains: readonly string[], html = false): Redaction {
  const found: string[] = [];
  const spans: Span[] = [];
  for (const a of findAddresses(text, html)) {
    if (keptDomain(a.domain, keepDomains)) continue;
    found.push(a.domain);
    spans.push({ start: a.start, end: a.end, text: EMAIL_REMOVED });
  }
  if (spans.length === 0) return { value: text, count: 0, found };
  return { value: applySpans(text, spans, html).value, count: found.length, found };
}

/** The host of a link as written (scheme optional), lowercased; '' when there is none. */
export function linkHost(link: string): string {
  const rest = link.replace(/^https?:\/\//i, '');
  const end = rest.search(/[/?#:\\]/);
  const hostPart = (end < 0 ? rest : rest.slice(0, end)).replace(/^[^@]*@/, '');
  return hostPart.replace(TRAILING, '').toLowerCase();
}

/** A host in the form a browser looks up: IDNA (punycode), lowercase; as given when it is none. */
function asciiHost(host: string): string {
  if (/^[a-z0-9.-]*$/.test(host)) return host;
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return host;
  }
}

/** True when the host (Unicode or punycode) is an allow-listed domain or one of its subdomains. */
export function hostAllowed(host: string, allowList: readonly string[]): boolean {
  const h = asciiHost(host.toLowerCase());
  if (h === '') return false;
  return allowList.some((entry) => {
    const d = asciiHost(entry.toLowerCase());
    return h === d || h.endsWith(`.${d}`);
  });
}

export interface LinkSpan extends Span {
  /** The link as a reader sees it (case and accents kept). */
  readonly link: string;
  readonly host: string;
}

/**
 * Links a reader sees in a folded reading (see fold.ts): found on the folded text (so a tag, an
 * entity or an invisible character inside does not hide one), read back from the source as the
 * reader sees it (case and accents kept: `shöp.example` is not `shop.example`).
 */
export function linkSpansIn(src: string, f: Folded, html: boolean): LinkSpan[] {
  const out: LinkSpan[] = [];
  for (const m of f.text.matchAll(URL_RE)) {
    const folded = m[0].replace(TRAILING, '');
    const start = f.at(m.index);
    const end = f.at(m.index + folded.length);
    const link = fold(src.slice(start, end), html, true).text;
    out.push({ start, end, text: LINK_REMOVED, link, host: linkHost(link) });
  }
  return out;
}

/** Links in text (HTML when `html`), as a reader sees them. */
export function findLinks(text: string, html = false): string[] {
  return linkSpansIn(text, fold(text, html), html).map((s) => s.link);
}

/**
 * Removes links outside the allow-list, and any link for which `givesAway` says yes (a tracking
 * parameter carrying an address, also on allow-listed hosts). `html`: the source is HTML (tags
 * inside a removed link are kept, so the markup stays balanced).
 */
export function redactLinks(text: string, allowList: readonly string[], givesAway?: (link: string) => boolean, html = false): Redaction {
  const spans = linkSpansIn(text, fold(text, html), html).filter((s) => !hostAllowed(s.host, allowList) || (givesAway?.(s.link) ?? false));
  if (spans.length === 0) return { value: text, count: 0, found: [] };
  const r = applySpans(text, spans, html);
  return { value: r.value, count: r.count, found: r.applied.map((s) => s.host) };
}
