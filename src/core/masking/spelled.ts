// Owns addresses written with their `@` and dots spelled out, as people write them to keep them
// from harvesters (`bob [at] shop [dot] com`, `bob (at) shop (dot) com`, `bob at shop dot com`),
// and with an HTML comment shown inside (`bob<!-- x -->@shop.com` in a text part, or written with
// entities in HTML: the reader sees it as written and a person reads past it; a real comment in
// HTML the fold reads as nothing already). Found on a second reading of the folded text
// with those separators read as the characters they spell, the comments as nothing; only
// addresses that need that reading are returned (the first reading found the others).
import { endsInTopLevel, findAddressesIn, keptDomain } from './address-finder.js';
import { fold, type Folded } from './fold.js';
import type { Span } from './spans.js';
import { firstAtLeast, lastAtMost } from '../sorted-search.js';

// A separator spelled out: a word in brackets or marks (`[at]`, `(dot)`, `{at}`, `<at>`, `-at-`,
// `_at_`, `*at*`, `/at/`, `#at#`, in quotes `"at"`, `'at'`, `“at”`, `‘at’`; blanks inside and
// around; not `.at.`, `:at:`, `|at|`: a host's label, a shortcode, a table's cell; nor `=at=`,
// `~at~`, `+at+`: each mark the tests below search for costs every text ~0.01 ms a MiB, so ASCII
// quotes are not searched for: `"at"` is read when a spelled dot or another mark brings the reading
// about, or (since round 15, bareJoins) a real domain after it: `bob "at" shop.de`), a symbol in brackets (`(@)`, `[.]`),
// or the bare word between blanks (` at `, ` dot `, and a written dot with a blank each side:
// `shopmail . de`); and an HTML comment the reader sees (at most 384 characters: a longer one is a
// passage). Other languages' words and other scripts' brackets too: German `(punkt)` and `[ät]`
// (the fold reads `ä` as `a`), Spanish and Portuguese `(arroba)`, `(punto)`, `(ponto)`, French
// `(arobase)`, `(point)`, Italian `(chiocciola)`, Polish `(małpa)`, `(kropka)`, `【at】`, `〔at〕`,
// `「at」`, `『at』`, `《at》`, `〈at〉`, `〖at〗`, `«at»`, `‹at›` (full-width `［at］` and `（at）` the fold
// reads as ASCII), and `(a)` / `[a]` in brackets only (not between marks: `x-a-y` is a word).
// More languages' words, in brackets or marks only (each is a word of prose too): Russian
// `(собака)` `(точка)` (read through LOOK_ALIKES: `coбaka`, `toчka`), Dutch `(apenstaartje)`
// `(punt)`, Hungarian `(kukac)` `(pont)`, Czech and Slovak `(zavináč)` `(tečka)` `(bodka)` (the
// fold drops the accents), Swedish, Danish and Norwegian `(snabel-a)`, Turkish `(nokta)`.
// Matched on latinLookAlikes of the reading (Cyrillic `аt`, Greek `dοt`). The words for `@` and `.`
// of other languages bare too (`bob.stone arroba shopmail punto es`, German `klammeraffe`): read
// as such after a mailbox's local part only (kind `foreign`: `el punto es que` is prose). And a run
// of single characters between blanks around a real `@` or a bracketed `at` (`a n n a . w e b e r @
// b u y e r . d e`, `b o b (at) s h o p (dot) d e`), read without the blanks (group 5, kind `letters`).
const SPELLED_WORDS =
  / ?[[({<\-_*/#"'“”‘’【«‹〔「『《〈〖⟨] ?(at|dot|punkt|arroba|point|arobase|chiocciola|ma[lł]pa|punto|ponto|kropka|coбaka|toчka|apenstaartje|klammeraffe|punt|kukac|pont|zavinac|tecka|bodka|snabel-a|nokta) ?[\])}>\-_*/#"'“”‘’】»›〕」』》〉〗⟩](?: ?[:;,=\-–—]{1,2})? ?| ?[[({<【〔「『《〈〖⟨] ?([@.]) ?[\])}>】〕」』》〉〗⟩] ?| ?[[(] ?(a) ?[\])] ?| (?:[:\-–—] )?(at|dot|\.|punkt|punto|ponto|point|kropka|punt|pont|nokta|tecka|bodka|toчka|arroba|arobase|chiocciola|ma[lł]pa|apenstaartje|klammeraffe|kukac|zavinac|snabel-a|coбaka)(?: ?[:;,=\-–—]{1,2})? |<!--[^]{0,384}?-->/g;
// Group 5: a run of single characters with blanks between around a real or bracketed `@` (after a
// blank or a bracket: a class, not `^|`, which costs every text read so ~1.5 ms a MiB; one at the
// start is tested apart, RUN_AT_START).
// Since the round-15 attack also a bare `at` after single characters and a bare `dot` among them
// (`b o b at s h o p . d e`, `b o b @ s h o p dot d e`), and a local part written whole before a
// real or bracketed `@` and a domain spaced out (`bob.stone @ g m a i l . c o m`).
const RUN = String.raw`((?:(?:[-0-9a-z\u00c0-\uffff._+] ){1,64}(?:@|at|[[({] ?at ?[\])}])|[-0-9a-z\u00c0-\uffff._+]{2,64} (?:@|[[({] ?at ?[\])}]))(?: (?:[-0-9a-z\u00c0-\uffff._+]|dot|[[({] ?dot ?[\])}])){1,255})(?![0-9a-z\u00c0-\uffff])`;
const SPELLED = new RegExp(`${SPELLED_WORDS.source}|[ ([{<"']${RUN}`, 'g');
const RUN_AT_START = new RegExp(`^${RUN}`);
// The tokens of a run of spaced letters: a bracketed or bare `at` or `dot`, or one character.
const RUN_TOKEN = /[[({] ?(at|dot) ?[\])}]|(?<![^ ])(at|dot)(?![^ ])|[^ ]/g;
/** The bare words that take no mark beside them (`look at: the list`, `the dot - a`, ` .: `). */
const ENGLISH_BARE: ReadonlySet<string> = new Set(['at', 'dot', '.']);
/** The marks another language's bare word may have beside it (`arroba: gmail`, `arobase : orange`, `arroba - gmail`). */
const WORD_MARKS = ':;,=-–—';
/** The spelled words that stand for `@` (the others for `.`). */
const AT_WORDS: ReadonlySet<string> = new Set([
  'at',
  'arroba',
  'a',
  'arobase',
  'chiocciola',
  'malpa',
  'małpa',
  'coбaka',
  'apenstaartje',
  'klammeraffe',
  'kukac',
  'zavinac',
  'snabel-a',
  '@',
]);

// Cyrillic and Greek letters a reader takes for Latin ones (Unicode's confusables.txt, the lowercase
// the fold leaves and the capitals for source text), one UTF-16 unit for one: `аt` (Cyrillic а)
// and `dоt` (Cyrillic о) read `at` and `dot`. Read so only here (the spelled words and the
// addresses they join), not by the fold: a Russian or Greek word stays itself for every other search.
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', і: 'i', ј: 'j', ԁ: 'd', к: 'k', т: 't', м: 'm', н: 'h', ѕ: 's', һ: 'h', ԛ: 'q', ԝ: 'w',
  А: 'a', Е: 'e', О: 'o', Р: 'p', С: 'c', У: 'y', Х: 'x', І: 'i', Ј: 'j', К: 'k', Т: 't', М: 'm', Н: 'h', Ѕ: 's',
  α: 'a', ο: 'o', τ: 't', ρ: 'p', κ: 'k', ι: 'i', ν: 'v', υ: 'u', ε: 'e',
  Α: 'a', Ο: 'o', Τ: 't', Ρ: 'p', Κ: 'k', Ι: 'i', Ν: 'n', Υ: 'y', Ε: 'e', Μ: 'm', Η: 'h', Χ: 'x', Β: 'b', Ζ: 'z',
}; // prettier-ignore
// Greek, Cyrillic, or a bracket beyond Latin-1 (one native search: none in plain ASCII text).
const LOOK_ALIKE = /[\u0370-\u052f\u2000-\uffff]/;
let skeletonTable: Uint16Array | null = null;
/** Each UTF-16 unit's reading (built once: LOOK_ALIKES, and Unicode's Ps and Pe beyond ASCII as `(` and `)`). */
function skeletonOf(): Uint16Array {
  if (skeletonTable) return skeletonTable;
  const tab = new Uint16Array(0x10000);
  const open = /\p{Ps}/u;
  const close = /\p{Pe}/u;
  for (let c = 0; c < 0x10000; c++) {
    const ch = String.fromCharCode(c);
    tab[c] = c >= 0x80 && c < 0xd800 && open.test(ch) ? 0x28 : c >= 0x80 && c < 0xd800 && close.test(ch) ? 0x29 : c;
  }
  for (const [k, v] of Object.entries(LOOK_ALIKES)) tab[k.charCodeAt(0)] = v.charCodeAt(0);
  return (skeletonTable = tab);
}
const utf16 = new TextDecoder('utf-16le');

/**
 * `t` with LOOK_ALIKES read as the Latin letters they look like, and every opening or closing
 * bracket of another script (Unicode's Ps and Pe: `❨at❩`, `⦅at⦆`, `〘at〙`) as `(` or `)`: same
 * length, index for index (all are one UTF-16 unit); `t` itself when it holds none. One pass
 * through a table (~5 ms a MiB of Russian); none for text without Greek, Cyrillic or U+2000 on.
 */
export function latinLookAlikes(t: string): string {
  if (!LOOK_ALIKE.test(t)) return t;
  const tab = skeletonOf();
  const out = new Uint16Array(t.length);
  let changed = false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    const v = tab[c] as number;
    out[i] = v;
    if (v !== c) changed = true;
  }
  return changed ? utf16.decode(out) : t;
}

/** A letter or digit of the folded text (any script). */
const isAlnum = (t: string, k: number): boolean => {
  const c = t.charCodeAt(k);
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x80 && /[\p{L}\p{N}]/u.test(t[k] as string));
};

// Without one of these the second reading finds nothing: a bracketed `at` or `dot` (its closing
// bracket an entity or an escape too: `&#91;at&#93;`), a bare `dot` (a bare `at` counts only with a
// spelled dot after it), a comment (in HTML also one written with entities, which the reader sees).
const DOT_WORD = /\bdot\b/i;
// A comment's `<!` written as an entity, tested at each `&` (sticky).
const ENTITY_COMMENT = /&(?:lt|#0*60|#x0*3c);?!/iy;
const SOURCE_CLOSERS = [
  ']',
  ')',
  '}',
  '>',
  '-',
  '_',
  '*',
  '/',
  '#',
  '”',
  '’',
  '“',
  '‘',
  '】',
  '»',
  '›',
  '〕',
  '」',
  '』',
  '》',
  '〉',
  '〗',
  '⟩',
  '］',
  '）',
  '&',
  '%',
];

/** Whether word `w` (lowercase) ends right before `j` in `t`, any case (ASCII; other letters by the same bit: `ч`, `č`). */
function endsWith(t: string, j: number, w: string): boolean {
  for (let k = 1; k <= w.length; k++) if ((t.charCodeAt(j - k) | 0x20) !== (w.charCodeAt(w.length - k) | 0x20)) return false;
  return true;
}
const OPENERS = '[(（［{<【〔「『《〈〖⟨';
/** The spelled words by their last letter (lowercase), `a` and the symbols apart (after an opener only). */
const WORDS_BY_LAST: Readonly<Record<number, readonly string[]>> = {
  0x74: ['at', 'dot', 'punkt', 'point', 'punt', 'pont'],
  0x61: ['arroba', 'chiocciola', 'malpa', 'kropka', 'coбaka', 'toчka', 'tecka', 'tečka', 'bodka', 'snabel-a', 'nokta'],
  0x65: ['arobase', 'apenstaartje', 'klammeraffe'],
  0x6f: ['punto', 'ponto'],
  0x63: ['kukac', 'zavinac'],
  // č (U+010D) | 0x20: `zavináč` as the source writes it.
  0x12d: ['zavináč'],
};

/**
 * Whether a spelled word ends right before `j` (any case), a blank between allowed: `at`, `dot`,
 * `punkt`, `point`, `arroba`, `arobase`, `chiocciola`, `małpa`, `punto`, `ponto`, `kropka`, `ät`
 * (source text: the fold reads it `at`), or `a`, `@`, `.` right after an opening bracket. Every
 * one ends in `t`, `a`, `e`, `o` or a symbol, so most places are rejected by one look.
 */
function spelledBefore(t: string, j: number): boolean {
  if (t.charCodeAt(j - 1) === 0x20) j--;
  const c1 = t.charCodeAt(j - 1);
  const last = c1 | 0x20;
  const words = WORDS_BY_LAST[last];
  if (words === undefined && c1 !== 0x40 && c1 !== 0x2e) return false;
  if (words !== undefined) for (const w of words) if (endsWith(t, j, w)) return true;
  const c = t.charCodeAt(j - 2);
  if (last === 0x74) return c === 0xe4 || c === 0xc4; // ät, ÄT
  if (last === 0x61 && endsWith(t, j, 'pa') && (t.charCodeAt(j - 3) === 0x141 || t.charCodeAt(j - 3) === 0x142) && endsWith(t, j - 3, 'ma')) return true; // małpa, MAŁPA
  if (last !== 0x61 && c1 !== 0x40 && c1 !== 0x2e) return false;
  const k = c === 0x20 ? j - 3 : j - 2;
  return OPENERS.includes(t[k] ?? '_'); // (a), [ a ], (@), [.]
}

/** Whether `t` holds a written dot with a blank each side between letters or digits (`shopmail . de`). */
function spacedDot(t: string, first = t.indexOf('.')): boolean {
  const word = (k: number) => isAlnum(t, k) || ((t.charCodeAt(k) | 0x20) >= 0x61 && (t.charCodeAt(k) | 0x20) <= 0x7a);
  // By the dot (a native search for ' . ' is slow where blanks are many: ~2 ms a MiB, this ~0.01).
  for (let i = first; i >= 0; i = t.indexOf('.', i + 1))
    if (t.charCodeAt(i - 1) === 0x20 && t.charCodeAt(i + 1) === 0x20 && word(i - 2) && word(i + 2)) return true;
  return false;
}

/** The words for `@` read bare or in quotes before a real domain or after a mailbox (lowercase, look-alikes read). */
const BARE_AT: ReadonlySet<string> = new Set([...AT_WORDS, 'ät', 'zavináč'].filter((w) => w.length > 1 && w !== '@'));
const isBlank = (c: number): boolean => c <= 0x20 || c === 0xa0;
// Quotes around a bare word (`bob "at" shop.de`).
const QUOTES = '"\'“”‘’';

/** The word of `t` that ends before the blanks before `i`, as written; at most 16 characters. */
function wordBefore(t: string, i: number): string {
  let e = i;
  while (e > 0 && e > i - 8 && isBlank(t.charCodeAt(e - 1))) e--;
  if (e === i) return '';
  let s = e;
  while (s > 0 && s > e - 16 && !isBlank(t.charCodeAt(s - 1))) s--;
  return t.slice(s, e);
}

/** The word of `t` that starts after the blanks from `i`, as written; at most 16 characters. */
function wordAfter(t: string, i: number): string {
  let s = i;
  while (s < t.length && s < i + 8 && isBlank(t.charCodeAt(s))) s++;
  if (s === i) return '';
  let e = s;
  while (e < t.length && e < s + 16 && !isBlank(t.charCodeAt(e))) e++;
  return t.slice(s, e);
}

/** Where the marks (WORD_MARKS, two at most) that start at `k` in `t` end; `k` when none does. */
function pastMarks(t: string, k: number): number {
  let j = k;
  while (j < k + 2 && WORD_MARKS.includes(t[j] ?? '_')) j++;
  return j;
}

/**
 * `w` lowercase, without the quotes around it (`"at"`, `‘at’`) or the marks after another
 * language's word (`arroba:`; `at:` keeps them: `look at: amazon.de` is prose).
 */
const unquote = (w: string): string => {
  const q = w.length > 2 && QUOTES.includes(w[0] as string) && QUOTES.includes(w[w.length - 1] as string);
  if (q) return w.slice(1, -1).toLowerCase();
  let e = w.length;
  while (e > w.length - 2 && e > 1 && WORD_MARKS.includes(w[e - 1] as string)) e--;
  const bare = w.slice(0, e).toLowerCase();
  return bare === 'at' || bare === 'ät' ? w.toLowerCase() : bare;
};

/**
 * Whether `t` (source or folded, look-alikes read) joins a word for `@` (bare or in quotes: `at`,
 * `"at"`, `arroba`, `małpa`, …) to a word holding a `.`, `_` or `+` between letters or digits on
 * either side (`bob.stone at gmail.com`, `bob "at" shop.de`, `anna.weber at buyer punkt example`,
 * `bob.stone arroba shopmail punto es`), or spaces letters out around a real `@` (`a n n a @ b u
 * y e r`). Native searches for those four characters: none in the text path's plain prose (~0.01
 * ms a MiB); each hit looks at most a few words around it.
 */
function bareJoins(t: string, dot = t.indexOf('.'), underscore = t.indexOf('_')): boolean {
  for (const mark of ['.', '_', '+'])
    for (let i = mark === '.' ? dot : mark === '_' ? underscore : t.indexOf(mark); i >= 0; i = t.indexOf(mark, i + 1)) {
      // Between letters or digits, a letter beside it (not `end. Next`, `x _ y`, `at 5.30`).
      if (!letterOrDigit(t, i + 1) || !letterOrDigit(t, i - 1) || !(isLetter(t, i - 1) || isLetter(t, i + 1))) continue;
      let s = i;
      while (s > 0 && s > i - 64 && !isBlank(t.charCodeAt(s - 1))) s--;
      let e = i;
      while (e < t.length && e < i + 256 && !isBlank(t.charCodeAt(e))) e++;
      // A mailbox's local part before a word for `@`; a quoted `at` or another language's word before a
      // host (a bare ` at ` before one is prose, `I bought it at amazon.de`, unless a mailbox stands
      // before it: found at its own mark; the writer's domain: the masker's atWriter). Most places
      // are rejected by the first letter of the word beside (AT_INITIALS).
      let a = e;
      while (a < e + 8 && isBlank(t.charCodeAt(a))) a++;
      if (a > e && AT_INITIALS.has(t.charCodeAt(a) | 0x20) && BARE_AT.has(unquote(wordAfter(t, e))) && MAILBOX.test(t.slice(s, e))) return true;
      let b = s;
      while (b > 0 && b > s - 8 && isBlank(t.charCodeAt(b - 1))) b--;
      if (b < s && AT_FINALS.has(t.charCodeAt(b - 1) | 0x20)) {
        let before = wordBefore(t, s);
        // A dash between the word and the domain (`jan małpa — wp.pl`): the word before it.
        if (before.length <= 2 && pastMarks(before, 0) === before.length) before = wordBefore(t, b - before.length);
        const w = unquote(before);
        if (BARE_AT.has(w) && (w !== before.toLowerCase() || (w !== 'at' && w !== 'ät'))) return true;
      }
      i = e;
    }
  for (let i = t.indexOf('@'); i >= 0; i = t.indexOf('@', i + 1)) if (singleCharacters(t, i, -1) && singleCharacters(t, i, 1)) return true;
  return false;
}
/** Where a word for `@` longer than 6 characters is searched by a piece other than its start (FOREIGN_AT). */
const FOREIGN_PIECES: Readonly<Record<string, string>> = { klammeraffe: 'affe', zavinac: 'zavina', 'snabel-a': 'nabel-' };

/**
 * Another language's word for `@` standing bare between blanks (`juan arroba gmail punto com`,
 * `anna punkt weber klammeraffe buyer punkt example`), in the first or the last FOREIGN_WINDOW
 * characters of `t` (lowercase: folded, or source lowered by the caller; look-alikes read). Such an
 * address has no `.`, `_`, `+` or `@` for bareJoins to find, and its words are letters only, so
 * each is a native search of its own: every letter is common somewhere (in peer-bench's pangram
 * every one comes once a line, ~0.1 ms a MiB a word; ~1 ms for the eleven). Searched so within a
 * message's opening and closing 32 KiB, where a writer's own lines stand (above a quoted thread, or
 * below one), at ~1/16 of that. Not read so: such an address in the middle of a longer text.
 */
function foreignAtWord(t: string): boolean {
  if (t.length > 2 * FOREIGN_WINDOW) return foreignAtWord(t.slice(0, FOREIGN_WINDOW)) || foreignAtWord(t.slice(-FOREIGN_WINDOW));
  for (const [piece, word, offset] of FOREIGN_AT)
    for (let i = t.indexOf(piece); i >= 0; i = t.indexOf(piece, i + 1)) {
      const s = i - offset;
      if (t.startsWith(word, s) && isBlank(t.charCodeAt(s - 1)) && isBlank(t.charCodeAt(pastMarks(t, s + word.length)))) return true;
    }
  return false;
}
const FOREIGN_WINDOW = 32 * 1024;
/**
 * The words for `@` other languages write bare (BARE_AT but `at`, `ät`), as the fold reads them and
 * as written (`zavináč`), each searched by a piece of it [piece, word, where the piece starts]: at
 * most 6 characters (V8 searches a longer one by Boyer-Moore-Horspool, ~5x slower on prose than a
 * scan for its first letter) starting with a letter rarer than its others.
 */
const FOREIGN_AT: readonly (readonly [string, string, number])[] = [...BARE_AT]
  .filter((w) => w !== 'at' && w !== 'ät')
  .map((w) => {
    const piece = FOREIGN_PIECES[w] ?? w.slice(0, 6);
    return [piece, w, w.indexOf(piece)] as const;
  });

/** The first and the last letters (| 0x20) of the words in BARE_AT, the quotes around them, and (last) the marks after them. */
const AT_INITIALS: ReadonlySet<number> = new Set([...BARE_AT, ...QUOTES].map((w) => w.charCodeAt(0) | 0x20));
const AT_FINALS: ReadonlySet<number> = new Set([...BARE_AT, ...QUOTES, ...WORD_MARKS].map((w) => w.charCodeAt(w.length - 1) | 0x20));
/** A letter or digit of source or folded text (any case, any script). */
const letterOrDigit = (t: string, k: number): boolean => isAlnum(t, k) || (t.charCodeAt(k) >= 0x41 && t.charCodeAt(k) <= 0x5a);
/** A letter of source or folded text (any case, any script). */
const isLetter = (t: string, k: number): boolean => letterOrDigit(t, k) && !(t.charCodeAt(k) >= 0x30 && t.charCodeAt(k) <= 0x39);

/** Whether the token next to `@` at `i` on side `dir` (-1 before, 1 after; blanks between allowed) is one character between blanks. */
function singleCharacters(t: string, i: number, dir: -1 | 1): boolean {
  let k = i + dir;
  while (k >= 0 && k < t.length && isBlank(t.charCodeAt(k)) && Math.abs(k - i) < 8) k += dir;
  const c = t.charCodeAt(k);
  if (Number.isNaN(c) || isBlank(c)) return false;
  const n = t.charCodeAt(k + dir);
  return Number.isNaN(n) || isBlank(n);
}

/**
 * True when source text `src` (HTML, or a document's text) may hold an address written with its
 * separators spelled out: native searches for its rarer characters, each closing bracket (entity,
 * escape) looked behind once; ~0.3 ms a MiB of prose.
 */
export function maySpell(source: string): boolean {
  const src = latinLookAlikes(source);
  if (src.indexOf('<!--') !== -1 || DOT_WORD.test(src) || spacedDot(src)) return true;
  for (const close of SOURCE_CLOSERS)
    for (let i = src.indexOf(close); i >= 0; i = src.indexOf(close, i + 1)) {
      if (spelledBefore(src, i)) return true;
      if (close === '&') {
        ENTITY_COMMENT.lastIndex = i;
        if (ENTITY_COMMENT.test(src)) return true;
      }
    }
  return (
    bareJoins(src) ||
    foreignAtWord(src.length > 2 * FOREIGN_WINDOW ? `${src.slice(0, FOREIGN_WINDOW)} ${src.slice(-FOREIGN_WINDOW)}`.toLowerCase() : src.toLowerCase())
  );
}

/**
 * The same test on a folded reading (lowercase, whitespace one space), by native searches for its
 * rarer characters (a closing bracket after `at` or `punkt`, `<!--`, `dot` as a word): ~0.15 ms a MiB, where
 * the regex costs ~0.4.
 */
export function maySpellFolded(folded: string): boolean {
  const t = latinLookAlikes(folded);
  // The first `.` and `_` serve bareJoins too (each search ~0.006 ms a MiB).
  const dot = t.indexOf('.');
  if (t.indexOf('<!--') !== -1 || spacedDot(t, dot)) return true;
  // `dot` as a word (not `anecdote`): a bare one, or in brackets.
  for (let i = t.indexOf('dot'); i >= 0; i = t.indexOf('dot', i + 3)) if (!isAlnum(t, i - 1) && !isAlnum(t, i + 3)) return true;
  let underscore = -1;
  for (const close of CLOSERS) {
    const first = t.indexOf(close);
    if (close === '_') underscore = first;
    for (let i = first; i >= 0; i = t.indexOf(close, i + 1)) if (spelledBefore(t, i)) return true;
  }
  return bareJoins(t, dot, underscore) || foreignAtWord(t);
}
const CLOSERS = [']', ')', '}', '>', '-', '_', '*', '/', '#', '”', '’', '“', '‘', '】', '»', '›', '〕', '」', '』', '》', '〉', '〗', '⟩'];

/**
 * Pronouns: before a bare ` at ` in prose the object of the word before them (the folded reading
 * is lowercase): `I bought it at amazon dot com`, `got them at ebay dot de`; a local part only when
 * no word stands before them (bareAddress: `it at shop dot com`, `Email: me at shop dot de`).
 */
const PRONOUNS: ReadonlySet<string> = new Set(
  ['i', 'me', 'you', 'he', 'him', 'she', 'her', 'it', 'we', 'us', 'they', 'them', 'this', 'that', 'these', 'those', 'one', 'ones'].concat([
    'mine',
    'yours',
    'his',
    'hers',
    'ours',
    'theirs',
    'something',
    'anything',
    'everything',
    'nothing',
    'stuff',
  ]),
);

/**
 * Words that stand before a bare ` at ` in prose and are not a mailbox's name that people spell
 * out (verbs of buying, finding and meeting, prices, forms of be; `sales`, `info`, `shop`'s
 * mailbox names stay out: `sales at shop dot com` is one): `Prices at Amazon dot com`, `we meet at
 * noon dot com`, `cheaper at ebay dot de`. The trade: an address whose local part is one of these
 * and whose `at` and dots are all bare words (`buy at shop dot com`) is kept; bracketed, it is removed.
 */
const PROSE: ReadonlySet<string> = new Set(
  (
    'price prices priced pricing cheaper cheapest cheap available sold sell sells selling buy buys buying bought purchased paid pay ' +
    'order ordered ordering found find finds look looks looked looking meet meets met arrive arrives arrived stay stayed stays ' +
    'work works worked live lives lived got get gets seen see saw listed stocked deals offers offered cost costs shipped delivered ' +
    'is are was were be been am also only just even still here there now online today shop shopping shopped items products goods ' +
    'things everyone everybody someone somebody people customers not too again and or but so then both all more less better best ' +
    'visit visited visiting browse compare compared signed logged registered subscribed posted read check checked'
  ).split(' '),
);

// A spelled dot after a bare-spelled address that no label follows.
const DANGLING = /^ dot(?![\p{L}\p{N}])/u;

// `spaced`: a written dot with a blank each side (`shopmail . de`), a spelled dot only after a
// local part that looks like a mailbox or before a label in lowercase (not `home . It was`).
// `foreign`: another language's word bare (`bob.stone arroba shopmail punto es`), read only after a
// local part shaped like a mailbox (MAILBOX) or in the writer's address; `letters`: a real `@` in a
// run of letters spaced out.
type Kind = 'bracket' | 'bare' | 'spaced' | 'comment' | 'foreign' | 'letters';

interface Spelled extends Folded {
  /** The positions of the text that stand for a spelled separator (a comment: where it stood), ascending, and what each was. */
  readonly places: readonly number[];
  readonly kinds: readonly Kind[];
}

/** The folded reading with spelled separators read as `@` and `.`, comments as nothing; null when there are none. Linear. */
function spelledReading(f: Folded): Spelled | null {
  const t = latinLookAlikes(f.text);
  let out = '';
  let pos = 0;
  // Segments: from text index g on, text index k maps to folded index fs + (k - g).
  const gs: number[] = [0];
  const fs: number[] = [0];
  const places: number[] = [];
  const kinds: Kind[] = [];
  // Letters spaced out around a real `@` (`a n n a . w e b e r @ b u y e r . d e`) from `from`: read
  // without the blanks, each character its own segment; the `@` is the place.
  const readRun = (run: string, from: number): void => {
    out += t.slice(pos, from);
    RUN_TOKEN.lastIndex = 0;
    for (let k = RUN_TOKEN.exec(run); k !== null; k = RUN_TOKEN.exec(run)) {
      const w = k[1] ?? k[2];
      const c = w === 'at' ? '@' : w === 'dot' ? '.' : k[0];
      if (c === '@') {
        places.push(out.length);
        kinds.push('letters');
      }
      gs.push(out.length);
      fs.push(from + k.index);
      out += c;
      if (w) {
        gs.push(out.length);
        fs.push(from + k.index + k[0].length);
      }
    }
    pos = from + run.length;
    gs.push(out.length);
    fs.push(pos);
  };
  const first = RUN_AT_START.exec(t);
  if (first) readRun(first[1] as string, 0);
  SPELLED.lastIndex = pos;
  for (let m = SPELLED.exec(t); m !== null; m = SPELLED.exec(t)) {
    const run = m[5];
    if (run) {
      readRun(run, m.index + m[0].length - run.length);
      continue;
    }
    const bare = m[4];
    const word = m[1] ?? m[2] ?? (m[3] ? 'a' : bare);
    // A bare word only between letters or digits (`bob at shop`, not `at 5pm,` after a comma); a
    // mark beside it (`arroba: gmail`, `arroba - gmail`) only beside another language's word
    // (`look at: the list` is prose).
    if (bare && (!(isAlnum(t, m.index - 1) && isAlnum(t, m.index + m[0].length)) || (m[0].length !== bare.length + 2 && ENGLISH_BARE.has(bare)))) {
      SPELLED.lastIndex = m.index + 1;
      continue;
    }
    out += t.slice(pos, m.index);
    const end = m.index + m[0].length;
    if (word) {
      // A bare ` at ` reads as ` @ `: the finder's rule for a blank beside the `@` applies (a domain
      // of two labels or more ending in a top-level domain), and a word before it that is not one
      // (`me at jane dot doe at gmail dot com`) does not take the local part of the next.
      // A bracketed `(a)` or `[a]` with a blank beside it is a list's or a note's mark as often
      // (`choose (a) shop.com or (b) …`): read as a bare ` at `, so an address's only with a dot
      // of its domain spelled too, or the writer's.
      const blankA = !!m[3] && (t.charCodeAt(m.index) === 0x20 || t.charCodeAt(end - 1) === 0x20);
      const bareAt = (!!bare && AT_WORDS.has(word)) || blankA;
      places.push(out.length + (bareAt ? 1 : 0));
      kinds.push(bare === '.' ? 'spaced' : bare && bare !== 'at' && bare !== 'dot' ? 'foreign' : bare || blankA ? 'bare' : 'bracket');
      gs.push(out.length);
      fs.push(m.index);
      out += bareAt ? ' @ ' : AT_WORDS.has(word) ? '@' : '.';
    } else {
      places.push(out.length);
      kinds.push('comment');
    }
    gs.push(out.length);
    fs.push(end);
    pos = end;
  }
  if (places.length === 0) return null;
  out += t.slice(pos);
  const at = (k: number): number => {
    const j = lastAtMost(gs, k);
    return f.at((fs[j] as number) + k - (gs[j] as number));
  };
  return { text: out, at, places, kinds };
}

export interface SpelledFinds {
  /** The writer's addresses so written (source spans with their replacement). */
  readonly writer: Span[];
  /** Other addresses so written, outside `keep` (source spans; `domain` folded). */
  readonly others: (Span & { readonly domain: string })[];
}

/**
 * The addresses `src` shows with a separator spelled out (HTML when `html`), as source spans: the
 * writer's (`writer`, found on the reading as body-scrub's writerSpans finds them) and, when `keep`
 * is given, everyone else's outside those domains, replaced by `removed`. Another's address counts
 * when its `@` is spelled or was behind a comment, its domain has two labels or more and ends in a
 * top-level domain, and a bare ` at ` joins a mailbox-like local part to a domain with a dot spelled
 * too (bareAddress: `bob at shop dot com`; not `find us at shop.com`, `meet at home dot`, `look at
 * www dot shop dot de`, `I bought it at amazon dot com`, `Prices at Amazon dot com`) or a local part
 * shaped like a mailbox (MAILBOX) to any domain (`bob.stone at gmail.com`, `bob.stone arroba
 * shopmail punto es`; not `order 12345 at amazon.de`, `v2.0 at example.com`), or letters spaced out
 * stand around a real `@`. The caller tests maySpell or maySpellFolded first; `f` is the folded reading when it has one. Linear in `src`: one fold, one pass of SPELLED, one address scan.
 */
export function spelledAddresses(
  src: string,
  html: boolean,
  writer: (g: Folded) => Span[],
  keep: readonly string[] | null,
  removed: string,
  f?: Folded,
): SpelledFinds {
  const none: SpelledFinds = { writer: [], others: [] };
  const g = spelledReading(f ?? fold(src, html));
  if (!g) return none;
  const own = writer(g).filter((w) => kindsIn(g, sourceToReading(g, w.start), sourceToReading(g, w.end)).length > 0);
  const others: (Span & { domain: string })[] = [];
  if (keep) {
    for (const a of findAddressesIn({ text: g.text, at: (k) => k })) {
      if (keptDomain(a.domain, keep) || !endsInTopLevel(a.domain)) continue;
      const sign = g.text.lastIndexOf('@', a.domainStart - 1);
      const local = g.text.slice(a.start, sign).trim();
      // A written dot with blanks (`shopmail . de`) counts as spelled after a local part that looks
      // like a mailbox (`bob.stone`, `bob_s`, `bob99`) or before a label that is not capitalised
      // in the source (`… home . It was late` is two sentences).
      const all = kindsIn(g, a.start, a.end + 1);
      // Not when a written dot with blanks made it one (`version 1 . 2 at home`).
      const mailboxLike = /[._+\-0-9]/.test(local) && !all.some(([k, kind]) => kind === 'spaced' && k < sign);
      // Another language's word bare counts after a mailbox's local part only (`el punto es`,
      // `at this point is`: prose), and a bare at joins one to a real domain (`bob.stone at gmail.com`).
      const mailbox =
        MAILBOX.test(local) &&
        !(SITE_TOP.test(local) && endsInTopLevel(local)) &&
        !FILE_ENDING.test(local) &&
        !titleOrAbbreviation(local) &&
        !all.some(([k, kind]) => kind === 'spaced' && k < sign);
      // Another language's word for `@` is no word of prose (round-15 attack: `mariagarcia arroba
      // gmail.com`, `jane arroba shop.de`): it joins any local part, and the words for `.` with it.
      // Read when the prefilter brings the reading about (bareJoins: a real `.` of the domain, `_`,
      // `+`); `juan arroba gmail punto com` with no such mark is not (a search for these words costs
      // the plain text path ~1 ms a MiB each: `a`, `k`, `c`, `s` are common first letters).
      const foreignAt = all.some(([k, kind]) => k === sign && kind === 'foreign');
      const within = all.filter(
        ([k, kind]) => (kind !== 'spaced' || mailboxLike || !/\p{Lu}/u.test(src[g.at(k + 1)] ?? '')) && (kind !== 'foreign' || mailbox || foreignAt),
      );
      const atSign = within.find(([k, kind]) => k === sign && kind !== 'comment')?.[1];
      const comment = within.some(([, kind]) => kind === 'comment');
      // A written @ counts with a dot of its domain spelled (`bob @ shop [dot] de`; the first
      // reading took `bob@shop` already when no blank stood beside the @), or a comment inside.
      const dotAfter = within.some(([k, kind]) => kind !== 'comment' && k > sign && g.text[k] === '.');
      if (!atSign && !comment && !dotAfter) continue;
      // A spelled dot after it that leads nowhere (`look at it dot by dot`: prose).
      if (!atSign && !comment && DANGLING.test(g.text.slice(a.end, a.end + 5))) continue;
      if ((atSign === 'bare' || atSign === 'foreign') && !bareAddress(g, a, local, mailboxLike, dotAfter || mailbox || atSign === 'foreign')) continue;
      others.push({ start: g.at(a.start), end: g.at(a.end), text: removed, domain: a.domain });
    }
  }
  return { writer: own, others };
}

/**
 * Whether a bare ` at ` (or a list's `(a)` with a blank beside it) joins an address: only with a dot
 * of its domain spelled too and none after it that leads nowhere (`look at it dot by dot`), a
 * domain not starting with `www.` (`look at www dot shop dot de` names a site), and a local part
 * that is a mailbox, not prose: a pronoun after a word is the verb's object (`I bought it at amazon
 * dot com`, `contact me at shop dot de`: the site named, not it@) while one that opens the text or
 * follows a mark is a mailbox (`it at shop dot com`, `Email: me at shop dot de`); a word of PROSE
 * is prose (`Prices at Amazon dot com`, `we meet at noon dot com`), and so is a contraction's
 * ending (`I'm at amazon dot com`, `it's at bol dot com`); a local part with a dot, `_`,
 * `-`, `+` or a digit is a mailbox whatever it spells.
 */
function bareAddress(g: Spelled, a: { start: number; end: number; domain: string }, local: string, mailboxLike: boolean, dotAfter: boolean): boolean {
  if (!dotAfter || DANGLING.test(g.text.slice(a.end, a.end + 5)) || a.domain.startsWith('www.')) return false;
  if (mailboxLike) return true;
  if (PROSE.has(local) || contraction(g.text, a.start, local)) return false;
  if (!PRONOUNS.has(local)) return true;
  const before = g.text.charCodeAt(a.start - 1) === 0x20 ? a.start - 2 : a.start - 1;
  return before < 0 || !isAlnum(g.text, before);
}

/**
 * A local part shaped like a mailbox's, not a word of prose: letters joined by `.`, `_` or `+`
 * (`bob.stone`, `anna_w`, `j.doe+shop`), ending in a letter or digit. Not a hyphen alone
 * (`check-in at booking.com`, `Mary-Ann at shop.de` are prose as often), not digits beside the
 * mark (`v2.0`, `No.5`, `order 12345`), and not a host or a file's name (`amazon.de at ebay.de`,
 * `invoice.pdf at dropbox.com`: the caller, FILE_ENDING).
 */
const MAILBOX = /\p{L}[._+]\p{L}(?:.*[\p{L}\p{N}])?$/u;

/**
 * A host's name before a bare at (`amazon.de at ebay.de`, `ebay.co.uk at amazon.com`): it ends in a
 * country code or a generic top-level domain of before 2012, not in a brand's or a word's (ICANN
 * has `.dupont`, `.schmidt`, `.kim`, `.ford`, `.bar`, `.name`, `.world`: `jean.dupont at
 * orange.fr` is a mailbox), nor in a country code that is as often a family name (`anna.li`,
 * `wei.ma`, `tom.ng`). The caller tests endsInTopLevel too.
 */
const SITE_TOP = /\.(?:com|net|org|edu|gov|mil|int|info|biz|(?!(?:li|ma|lu|hu|ng|ho|ko|jo)$)[a-z]{2})$/;

/**
 * A file's name (`invoice.pdf at dropbox.com`, `node.js at nodejs.org`, `config.yaml at
 * github.com`), not a mailbox: the common endings of documents, pictures, archives, media,
 * programs, code and configuration. Not one letter (`john.c` is a mailbox) nor a word people end
 * a mailbox with (`.key`, `.art`); `.md`, `.py`, `.sh`, `.rs` are country codes, a host's name already (SITE_TOP).
 */
const FILE_ENDING =
  /\.(?:pdf|jpe?g|png|gif|heic|webp|tiff?|bmp|svg|ico|psd|zip|rar|7z|tar|gz|tgz|bz2|xz|iso|docx?|xlsx?|pptx?|odt|ods|odp|txt|csv|rtf|epub|js|mjs|cjs|ts|jsx|tsx|vue|json|xml|html?|css|scss|php|java|jar|cpp|hpp|kt|swift|dart|lua|rb|go|ipynb|bat|cmd|ps1|yaml|yml|toml|ini|cfg|conf|env|lock|log|sql|db|bak|tmp|dll|bin|wasm|mp[34]|m4a|wav|flac|ogg|mkv|mov|avi|exe|msi|deb|rpm|apk|dmg|eml|msg|ics|vcf)$/;

/**
 * A title before a name (`Mr.Smith at shop.de`, `Dr.Weber at klinikum.de`: a person named at a
 * place) or an abbreviation written with its dots (`Ph.D at mit.edu`, `M.Sc`, `e.g`, `U.S`: every
 * label one or two letters), not a mailbox before a bare at; a title before two names or more
 * (`dr.anna.weber`) begins a mailbox. The trade: `dr.weber at gmail.com` and
 * `jd.li at gmail.com` are kept too; with a spelled dot or a bracketed at (`Mr.Smith (at) shop.de`)
 * they are removed.
 */
function titleOrAbbreviation(local: string): boolean {
  if (!/^[\p{L}.]+$/u.test(local)) return false;
  const labels = local.split('.');
  // A title stands before one name (`Mr.Smith`); with more labels it begins a mailbox
  // (`dr.anna.weber at gmail.com`, round-17 attack).
  return (labels.length === 2 && TITLES.has(labels[0] as string)) || labels.every((l) => l.length >= 1 && l.length <= 2);
}
const TITLES: ReadonlySet<string> = new Set('mr mrs ms mx dr prof st sr jr mt rev fr mme mlle sra srta dott ing dipl mag hr frl'.split(' '));

/** What a word's contracted ending can be in English: `I'm`, `we're`, `it's`, `I'll`, `I'd`, `we've`. */
const CONTRACTED: ReadonlySet<string> = new Set(['m', 're', 's', 'll', 'd', 've']);

/**
 * Whether the local part before a bare ` at ` is a contraction's ending (after `'` or `’`):
 * `I'm at amazon dot com`, `it's at bol dot com`, `Jane's at Target dot com` are a verb and
 * a site, not the mailboxes m@, s@ (the finder starts the local part after the apostrophe, or
 * takes the word whole).
 */
function contraction(t: string, start: number, local: string): boolean {
  const q = Math.max(local.lastIndexOf("'"), local.lastIndexOf('\u2019'));
  if (q > 0) return CONTRACTED.has(local.slice(q + 1)) && isAlnum(local, q - 1);
  const c = t.charCodeAt(start - 1);
  return CONTRACTED.has(local) && (c === 0x27 || c === 0x2019) && isAlnum(t, start - 2);
}

/** The spelled places in [s, e) of the reading, with what each was; bounded by the span's length. */
function kindsIn(g: Spelled, s: number, e: number): [number, Kind][] {
  const lo = firstAtLeast(g.places, s);
  const out: [number, Kind][] = [];
  for (let k = lo; k < g.places.length && (g.places[k] as number) < e; k++) out.push([g.places[k] as number, g.kinds[k] as Kind]);
  return out;
}

/** The reading's index of a source index (writer spans come back as source spans): the first k with g.at(k) >= i. */
function sourceToReading(g: Spelled, i: number): number {
  let lo = 0;
  let hi = g.text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (g.at(mid) < i) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
