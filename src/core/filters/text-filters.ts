// Owns the linear-time text filters: email addresses other than the relay's, and links outside the
// allow-list. Each regex has bounded repetition and no nesting, so hostile input (100 000-character
// tokens, 10 000 dots) costs time proportional to its length.
import { findAddresses, keptDomain } from '../masking/address-finder.js';
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

export function hostAllowed(host: string, allowList: readonly string[]): boolean {
  return allowList.some((d) => host === d || host.endsWith(`.${d}`));
}

export function findLinks(text: string): string[] {
  return [...text.matchAll(URL_RE)].map((m) => m[0].replace(TRAILING, ''));
}

/**
 * Removes links outside the allow-list, and any link for which `givesAway` says yes (a tracking
 * parameter carrying an address, also on allow-listed hosts).
 */
export function redactLinks(text: string, allowList: readonly string[], givesAway?: (link: string) => boolean): Redaction {
  const found: string[] = [];
  const value = text.replace(URL_RE, (match) => {
    const link = match.replace(TRAILING, '');
    const tail = match.slice(link.length);
    const host = linkHost(link);
    if (hostAllowed(host, allowList) && !givesAway?.(link)) return match;
    found.push(host);
    return LINK_REMOVED + tail;
  });
  return { value, count: found.length, found };
}
