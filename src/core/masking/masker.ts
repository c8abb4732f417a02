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
import { foldString } from './fold.js';

export interface Masker {
  readonly text: (s: string, where: string) => string;
  readonly html: (s: string, where: string) => string;
  readonly namesWriter: (s: string) => boolean;
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
  const text = (s: string, where: string): string => {
    const r = filterReading(s, false, rules, (f) => writerSpans(s, f, hide, repl, false));
    add('mask.address', where, r.counts.writer);
    add('filter.email', `email addresses removed from the ${where}`, r.counts.email);
    if (r.counts.link)
      changes.push({
        rule: 'filter.link',
        detail: `links outside the allow-list removed from the ${where}: ${[...new Set(r.hosts)].slice(0, 5).join(', ')}`,
        count: r.counts.link,
      });
    add('filter.banned-word', `banned words masked in the ${where}`, r.counts.banned);
    return r.value;
  };
  const html = (s: string, where: string): string => {
    if (!content) {
      const r = maskHtml(s, hide, repl);
      add('mask.address', where, r.count);
      return r.value;
    }
    const s2 = sanitizeMailHtml(s, {
      keepEmailDomains: content.keepEmailDomains,
      linkAllowList: content.linkAllowList,
      stripImages: content.stripImages,
      banned,
      attributeFilter: (v) => maskText(v, hide, repl),
      writer: (out, f) => writerSpans(out, f, hide, repl, true),
    });
    add('mask.address', where, s2.writerCount);
    changes.push(...s2.changes.map((c) => (where === 'HTML part' ? c : { ...c, detail: c.detail.replace('the HTML part', `the ${where}`) })));
    return s2.html;
  };
  const alias = foldString(o.alias);
  return {
    text,
    html,
    namesWriter: (s) => maskText(s, hide, repl).count > 0,
    holdsAddress: (s) => findAddresses(s).some((a) => !keptDomain(a.domain, content?.keepEmailDomains ?? [])),
    writerNeedles: [...new Set([...hide.addresses.flatMap(addressNeedles), ...(hide.fullNames ?? []).flatMap(nameVariants)])],
    isAlias: (a) => foldString(a) === alias,
  };
}
