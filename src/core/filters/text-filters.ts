// Owns the linear-time text filters: email addresses other than the relay's, and links outside the
// allow-list. Each regex has bounded repetition and no nesting, so hostile input (100 000-character
// tokens, 10 000 dots) costs time proportional to its length.

export interface Redaction {
  readonly value: string;
  readonly count: number;
  /** What was removed (hosts for links, domains for addresses), for the change log. */
  readonly found: readonly string[];
}

const EMAIL = /[^\s<>()[\]"'@,;:]{1,64}@([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,10})/g;
const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"'()[\]{}]{1,2048}/gi;
const TRAILING = /[.,;:!?]+$/;

export const EMAIL_REMOVED = '[email removed]';
export const LINK_REMOVED = '[link removed]';

export function redactEmails(text: string, keepDomains: readonly string[]): Redaction {
  const found: string[] = [];
  const value = text.replace(EMAIL, (match, domain: string) => {
    if (keepDomains.includes(domain.toLowerCase())) return match;
    found.push(domain.toLowerCase());
    return EMAIL_REMOVED;
  });
  return { value, count: found.length, found };
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

export function redactLinks(text: string, allowList: readonly string[]): Redaction {
  const found: string[] = [];
  const value = text.replace(URL_RE, (match) => {
    const link = match.replace(TRAILING, '');
    const tail = match.slice(link.length);
    const host = linkHost(link);
    if (hostAllowed(host, allowList)) return match;
    found.push(host);
    return LINK_REMOVED + tail;
  });
  return { value, count: found.length, found };
}
