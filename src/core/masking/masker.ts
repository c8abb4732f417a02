// Owns the text and HTML masking every part shares: the writer's addresses and names become the
// alias, then (with content rules) other addresses and links outside the allow-list are removed
// and, buyer → seller, banned words masked. A text is read once (one fold, see fold.ts) and all
// of these are found on that reading and applied together (filters/reader-filters.ts); HTML is
// sanitised first and then read the same way, so what is judged is what the reader will see.
// Each call records what it changed, naming the part.
import { addressNeedles, maskHtml, maskText, writerSpans, type MaskReplacement, type MaskTarget } from '../body-scrub.js';
import { nameVariants } from './name-variants.js';
import { compileBannedWords } from '../filters/banned-words.js';
import type { ContentRules } from '../filters/content-rules.js';
import { sanitizeMailHtml } from '../filters/html-sanitize.js';
import { filterReading, type ReaderRules } from '../filters/reader-filters.js';
import type { Change } from '../types.js';
import { findAddresses, keptDomain } from './address-finder.js';
import { EMAIL_REMOVED } from '../filters/text-filters.js';
import { applySpans } from './spans.js';
import { latinLookAlikes, maySpell, maySpellFolded, spelledAddresses } from './spelled.js';
import { fold, type Folded } from './fold.js';
import { foldString } from './fold.js';

// Without one of these no reading of a value holds an @ (address-finder's MAY_HOLD_AT).
const MAY_HOLD_AT = /[@%&\uff20\ufe6b]/;
/** Whether a domain goes on at `k` (`anna@buyer.example.org` is not `anna@buyer.example`). */
const isDomainTail = (t: string, k: number): boolean => /^(?:[\p{L}\p{N}-]|\.[\p{L}\p{N}])/u.test(t.slice(k, k + 2));

export interface Masker {
  readonly text: (s: string, where: string) => string;
  readonly html: (s: string, where: string) => string;
  readonly namesWriter: (s: string) => boolean;
  /**
   * An identifier (a calendar UID) with each of the writer's addresses inside it, anywhere, as the
   * alias, and nothing else changed: the same identifier always gives the same result.
   */
  readonly identifier: (s: string, where: string) => string;
  /** True when the text holds an address outside the kept domains (any address without content rules). */
  readonly holdsAddress: (s: string) => boolean;
  /** The writer's addresses and full-name spellings, folded (see body-scrub addressNeedles). */
  readonly writerNeedles: readonly string[];
  readonly isAlias: (address: string) => boolean;
}

export interface MaskerOptions {
  readonly hide: MaskTarget;
  readonly repl: MaskReplacement;
  readonly alias: string;
  readonly content: ContentRules | undefined;
  /** Banned words are masked buyer → seller only (seller → buyer they refuse the message). */
  readonly maskBanned: boolean;
  readonly changes: Change[];
}

export function makeMasker(o: MaskerOptions): Masker {
  const { hide, repl, content, changes } = o;
  const banned = content && o.maskBanned ? compileBannedWords(content.bannedWords) : null;
  const add = (rule: string, detail: string, count: number) => {
    if (count) changes.push({ rule, detail, count });
  };
  const rules: ReaderRules | null = content
    ? { keepEmailDomains: content.keepEmailDomains, linkAllowList: content.linkAllowList, banned, maskLink: (l) => maskText(l, hide, repl).value }
    : null;
  const keep = content ? content.keepEmailDomains : null;
  const writerNeedles = [...new Set([...hide.addresses.flatMap(addressNeedles), ...(hide.fullNames ?? []).flatMap(nameVariants)])];
  // The writer's address with a bare `at` and its own dots (`anna.weber at buyer.example`): read
  // again when ` at ` stands before one of the writer's domains (native searches on the folded
  // reading, a regex on source text). Another's so written stays (`find us at shop.com` is prose).
  const writerDomains = [...new Set(hide.addresses.map((a) => foldString(a.slice(a.lastIndexOf('@') + 1))).filter((d) => d.includes('.')))];
  // Searched by the domain's tail from its first dot (`.example`): a dot is rare in prose, a blank
  // is not (` at buyer.example` as the pattern cost ~0.4 ms a MiB, this ~0.01).
  const atWriterFolded = (folded: string) => {
    const t = latinLookAlikes(folded);
    return writerDomains.some((d) => {
      const dot = d.indexOf('.');
      const tail = d.slice(dot);
      for (let i = t.indexOf(tail); i >= 0; i = t.indexOf(tail, i + 1)) if (t.startsWith(` at ${d}`, i - dot - 4)) return true;
      return false;
    });
  };
  const atWriterSource = writerDomains.length
    ? new RegExp(`(?:^|\\s)at\\s+(?:${writerDomains.map((d) => d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'i')
    : null;
  const atWriter = (s: string) => atWriterSource !== null && atWriterSource.test(latinLookAlikes(s));
  const spelled = (v: string, html: boolean, f?: Folded) => spelledAddresses(v, html, (g) => writerSpans(v, g, hide, repl, html), keep, EMAIL_REMOVED, f);
  // Addresses with their separators spelled out (`bob [at] shop [dot] com`) or, in a text part, a
  // comment inside (spelled.ts): read on the text as masked and filtered, so only those are left.
  const unspell = (v: string, html: boolean, where: string, f?: Folded): string => {
    if (!f && !maySpell(v) && !atWriter(v)) return v;
    return unspellRead(v, html, where, f);
  };
  const unspellRead = (v: string, html: boolean, where: string, f?: Folded): string => {
    const found = spelled(v, html, f);
    if (found.writer.length === 0 && found.others.length === 0) return v;
    const r = applySpans(v, [...found.writer.map((w) => ({ ...w, own: true })), ...found.others.map((o) => ({ ...o, own: false }))], html);
    const own = r.applied.filter((a) => a.own).length;
    add('mask.address', where, own);
    add('filter.email', `email addresses removed from the ${where}`, r.applied.length - own);
    return r.value;
  };
  // HTML is tested on its folded reading (what the reader sees): a spelled word or the writer's
  // domain written with entities, an invisible character or full-width brackets is found there,
  // not in the source; the reading serves the second reading when there is one.
  const unspellHtml = (v: string, where: string): string => {
    const f = fold(v, true);
    return maySpellFolded(f.text) || atWriterFolded(f.text) ? unspellRead(v, true, where, f) : v;
  };
  // A title or alt (shown on hover or instead of an image) or a link's target (shown on hover,
  // copied with the link: `mailto:bob(at)shop(dot)de`) with an address spelled out: the writer's
  // masked, another's removed, as in the text, before the link is judged; counted apart
  // (attrOthers) so that the sanitiser's count of the writer's stays the writer's.
  let attrOthers = 0;
  const attributeFilter = (v: string): { value: string; count: number } => {
    const r = maskText(v, hide, repl);
    if (!(maySpell(r.value) || atWriter(r.value))) return r;
    const found = spelled(r.value, false);
    if (found.writer.length === 0 && found.others.length === 0) return r;
    const a = applySpans(r.value, [...found.writer.map((w) => ({ ...w, own: true })), ...found.others.map((o) => ({ ...o, own: false }))], false);
    const own = a.applied.filter((x) => x.own).length;
    attrOthers += a.applied.length - own;
    return { value: a.value, count: r.count + a.applied.length };
  };
  const text = (s: string, where: string): string => {
    // The reading judged is the one the spelled test runs on: native searches, not a regex (the plain path's cost).
    const f = fold(s, false);
    const r = filterReading(s, false, rules, (g) => writerSpans(s, g, hide, repl, false), f);
    add('mask.address', where, r.counts.writer);
    add('filter.email', `email addresses removed from the ${where}`, r.counts.email);
    if (r.counts.link)
      changes.push({
        rule: 'filter.link',
        detail: `links outside the allow-list removed from the ${where}: ${[...new Set(r.hosts)].slice(0, 5).join(', ')}`,
        count: r.counts.link,
      });
    add('filter.banned-word', `banned words masked in the ${where}`, r.counts.banned);
    // The first reading serves again when the first pass changed nothing (most texts).
    return maySpellFolded(f.text) || atWriterFolded(f.text) ? unspell(r.value, false, where, r.value === s ? f : undefined) : r.value;
  };
  const html = (s: string, where: string): string => {
    if (!content) {
      const r = maskHtml(s, hide, repl);
      add('mask.address', where, r.count);
      return unspellHtml(r.value, where);
    }
    const s2 = sanitizeMailHtml(s, {
      keepEmailDomains: content.keepEmailDomains,
      linkAllowList: content.linkAllowList,
      stripImages: content.stripImages,
      banned,
      attributeFilter,
      writer: (out, f) => writerSpans(out, f, hide, repl, true),
      writerNeedles,
    });
    add('mask.address', where, s2.writerCount - attrOthers);
    add('filter.email', `email addresses removed from the ${where}`, attrOthers);
    attrOthers = 0;
    changes.push(...s2.changes.map((c) => (where === 'HTML part' ? c : { ...c, detail: c.detail.replace('the HTML part', `the ${where}`) })));
    return unspellHtml(s2.html, where);
  };
  const alias = foldString(o.alias);
  const writerAddresses = [...new Set(hide.addresses.flatMap(addressNeedles))];
  const identifier = (s: string, where: string): string => {
    if (writerAddresses.length === 0 || !MAY_HOLD_AT.test(s)) return s;
    // On the folded reading (`ANNA.Weber%40buyer.example` is hers), anywhere in the value: a UID
    // is not prose, so a local part may run on before hers (`20261201-4711-anna.weber@…`).
    const f = fold(s, false);
    const spans = writerAddresses.flatMap((needle) => {
      const found: { start: number; end: number; text: string }[] = [];
      for (let i = f.text.indexOf(needle); i >= 0; i = f.text.indexOf(needle, i + needle.length))
        if (!isDomainTail(f.text, i + needle.length)) found.push({ start: f.at(i), end: f.at(i + needle.length), text: repl.address });
      return found;
    });
    const r = applySpans(s, spans, false);
    add('mask.address', where, r.count);
    return r.value;
  };
  return {
    text,
    html,
    identifier,
    namesWriter: (s) => maskText(s, hide, repl).count > 0 || ((maySpell(s) || atWriter(s)) && spelled(s, false).writer.length > 0),
    holdsAddress: (s) =>
      findAddresses(s).some((a) => !keptDomain(a.domain, content?.keepEmailDomains ?? [])) ||
      (maySpell(s) && spelledAddresses(s, false, () => [], content?.keepEmailDomains ?? [], EMAIL_REMOVED).others.length > 0),
    writerNeedles,
    isAlias: (a) => foldString(a) === alias,
  };
}
