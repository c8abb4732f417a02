// Owns the text and HTML masking every part shares: the writer's addresses and names become the
// alias, then (with content rules) other addresses and links outside the allow-list are removed
// and, buyer → seller, banned words masked. Each call records what it changed, naming the part.
import { addressNeedles, maskHtml, maskText, type MaskReplacement, type MaskTarget } from '../body-scrub.js';
import { nameVariants } from './name-variants.js';
import { compileBannedWords, maskBannedWords } from '../filters/banned-words.js';
import type { ContentRules } from '../filters/content-rules.js';
import { sanitizeMailHtml } from '../filters/html-sanitize.js';
import { redactEmails, redactLinks } from '../filters/text-filters.js';
import type { Change } from '../types.js';
import { foldString } from './fold.js';
import { linkGivesAway } from './link-identity.js';

export interface Masker {
  readonly text: (s: string, where: string) => string;
  readonly html: (s: string, where: string) => string;
  readonly namesWriter: (s: string) => boolean;
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
  const filter = (value: string, where: string): string => {
    if (!content) return value;
    const e = redactEmails(value, content.keepEmailDomains);
    const l = redactLinks(e.value, content.linkAllowList, (link) => linkGivesAway(link, content.keepEmailDomains));
    add('filter.email', `email addresses removed from the ${where}`, e.count);
    if (l.count)
      changes.push({
        rule: 'filter.link',
        detail: `links outside the allow-list removed from the ${where}: ${[...new Set(l.found)].slice(0, 5).join(', ')}`,
        count: l.count,
      });
    if (!banned) return l.value;
    const b = maskBannedWords(l.value, banned);
    add('filter.banned-word', `banned words masked in the ${where}`, b.count);
    return b.value;
  };
  const text = (s: string, where: string): string => {
    const r = maskText(s, hide, repl);
    add('mask.address', where, r.count);
    return filter(r.value, where);
  };
  const html = (s: string, where: string): string => {
    const r = maskHtml(s, hide, repl);
    add('mask.address', where, r.count);
    if (!content) return r.value;
    // Addresses a reader sees across tags, entities and comments, before the sanitiser splits text.
    const e = redactEmails(r.value, content.keepEmailDomains, true);
    add('filter.email', `email addresses removed from the ${where}`, e.count);
    const s2 = sanitizeMailHtml(e.value, {
      keepEmailDomains: content.keepEmailDomains,
      linkAllowList: content.linkAllowList,
      stripImages: content.stripImages,
      attributeFilter: (v) => maskText(v, hide, repl),
      ...(banned ? { textFilter: (t: string) => maskBannedWords(t, banned) } : {}),
    });
    changes.push(...s2.changes.map((c) => (where === 'HTML part' ? c : { ...c, detail: c.detail.replace('the HTML part', `the ${where}`) })));
    return s2.html;
  };
  const alias = foldString(o.alias);
  return {
    text,
    html,
    namesWriter: (s) => maskText(s, hide, repl).count > 0,
    writerNeedles: [...new Set([...hide.addresses.flatMap(addressNeedles), ...(hide.fullNames ?? []).flatMap(nameVariants)])],
    isAlias: (a) => foldString(a) === alias,
  };
}
