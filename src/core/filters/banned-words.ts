// Owns banned-word matching on the text a reader sees: the folded reading of masking/fold.ts
// (entities decoded, tags and comments read as nothing, zero-width characters and soft hyphens
// gone, NFKC, case and accents folded), so `ch<b></b>eap`, `&#99;heap`, `che\u00ADap` and `ＣＨＥＡＰ`
// are all "cheap". Whole words only: a banned word is not found inside a longer word, nor as one
// half of a hyphenated or apostrophe-joined word ("cheap-cheap"); the words of a phrase may be
// separated by any non-word characters. Linear: one regex of escaped literals (no nesting) over
// the folded text, and each match's boundaries checked by hand.
import { fold, foldString, type Folded } from '../masking/fold.js';
import { applySpans, type Span } from '../masking/spans.js';

const WORDS = /[\p{L}\p{N}]+/gu;
const WORD_CHAR = /[\p{L}\p{N}]/u;
const JOINERS = new Set(["'", '’', '-']);

export interface BannedMatcher {
  /** One alternation of every entry, folded; null when there are none. */
  readonly re: RegExp | null;
  /** An entry's folded words joined by one space → the entry as the admin wrote it. */
  readonly byKey: ReadonlyMap<string, string>;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Cyrillic and Greek letters a reader takes for a Latin one, as the folded reading has them (lower
 * case, so capitals like Cyrillic Т and Greek Ρ are here as т and ρ). A banned word written in Latin
 * letters also matches with these in place of its letters ("сheap" with a Cyrillic с), as long as
 * the match keeps at least one Latin letter: a word wholly in Cyrillic ("сор", litter) is Russian,
 * not a disguise of "cop". Only look-alikes of whole letters; accents are already folded away.
 */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  a: 'аα', b: 'вβь', c: 'сϲ', d: 'ԁ', e: 'еε', h: 'һнη', i: 'іι', j: 'ј', k: 'кκ', l: 'ӏ', m: 'мμ', n: 'ν',
  o: 'оο', p: 'рρ', q: 'ԛ', s: 'ѕ', t: 'тτ', v: 'νѵ', w: 'ԝ', x: 'хχ', y: 'уυ', z: 'ζ',
}; // prettier-ignore
const LATIN_OF = new Map<string, string>();
for (const [latin, others] of Object.entries(LOOK_ALIKES)) for (const o of others) if (!LATIN_OF.has(o)) LATIN_OF.set(o, latin);
const LATIN_LETTER = /[a-z]/;

/** A folded word as a pattern: each Latin letter also matches its look-alikes. */
const wordRe = (word: string) => [...word].map((ch) => (LOOK_ALIKES[ch] ? `[${ch}${LOOK_ALIKES[ch]}]` : escapeRe(ch))).join('');

/** The matched text with every look-alike read as its Latin letter. */
const asLatin = (s: string) => (LATIN_OF.size && /[^\x00-\x7f]/.test(s) ? [...s].map((ch) => LATIN_OF.get(ch) ?? ch).join('') : s);

export function compileBannedWords(entries: readonly string[]): BannedMatcher {
  const byKey = new Map<string, string>();
  const alternatives: string[] = [];
  for (const entry of entries) {
    const words = foldString(entry).match(WORDS);
    if (!words) continue;
    const key = words.join(' ');
    if (byKey.has(key)) continue;
    byKey.set(key, entry);
    alternatives.push(words.map(wordRe).join('[^\\p{L}\\p{N}]{1,20}'));
  }
  if (alternatives.length === 0) return { re: null, byKey };
  // Longer first, so a phrase wins over a word it starts with.
  alternatives.sort((a, b) => b.length - a.length);
  return { re: new RegExp(`(?:${alternatives.join('|')})(?!['’-]?[\\p{L}\\p{N}])`, 'gu'), byKey };
}

export interface BannedHit extends Span {
  readonly entry: string;
}

/** True when the folded text continues a word right before `at` (a letter, or a joiner after one). */
function joinedBefore(t: string, at: number): boolean {
  const prev = t[at - 1];
  if (prev === undefined) return false;
  if (WORD_CHAR.test(prev)) return true;
  return JOINERS.has(prev) && at >= 2 && WORD_CHAR.test(t[at - 2] as string);
}

/** Banned words and phrases in a folded reading, as source spans replaced by asterisks. */
export function bannedSpans(f: Folded, m: BannedMatcher): BannedHit[] {
  if (!m.re) return [];
  const out: BannedHit[] = [];
  const t = f.text;
  const re = new RegExp(m.re.source, m.re.flags);
  for (let hit = re.exec(t); hit; hit = re.exec(t)) {
    const at = hit.index;
    if (joinedBefore(t, at)) {
      re.lastIndex = at + 1;
      continue;
    }
    const key = (asLatin(hit[0]).match(WORDS) ?? []).join(' ');
    // Look-alikes only in a word that keeps a Latin letter of the entry (see LOOK_ALIKES).
    if (LATIN_LETTER.test(key) && !LATIN_LETTER.test(hit[0])) {
      re.lastIndex = at + 1;
      continue;
    }
    const entry = m.byKey.get(key) ?? hit[0];
    out.push({ start: f.at(at), end: f.at(at + hit[0].length), text: '*'.repeat(Math.max(4, hit[0].length)), entry });
  }
  return out;
}

/** The banned entries found in the text (HTML when `html`), each once, in the order they first appear. */
export function findBannedWords(text: string, m: BannedMatcher, html = false): string[] {
  if (!m.re) return [];
  return [...new Set(bannedSpans(fold(text, html), m).map((h) => h.entry))];
}

/** Replaces every banned word or phrase with asterisks (at least four); in HTML the tags inside stay. */
export function maskBannedWords(text: string, m: BannedMatcher, html = false): { value: string; count: number } {
  if (!m.re) return { value: text, count: 0 };
  const r = applySpans(text, bannedSpans(fold(text, html), m), html);
  return { value: r.value, count: r.count };
}
