// Owns the content filters over the text a reader sees, in one pass: one folded reading
// (masking/fold.ts) of a text or of sanitised HTML, on which other people's addresses, links
// outside the allow-list (or giving an address away) and banned words are found, together with any
// spans the caller adds (the writer's own addresses and names, masking/masker.ts), and all applied
// to the source at once. One fold and one rebuild of the text, however many filters there are.
import { findAddressesIn, findReversedAddressesIn, keptDomain, mayShowReversed } from '../masking/address-finder.js';
import { fold, type Folded } from '../masking/fold.js';
import { linkGivesAway } from '../masking/link-identity.js';
import { applySpans, type Span } from '../masking/spans.js';
import { bannedSpans, type BannedMatcher } from './banned-words.js';
import { EMAIL_REMOVED, hostAllowed, linkSpansIn } from './text-filters.js';

export interface ReaderRules {
  /** Addresses on these domains (ours) are kept. */
  readonly keepEmailDomains: readonly string[];
  readonly linkAllowList: readonly string[];
  /** Banned words to mask; null: none are masked. */
  readonly banned: BannedMatcher | null;
  /** A link as it will be delivered (the writer's own address in it masked), before it is judged. */
  readonly maskLink?: (link: string) => string;
}

export type FilterKind = 'writer' | 'email' | 'link' | 'banned';

interface KindSpan extends Span {
  readonly kind: FilterKind;
  /** The host of a link, the domain of an address, the entry of a banned word. */
  readonly what: string;
}

export interface Filtered {
  readonly value: string;
  /** Spans applied, by kind. */
  readonly counts: Readonly<Record<FilterKind, number>>;
  /** Hosts of removed links, in order. */
  readonly hosts: readonly string[];
}

/**
 * Filters `src` (HTML when `html`: tags inside a replaced span are kept) on one folded reading.
 * `writer` adds spans found on the same reading; they win over a filter's span at the same place
 * (the writer's address becomes the alias, not `[email removed]`), and a removed link wins over
 * everything inside it.
 */
export function filterReading(src: string, html: boolean, rules: ReaderRules | null, writer?: (f: Folded) => Span[], f: Folded = fold(src, html)): Filtered {
  const spans: KindSpan[] = [];
  if (writer) for (const s of writer(f)) spans.push({ ...s, kind: 'writer', what: '' });
  if (rules) {
    for (const a of mayShowReversed(src, html) ? [...findAddressesIn(f), ...findReversedAddressesIn(f)] : findAddressesIn(f)) {
      if (!keptDomain(a.domain, rules.keepEmailDomains)) spans.push({ start: a.start, end: a.end, text: EMAIL_REMOVED, kind: 'email', what: a.domain });
    }
    for (const l of linkSpansIn(src, f, html)) {
      const delivered = rules.maskLink ? rules.maskLink(l.link) : l.link;
      if (hostAllowed(l.host, rules.linkAllowList) && !linkGivesAway(delivered, rules.keepEmailDomains)) continue;
      spans.push({ start: l.start, end: l.end, text: l.text, kind: 'link', what: l.host });
    }
    if (rules.banned) for (const b of bannedSpans(f, rules.banned)) spans.push({ start: b.start, end: b.end, text: b.text, kind: 'banned', what: b.entry });
  }
  const counts = { writer: 0, email: 0, link: 0, banned: 0 };
  if (spans.length === 0) return { value: src, counts, hosts: [] };
  const r = applySpans(src, spans, html);
  const hosts: string[] = [];
  for (const s of r.applied) {
    counts[s.kind]++;
    if (s.kind === 'link') hosts.push(s.what);
  }
  return { value: r.value, counts, hosts };
}
