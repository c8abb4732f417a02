// Owns the folded reading of text that every address and name search runs on: lowercase, accents
// and other combining marks dropped (NFC and NFD read the same), ß as ss, every run of whitespace
// (tab, line end, NEL, no-break space…) one space, invisible characters (zero-width, soft hyphen,
// control characters: `anna@<U+0001>shop.example` shows as an address) gone,
// HTML entities and percent-escapes decoded (escapes inside escapes too, as a program that
// unescapes the text again and again reads them: `%2540`, `&#37;40`, `%%34%30` read `@`), and — for HTML — tags and comments read as nothing
// (block tags as a space), so `john<span></span>&#46;smith%40acme.example` reads
// `john.smith@acme.example`. Linear: one pass, every character looked at once; plain ASCII is
// copied in a tight loop through a table, other characters read through a table filled as they
// are met, into buffers kept between calls; the source map is kept as segments (Folded.at). A
// text that is all plain ASCII without `%` or `&` (most message bodies) is read by fold-ascii.ts.
// The plain reading (`plain`) is what a reader sees with case, accents and percent-escapes kept
// (each character in NFKC): it judges links, whose host must not be folded (shöp ≠ shop).
// Entities are decoded by `entities` (the decoder htmlparser2 and sanitize-html use), so every
// named entity of HTML5 reads as a browser shows it.
// Its parts: fold-chars.ts (one character), fold-escapes.ts (entities and percent-escapes),
// fold-out.ts (the buffers and the source map); fold-blanks.ts reads blanks in a folded text.
import { foldPlainAscii } from './fold-ascii.js';
import { MORE, readingOf, SPACE } from './fold-chars.js';
import { entityAt, mayNest, nestedAt, NextOf, percentAt, type Semis } from './fold-escapes.js';
import { borrowScratch8, Out, pushFolded, pushPlain, Reading, type Folded } from './fold-out.js';

export type { Folded } from './fold-out.js';
export { foldChar } from './fold-chars.js';

// Tags after which a reader sees a break: a name or address cannot run across them.
const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3',
  'h4', 'h5', 'h6', 'header', 'hr', 'img', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul',
]); // prettier-ignore

/**
 * Texts at least this long are first tried with fold-ascii.ts (plain ASCII, no `%` or `&`): below
 * it, its checks cost more than the loop they spare.
 */
const NATIVE_FROM = 256;

/**
 * Folds `src` (see the module comment). `html`: tags and comments read as nothing or a space.
 * `plain`: the reader's text only (entities decoded, tags, invisible characters dropped, NFKC),
 * no lowercase, no accents dropped, percent-escapes kept.
 */
export function fold(src: string, html = false, plain = false): Folded {
  if (!html && !plain && src.length >= NATIVE_FROM) {
    const r = foldPlainAscii(src, borrowScratch8);
    if (r) return new Reading(r.text, r.text.length, src.length, r.F, r.S);
  }
  return foldEachCharacter(src, html, plain);
}

// An image's alt text (HTML §4.8.4.4): a reader sees it in the image's place when pictures are not
// shown (Outlook's default for a sender it does not know) or the picture is missing, inline, so it
// is read as text there (entities decoded), not as the image's break (round-18 attack:
// `anna.private<img src="cid:x" alt="@">othermail.example` showed an address).
const ALT = /\salt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/i;

/** Where the non-empty alt value of the tag [i, end] stands in `src`, or null. */
function altSpan(src: string, i: number, end: number): [number, number] | null {
  const m = ALT.exec(src.slice(i, end));
  const v = m ? (m[1] ?? m[2] ?? m[3] ?? '') : '';
  if (!m || v === '') return null;
  const start = i + m.index + m[0].length - v.length - (m[3] === undefined ? 1 : 0);
  return [start, start + v.length];
}

/** The alt value [s, e) of `src` read as text: entities decoded, whitespace one space, each character as the fold reads it. */
function readAlt(out: Out, src: string, [s, e]: [number, number], pushChar: (out: Out, ch: string, at: number) => void, semis: Semis): void {
  for (let j = s; j < e;) {
    const c = src.charCodeAt(j);
    if (c === 0x26) {
      const r = entityAt(src, j, semis);
      if (r && j + r[1] <= e) {
        for (const ch of r[0]) pushChar(out, ch, j);
        j += r[1];
        continue;
      }
    }
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
      out.space(j);
      j++;
      continue;
    }
    const ch = String.fromCodePoint(src.codePointAt(j) as number);
    pushChar(out, ch, j);
    j += ch.length;
  }
}

/** fold's reading made character by character, for any text (fold tries fold-ascii.ts first). */
export function foldEachCharacter(src: string, html: boolean, plain: boolean): Folded {
  const n = src.length;
  const out = new Out(n);
  const pushChar = plain ? pushPlain : pushFolded;
  const lower = plain ? 0 : 32;
  const semis = new NextOf(src, ';');
  const tagEnds = new NextOf(src, '>');
  let i = 0;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c < 0x80 && c !== 0x25 && c !== 0x26 && c !== 0x3c) {
      i = out.ascii(src, i, n, lower);
      continue;
    }
    if (c === 0x3c && html) {
      const next = src.charCodeAt(i + 1);
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i + 4);
        i = end < 0 ? n : end + 3;
        continue;
      }
      const tagLike = next === 0x2f || next === 0x21 || next === 0x3f || (next >= 0x41 && next <= 0x5a) || (next >= 0x61 && next <= 0x7a);
      const end = tagLike ? tagEnds.from(i + 1) : -1;
      if (end >= 0) {
        const name = /^<\/?([a-z0-9]{1,12})/i.exec(src.slice(i, Math.min(end, i + 14)))?.[1]?.toLowerCase();
        const alt = name === 'img' ? altSpan(src, i, end) : null;
        if (alt) readAlt(out, src, alt, pushChar, semis);
        else if (name && BLOCK_TAGS.has(name)) out.space(i);
        i = end + 1;
        continue;
      }
    }
    if (c === 0x26) {
      // &lt; &gt; &amp; (what sanitize-html writes for every < > & of the text) read at once.
      const c1 = src.charCodeAt(i + 1);
      const c2 = src.charCodeAt(i + 2);
      const c3 = src.charCodeAt(i + 3);
      if (c2 === 0x74 && c3 === 0x3b && (c1 === 0x6c || c1 === 0x67)) {
        out.push(c1 === 0x6c ? 0x3c : 0x3e, i);
        i += 4;
        continue;
      }
      let e: [string, number] | null = c1 === 0x61 && c2 === 0x6d && c3 === 0x70 && src.charCodeAt(i + 4) === 0x3b ? ['&', 5] : entityAt(src, i, semis);
      // An entity that reads `&` or `%`, or a `&` that starts none, read again (nestedAt).
      if (!plain && (e ? e[0] === '&' || e[0] === '%' : mayNest(src, i, false))) e = nestedAt(src, i) ?? e;
      if (e) {
        if (e[0] === '&') out.push(0x26, i);
        else for (const ch of e[0]) pushChar(out, ch, i);
        i += e[1];
        continue;
      }
    }
    if (c === 0x25 && !plain) {
      let p = percentAt(src, i);
      if (p ? p[0] === '%' || p[0] === '&' : mayNest(src, i, true)) p = nestedAt(src, i) ?? p;
      if (p) {
        pushFolded(out, p[0], i);
        i += p[1];
        continue;
      }
    }
    if (c < 0x80) {
      out.push(c, i);
      i++;
      continue;
    }
    if (c < 0xd800 || c > 0xdfff) {
      // One unit of the Basic Multilingual Plane: its reading from the table.
      const v = readingOf(c, plain);
      if (v > 0) out.push(v - 1, i);
      else if (v === SPACE) out.space(i);
      else if (v === MORE) pushChar(out, src[i] as string, i);
      i++;
      continue;
    }
    const cp = src.codePointAt(i) as number;
    const ch = String.fromCodePoint(cp);
    pushChar(out, ch, i);
    i += ch.length;
  }
  return out.finish(n);
}

/** The folded form of a needle (an address or a name) with no source map. */
export function foldString(s: string): string {
  return fold(s).text.trim();
}
