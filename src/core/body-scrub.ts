// Owns masking of known real addresses and names inside free text and HTML: signatures, Outlook's
// quoted "From: Name <addr> Sent: …" blocks, "On …, Name <addr> wrote:" lines, mailto: links.
// Searches the folded reading (masking/fold.ts), so case, accents, NFC/NFD, doubled or no-break
// spaces, entities, percent-escapes and tags inside an address or a name change nothing, and an
// address broken by blanks or line breaks around its `@` and dots is still found. Linear: one fold
// of the input, one scan for `@` (each needle is matched outwards from each `@`) and indexOf scans
// per name word, no regex backtracking.
import { mayShowReversed } from './masking/address-finder.js';
import { fold, foldString, type Folded } from './masking/fold.js';
import { blankAfter, blankBack, emphasisLacking, spacesAfter, spacesBack, withWrappers } from './masking/fold-blanks.js';
import { nameVariants } from './masking/name-variants.js';
import { applySpans, type Span } from './masking/spans.js';

export interface MaskTarget {
  /** Real addresses to hide (any case). */
  readonly addresses: readonly string[];
  /** Display names that, when written right before a hidden address, are replaced too. */
  readonly names: readonly string[];
  /**
   * Full names replaced wherever they stand (a staff member's "First Last" in a signature), in
   * every spelling of masking/name-variants.ts, at word boundaries.
   */
  readonly fullNames?: readonly string[];
}

export interface MaskReplacement {
  readonly address: string;
  readonly name: string;
}

export interface MaskResult {
  readonly value: string;
  readonly count: number;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Folded spellings of an address: as written, and with its domain in ASCII (punycode) form. */
export function addressNeedles(address: string): string[] {
  const a = address.trim();
  const at = a.lastIndexOf('@');
  if (a.length < 3 || at < 1) return [];
  const out = new Set([foldString(a)]);
  try {
    // The WHATWG URL parser (a global, no import) applies IDNA: öko-laden.example ↔ xn--ko-laden-….
    const ascii = new URL(`http://${a.slice(at + 1)}`).hostname;
    out.add(foldString(`${a.slice(0, at)}@${ascii}`));
  } catch {
    // not a host name: the written form alone
  }
  return [...out];
}

// Wrappers that may enclose an address right after a display name (folded: `&lt;` reads `<`).
const OPENERS = ['<', '[mailto:', '(', '"', 'mailto:'];

const isWordChar = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);

function precedingName(folded: string, openerStart: number, names: readonly string[]): number | null {
  let i = openerStart;
  while (i > 0 && folded[i - 1] === ' ') i--;
  const quoted = i > 0 && (folded[i - 1] === '"' || folded[i - 1] === "'");
  if (quoted) i--;
  for (const n of names) {
    if (n.length < 2 || !folded.endsWith(n, i)) continue;
    let start = i - n.length;
    if (isWordChar(folded[start - 1])) continue;
    if (quoted && start > 0 && (folded[start - 1] === '"' || folded[start - 1] === "'")) start--;
    return start;
  }
  return null;
}

interface CompiledTarget {
  /** Folded full-name spellings (name-variants.ts). */
  readonly fullNames: readonly string[];
  /** For each full-name spelling, its longest word and where that word starts in it (see anchorOf). */
  readonly anchors: readonly (readonly [string, number])[];
  /** Folded display names and full-name spellings, longest first. */
  readonly names: readonly string[];
  /** Folded address spellings (as written and punycode). */
  readonly needles: readonly string[];
}

// A right-to-left override (U+202E, or HTML's <bdo dir="rtl">, which the sanitiser keeps) shows
// what follows it reversed: `elpmaxe.reyub @ rebew.anna` written under one shows as `anna.weber @
// buyer.example`, `htimS nhoJ` as `John Smith` (the fold drops the override itself, an invisible
// character). A text that holds one is searched for the reversed spellings too.

const reversedOf = (s: string) => [...s].reverse().join('');

const reversedTargets = new WeakMap<CompiledTarget, CompiledTarget>();

/** The target with its addresses and full-name spellings reversed as well (names before an address are not). */
function withReversed(c: CompiledTarget): CompiledTarget {
  let r = reversedTargets.get(c);
  if (!r) {
    const flipped = c.fullNames.map(reversedOf).filter((n) => !c.fullNames.includes(n));
    const fullNames = [...c.fullNames, ...flipped];
    r = { fullNames, anchors: fullNames.map(anchorOf), names: c.names, needles: [...new Set([...c.needles, ...c.needles.map(reversedOf)])] };
    reversedTargets.set(c, r);
  }
  return r;
}

// A target is folded once, not once per call (an HTML part masks every tag's attributes with it).
const compiled = new WeakMap<MaskTarget, CompiledTarget>();

function compile(target: MaskTarget): CompiledTarget {
  let c = compiled.get(target);
  if (!c) {
    const fullNames = [...new Set((target.fullNames ?? []).flatMap(nameVariants))];
    const names = [...new Set([...target.names.map(foldString), ...fullNames])].filter((n) => n.length >= 2).sort((a, b) => b.length - a.length);
    c = { fullNames, anchors: fullNames.map(anchorOf), names, needles: [...new Set(target.addresses.flatMap(addressNeedles))] };
    compiled.set(target, c);
  }
  return c;
}

/**
 * A full-name spelling's longest word (the first of equals) and its place in the spelling: every
 * spelling of one name ("jane doe", "doe, jane", "doe;jane"…) holds the same words, so the text is
 * searched once per word, not once per spelling.
 */
function anchorOf(needle: string): [string, number] {
  let best = '';
  for (const w of needle.split(/[ ,;]+/)) if (w.length > best.length) best = w;
  return best.length >= 2 ? [best, needle.indexOf(best)] : [needle, 0];
}

/** Every place of `word` in `text`, overlapping ones too, ascending. */
function placesOf(text: string, word: string): number[] {
  const out: number[] = [];
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) out.push(at);
  return out;
}

// A folded address with a blank (one space: the fold reads any whitespace run so) on either side of
// its `@` and dots is still the address: RFC 5322 lets CFWS stand there (obs-local-part,
// obs-domain), and a reader joins `anna.weber@` at a line's end to the next line, also in a quoted
// reply, where the next line starts with `>` (the fold reads `@⏎> buyer` as `@ > buyer`).

/**
 * Where `local` starts when it ends right before the `@` at `place` (blanks around `@` and dots
 * allowed), or -1. `comments`: parentheses read as RFC 5322 comments (`anna.weber(work)@`), else
 * as marks that wrap a part (`(anna.weber)@`: a reader reads the local part inside). `emphasis`:
 * the Markdown emphasis marks read as marks too (fold.ts EMPHASIS bits: those the needle lacks).
 */
function localBefore(text: string, place: number, local: string, comments: boolean, emphasis: number): number {
  let j = blankBack(text, place, comments, emphasis);
  for (let k = local.length - 1; k >= 0; k--) {
    const c = local.charCodeAt(k);
    const dot = c === 0x2e || c === 0x40;
    if (dot) j = blankBack(text, j, comments, emphasis);
    if (text.charCodeAt(j - 1) !== c) return -1;
    j--;
    if (dot && k > 0) j = blankBack(text, j, comments, emphasis);
  }
  return j;
}

/** Where `domain` ends when it starts right after the `@` at `place` (blanks around `@` and dots allowed; `comments`, `emphasis` as in localBefore), or -1. */
function domainAfter(text: string, place: number, domain: string, comments: boolean, emphasis: number): number {
  let j = blankAfter(text, place + 1, comments, emphasis);
  for (let k = 0; k < domain.length; k++) {
    const c = domain.charCodeAt(k);
    const dot = c === 0x2e;
    if (dot) j = blankAfter(text, j, comments, emphasis);
    if (text.charCodeAt(j) !== c) return -1;
    j++;
    if (dot && k < domain.length - 1) j = blankAfter(text, j, comments, emphasis);
  }
  return j;
}

// A name's words are separated by a blank as a reader reads one: a space (any whitespace run), or
// a quoted reply's line break, where a client that quotes again re-wraps long lines and puts `> `
// after the break (`John⏎> Smith` folds to `john > smith`, `John⏎>>  Smith` to `john >> smith`):
// fold.ts's spacesBack/spacesAfter, the same blank an address's `@` may have around it.

/** Where a spelling's part `part` starts when it ends at `j`, each space of it a blank; -1 when it is not there. */
function spelledBack(text: string, j: number, part: string): number {
  for (let k = part.length - 1; k >= 0 && j >= 0; k--) {
    const c = part.charCodeAt(k);
    if (c === 0x20) {
      const b = spacesBack(text, j);
      j = b < j ? b : -1;
    } else if (text.charCodeAt(j - 1) === c) j--;
    else return -1;
  }
  return j;
}

/** Where a spelling's part `part` ends when it starts at `j`, each space of it a blank; -1 when it is not there. */
function spelledAfter(text: string, j: number, part: string): number {
  for (let k = 0; k < part.length && j >= 0; k++) {
    const c = part.charCodeAt(k);
    if (c === 0x20) {
      const b = spacesAfter(text, j);
      j = b > j ? b : -1;
    } else if (text.charCodeAt(j) === c) j++;
    else return -1;
  }
  return j;
}

/** Where the run of `@` (blanks between allowed) that ends with the `@` at `at` starts, never before `floor`. */
function atRunStart(text: string, at: number, floor: number): number {
  let first = at;
  for (let k = blankBack(text, first); k - 1 >= floor && text.charCodeAt(k - 1) === 0x40; k = blankBack(text, first)) first = k - 1;
  return first;
}

/**
 * The writer's addresses (with a display name written right before one) and full names in a
 * folded reading of `value`, as source spans with their replacement (escaped for HTML when `html`).
 */
export function writerSpans(value: string, f: Folded, target: MaskTarget, repl: MaskReplacement, html: boolean): Span[] {
  const esc = html ? escapeHtml : (s: string) => s;
  const text = f.text;
  const at = (i: number) => f.at(i);
  const spans: Span[] = [];
  // No `@` in the reading and no full name to look for: nothing can match (an address is found
  // only at an `@`, a display name only before an address), so the target is not even compiled
  // (folding its addresses and their punycode form cost the delivery worker more than the scan:
  // its reply's scrub, README "Round 23: the SMTP thread at 10 KiB").
  if (text.indexOf('@') < 0 && !target.fullNames?.length) return spans;
  const compiledTarget = compile(target);
  const { names } = compiledTarget;
  // Under a right-to-left override the writer may have written them reversed, to be shown forwards.
  const { fullNames, anchors, needles } = mayShowReversed(value, html) ? withReversed(compiledTarget) : compiledTarget;
  const ats: number[] = needles.length ? placesOf(text, '@') : [];
  for (const needle of needles) {
    const split = needle.lastIndexOf('@');
    const local = needle.slice(0, split);
    const domain = needle.slice(split + 1);
    // Markdown's emphasis around its parts (`anna.weber@*buyer.example*`, `**anna.weber**@…`), of
    // the marks the part itself does not hold (`anna_weber@…` keeps `_` as its own character).
    const [localEmphasis, domainEmphasis] = [emphasisLacking(local), emphasisLacking(domain)];
    let from = 0;
    for (const place of ats) {
      // A run of @ (`anna.weber@@buyer.example`, a .doc's SYMBOL field after its @), of any length
      // and with blanks between (`anna.weber@ @buyer.example`, `@"@"`), reads as one, from its
      // last; the local part ends at its first. Linear: only a run's last @ walks back through it.
      if (place < from || text.charCodeAt(blankAfter(text, place + 1)) === 0x40) continue;
      const first = atRunStart(text, place, from);
      // Parentheses as comments first, then as marks around a part (`(anna.weber)@…`).
      let hit = localBefore(text, first, local, true, localEmphasis);
      if (hit < 0) hit = localBefore(text, first, local, false, localEmphasis);
      let end = hit < 0 ? -1 : domainAfter(text, place, domain, true, domainEmphasis);
      if (hit >= 0 && end < 0) end = domainAfter(text, place, domain, false, domainEmphasis);
      if (end < 0) continue;
      // The quotes, brackets and emphasis that wrap its parts go with it (`"anna.weber"@"buyer.example"`).
      [hit, end] = withWrappers(text, hit, end, from, { local: localEmphasis, domain: domainEmphasis, at: first });
      from = end;
      let start = hit;
      let out = esc(repl.address);
      for (const opener of OPENERS) {
        if (!text.startsWith(opener, hit - opener.length)) continue;
        const nameStart = precedingName(text, hit - opener.length, names);
        if (nameStart !== null) {
          const openerSource = value.slice(at(hit - opener.length), at(hit));
          out = `${esc(repl.name)} ${/^\s*"/.test(openerSource) ? '' : openerSource}${esc(repl.address)}`;
          start = nameStart;
        }
        break;
      }
      spans.push({ start: at(start), end: at(end), text: out });
    }
  }
  // Each spelling is found where its anchor word stands (the same places, left to right, without
  // overlapping itself, as an indexOf loop over the spelling finds).
  const places = new Map<string, number[]>();
  for (const [k, needle] of fullNames.entries()) {
    const [word, offset] = anchors[k] as readonly [string, number];
    const before = needle.slice(0, offset);
    const after = needle.slice(offset + word.length);
    let found = places.get(word);
    if (!found) places.set(word, (found = placesOf(text, word)));
    let from = 0;
    for (const place of found) {
      const hit = spelledBack(text, place, before);
      if (hit < from) continue;
      const end = spelledAfter(text, place + word.length, after);
      if (end < 0) continue;
      from = end;
      if (isWordChar(text[hit - 1]) || isWordChar(text[end])) continue;
      spans.push({ start: at(hit), end: at(end), text: esc(repl.name) });
    }
  }
  return spans;
}

function mask(value: string, target: MaskTarget, repl: MaskReplacement, html: boolean): MaskResult {
  const r = applySpans(value, writerSpans(value, fold(value, html), target, repl, html), html);
  return { value: r.value, count: r.count };
}

export function maskText(value: string, target: MaskTarget, repl: MaskReplacement): MaskResult {
  return mask(value, target, repl, false);
}

const TAG = /<[a-z][^<>]{0,10000}>/gi;

/**
 * The text a reader sees (tags read as nothing), then the attribute values inside tags (href,
 * title, alt…), which the reader's text does not include.
 */
export function maskHtml(value: string, target: MaskTarget, repl: MaskReplacement): MaskResult {
  const seen = mask(value, target, repl, true);
  let count = seen.count;
  const out = seen.value.replace(TAG, (tag) => {
    if (!/[@%&\uff20]/.test(tag)) return tag;
    // Escaped replacements: a store name with a quote must not end the attribute.
    const r = mask(tag, target, { address: escapeHtml(repl.address), name: escapeHtml(repl.name) }, false);
    count += r.count;
    return r.value;
  });
  return { value: out, count };
}
