// Owns the linear-time text filters: email addresses other than the relay's, and links outside the
// allow-list. Each regex has bounded repetition and no nesting, so hostile input (100 000-character
// tokens, 10 000 dots) costs time proportional to its length.

export interface Redaction {
  readonly value: string;
  readonly count: number;
  /** What was removed (hosts for links, domains for addresses), for the change log. */
  readonly found: readonly string[];
}

// An address is up to 64 local-part characters, '@', and a domain. Matched outward from each '@'
// (indexOf, then a sticky regex for the domain) rather than by a regex tried at every position:
// that one backtracked over up to 64 characters at each of them, 64 steps per character of text.
const LOCAL_CHAR = /[^\s<>()[\]"'@,;:]/;
const DOMAIN = /[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,10}/y;
const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"'()[\]{}]{1,2048}/gi;
const TRAILING = /[.,;:!?]+$/;

export const EMAIL_REMOVED = '[email removed]';
export const LINK_REMOVED = '[link removed]';

/**
 * Replaces every address whose domain is not kept. Same matches as the regex
 * /[^\s<>()[\]"'@,;:]{1,64}@(domain)/g (leftmost, at most 64 local-part characters right before the
 * '@'), found in time linear in the text.
 */
export function redactEmails(text: string, keepDomains: readonly string[]): Redaction {
  const found: string[] = [];
  const out: string[] = [];
  let pos = 0; // end of the last match: a new one starts at or after it
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > pos && at - start < 64 && LOCAL_CHAR.test(text.charAt(start - 1))) start--;
    if (start === at) continue;
    DOMAIN.lastIndex = at + 1;
    const domain = DOMAIN.exec(text)?.[0];
    if (!domain) continue;
    const end = at + 1 + domain.length;
    const lower = domain.toLowerCase();
    if (!keepDomains.includes(lower)) {
      found.push(lower);
      out.push(text.slice(pos, start), EMAIL_REMOVED);
      pos = end;
    } else {
      out.push(text.slice(pos, end));
      pos = end;
    }
    at = end - 1;
  }
  if (pos === 0) return { value: text, count: 0, found };
  out.push(text.slice(pos));
  return { value: out.join(''), count: found.length, found };
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
