// Owns finding email addresses however they are written: on the folded reading (see fold.ts), so
// an address with an entity, a percent-escape, a zero-width character or a tag in the middle is
// still one; local parts and domains in any script (`jürgen@straße.example` is found whole, never
// half). Linear: one scan for `@`, each looking a bounded distance around it.
import { parse } from 'tldts';
import { fold, type Folded } from './fold.js';
import { blankAfter, blankBack, EMPHASIS, emphasisBit, isWrapMark, withWrappers } from './fold-blanks.js';

export interface FoundAddress {
  /** Span in the source text, [start, end). */
  readonly start: number;
  readonly end: number;
  /** The address as folded (lowercase, accents dropped, escapes decoded). */
  readonly folded: string;
  /** The domain as folded, without a trailing dot. */
  readonly domain: string;
  /** Where the domain starts in the source (after `@`, `%40`, `&#64;`…). */
  readonly domainStart: number;
}

// Characters that end a local part (RFC 5322 specials, whitespace) and the punctuation that wraps
// an address in prose ("mail:bob@…", "(bob@…)"), which a local part does not start with.
// Typographic quotes and brackets end one too (`“bob”@shop.example`).
const LOCAL_STOP = new Set([...' \t\n\r\f\v<>()[]{}"\'@,;:\\|“”„‟«»‹›「」『』‘’‚‛〈〉《》【】'].map((c) => c.charCodeAt(0)));
const LEAD = /^[.\-=/?&#!*+~`^%$]+/;
const isDomainChar = (c: number, ch: string) =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || (c >= 0x41 && c <= 0x5a) || (c >= 0x80 && /[\p{L}\p{N}]/u.test(ch));

/**
 * Every address in a folded reading, as source spans: from each `@`, a local part of up to 64
 * characters that are not delimiters to the left, and up to 11 labels of letters (any script),
 * digits and hyphens to the right. A blank (any whitespace run, line breaks included: the fold
 * reads it as one space) may stand on either side of the `@`, as RFC 5322's CFWS may
 * (obs-local-part, obs-domain) and as a reader joins `anna@` at a line's end to the next line; such
 * an address needs a domain of two labels or more whose last is letters and a top-level domain
 * (`bob @ shop.example`, not `me @ 5pm`, `at @ 5.30` or `x @ self.weight`), and one with a blank
 * before the @ only is not a decorator call (`return item⏎@app.post(…)`: a `(` right after it).
 * The blank may hold RFC 5322 comments (nested or many) and the quotes and brackets that wrap a
 * part (`"bob"@"shop.example"`, `<bob>@shop.example`, `(bob)@…`, `"bob".smith@…`, `bob@"shop".example`,
 * fold-blanks.ts blankBack/blankAfter), under the same rule, and the span takes the marks (withWrappers).
 * Markdown's emphasis (`*`, `_`, `~`) is read so on the domain side (`bob@*shop.example*`,
 * `bob@*shop*.example`: a domain holds none of them), under the same rule, and around a local part
 * only as a run that opens it and the same run that closes it (`*bob*@…`, `__bob__@…`; not
 * `snake_case@…`, `x*y@z`). A
 * run of `@` (blanks between allowed) reads as one, from its last. Linear: each `@` looks at most a blank (384 characters) and
 * a local part of quoted words (128) back, and a blank and the domain's length ahead, and the scan
 * resumes after the domain.
 */
export function findAddressesIn(f: Folded): FoundAddress[] {
  const found: FoundAddress[] = [];
  const t = f.text;
  let from = 0;
  let floor = 0; // a local part never reaches back into the previous address
  for (;;) {
    const at = t.indexOf('@', from);
    if (at < 0) break;
    from = at + 1;
    // A run of @ (`bob@@shop.example`) reads as one, from its last, as a blank does (the
    // top-level-domain rule applies); the local part ends at its first.
    if (t.charCodeAt(blankAfter(t, at + 1)) === 0x40) continue;
    let first = at;
    for (let k = blankBack(t, first); k - 1 >= floor && t.charCodeAt(k - 1) === 0x40; k = blankBack(t, first)) first = k - 1;
    // A blank before the @: a space, or a quoted reply's line break (`bob⏎> @shop.example`), a
    // comment, a mark that wraps the local part (`"bob"@`, `<bob>@`).
    let [start, localEnd] = localPart(t, first, floor, true);
    // `(bob)@shop.example`: parentheses around the local part, read so when the comment reading
    // finds no local part (the comment reading's span holds the other's: `bob (home)@…` is not
    // left as `bob [email removed]`, though `write to (bob)@…` loses its `to`).
    if (start >= localEnd && t.charCodeAt(blankBack(t, first, false)) === 0x29) {
      const [s2, e2] = localPart(t, first, floor, false);
      if (s2 < e2 && t.charCodeAt(s2 - 1) === 0x28) [start, localEnd] = [s2, e2];
    }
    if (start >= localEnd) continue;
    // `*bob*@…`, `**bob**@…`: emphasis around the local part, read past (the span keeps it).
    const inner = emphasised(t, start, localEnd, floor);
    if (inner) start = inner[0];
    const local = inner ? t.slice(inner[1], inner[2]) : t.slice(start, localEnd);
    // Domain: labels separated by single dots; a trailing dot is not part of it.
    // An address literal (`bob@[192.0.2.7]`, `bob@[ipv6:2001:db8::1]`, RFC 5321) or a domain in
    // brackets, right after the @: delivered to as it stands, or read as the domain.
    if (localEnd === at && t.charCodeAt(at + 1) === 0x5b) {
      const inside = t.slice(at + 2, at + LITERAL_MAX).indexOf(']');
      const close = at + 2 + inside;
      const literal = inside >= 0 ? t.slice(at + 2, close) : '';
      if (ADDRESS_LITERAL.test(literal)) {
        found.push({
          start: f.at(start),
          end: f.at(close + 1),
          folded: `${local}@[${literal}]`,
          domain: literal,
          domainStart: f.at(at + 1),
        });
        from = close + 1;
        floor = close + 1;
        continue;
      }
    }
    let domainStart = blankAfter(t, at + 1, true, EMPHASIS);
    let [end, parts] = labels(t, domainStart);
    // `bob@(shop.example)`: parentheses around the domain, not a comment before it (`bob@(home)
    // shop.example`); read so when the comment reading finds less than a domain and this more.
    const wrappedStart = parts.length < 2 ? blankAfter(t, at + 1, false) : 0;
    if (t.charCodeAt(wrappedStart - 1) === 0x28) {
      const [e2, p2] = labels(t, wrappedStart);
      if (p2.length > parts.length && t.charCodeAt(nextSolid(t, e2)) === 0x29) [domainStart, end, parts] = [wrappedStart, e2, p2];
    }
    if (parts.length === 0) continue;
    // A blank before a dot (`shop . example`, `shop .example`; not `home. It`, a sentence's end)
    // still joins labels when the domain so read ends in a top-level domain.
    const wider = blankDotted(t, end, parts);
    if (wider) end = wider;
    const top = parts[parts.length - 1] as string;
    const domain = parts.join('.');
    // Emphasis after the @ counts as a blank: `a@_w.T`, `x@*ptr` in code stay.
    const spaced = localEnd !== at || domainStart !== at + 1;
    if ((spaced || wider) && (parts.length < 2 || !TOP_LABEL.test(top) || !knownTopLevel(domain, top))) continue;
    // A decorator call on the line after a statement (`return item⏎@app.post("/items")`,
    // `@click.group()`): a blank before the @ only, and a `(` right after the domain.
    if (localEnd !== at && domainStart === at + 1 && !wider && t.charCodeAt(end) === 0x28) continue;
    // The quotes and brackets that wrap its parts go with it (`"bob"@"shop.example"`, `<bob>@…`).
    // Emphasis on the domain side only (`anna_weber@…` keeps its `_`).
    [start, end] = withWrappers(t, start, end, floor, { local: 0, domain: EMPHASIS, at: first });
    found.push({ start: f.at(start), end: f.at(end), folded: `${local}@${domain}`, domain, domainStart: f.at(domainStart) });
    from = end;
    floor = end;
  }
  return found;
}

/**
 * The local part that ends, after a blank (blankBack, `comments` as there), at the @ at `at`:
 * [start, end] in the folded reading, start === end when there is none. Up to 64 characters that
 * are not delimiters, none before `floor`, leading punctuation left out.
 */
function localPart(t: string, at: number, floor: number, comments: boolean): [number, number] {
  const localEnd = Math.max(floor, blankBack(t, at, comments));
  let start = wordBack(t, localEnd, floor);
  if (start === localEnd) return [localEnd, localEnd];
  // Words of it quoted or bracketed (`"bob".smith@`, `bob."smith"@`: RFC 5322's obs-local-part
  // lets each word be quoted), or a comment beside a dot (`bob(x).smith@`): read on across.
  for (let n = 0; n < 8 && start > floor && localEnd - start < 128; n++) {
    let dot = start;
    if (t.charCodeAt(dot) !== 0x2e) {
      dot = blankBack(t, start, comments);
      if (dot === start || t.charCodeAt(dot - 1) !== 0x2e) break;
      dot--;
    }
    const wordEnd = Math.max(floor, blankBack(t, dot, comments));
    if (wordEnd === dot && dot === start) break;
    const wordStart = wordBack(t, wordEnd, floor);
    if (wordStart === wordEnd) break;
    start = wordStart;
  }
  start += LEAD.exec(t.slice(start, localEnd))?.[0].length ?? 0;
  return [Math.min(start, localEnd), localEnd];
}

/**
 * When the local part [start, end) is wrapped in Markdown emphasis, a run of one of `*`, `_`, `~`
 * (three at most) that opens it and the same run that closes it (`*bob*`, `__bob__`; the opener
 * may stand right before `start`, left out as leading punctuation): [where the opener starts, where
 * the part inside starts, where it ends]; else undefined. Not before `floor`.
 */
function emphasised(t: string, start: number, end: number, floor: number): [number, number, number] | undefined {
  const c = t.charCodeAt(end - 1);
  if (!emphasisBit(c)) return undefined;
  let n = 1;
  while (n < 4 && t.charCodeAt(end - 1 - n) === c) n++;
  if (n > 3) return undefined;
  let open = start;
  while (open > floor && start - open < n && t.charCodeAt(open - 1) === c) open--;
  if (open > floor && t.charCodeAt(open - 1) === c) return undefined;
  let m = 0;
  while (m <= n && t.charCodeAt(open + m) === c) m++;
  if (m !== n || open + n >= end - n) return undefined;
  return [open, open + n, end - n];
}

/** Where a run of local-part characters (64 at most) that ends at `end` starts, not before `floor`. */
function wordBack(t: string, end: number, floor: number): number {
  let start = end;
  while (start > floor && end - start < 64 && !LOCAL_STOP.has(t.charCodeAt(start - 1)) && !isWrapMark(t.charCodeAt(start - 1))) start--;
  return start;
}

/** The first place at or after `j` that is not a space (16 at most looked at). */
function nextSolid(t: string, j: number): number {
  let k = j;
  while (t.charCodeAt(k) === 0x20 && k - j < 16) k++;
  return k;
}

/**
 * Where a label that starts at `from` ends (63 characters at most): letters, digits and hyphens,
 * and an underscore between them (`s_h_o_p`, `shop_mail`: no host name holds one, but a reader
 * reads the domain on across it, so `b_o_b@s_h_o_p.de` goes whole, not `bob@s` leaving `_h_o_p.de`).
 * Not a leading or trailing one: Markdown's emphasis (`bob@_shop.de_`).
 */
function labelEnd(t: string, from: number): number {
  let k = from;
  while (k < t.length && k - from < 63) {
    const c = t.charCodeAt(k);
    if (isDomainChar(c, t[k] as string) || (c === 0x5f && k > from && isDomainChar(t.charCodeAt(k + 1), (t[k + 1] ?? '') as string))) k++;
    else break;
  }
  return k;
}

/** The labels of a domain that starts at `from`: [where they end, the labels]. */
function labels(t: string, from: number): [number, string[]] {
  let end = from;
  const parts: string[] = [];
  for (;;) {
    const k = labelEnd(t, end);
    if (k === end) break;
    parts.push(t.slice(end, k));
    end = k;
    if (parts.length === 11 || t[end] !== '.' || end + 1 >= t.length || !isDomainChar(t.charCodeAt(end + 1), t[end + 1] as string)) break;
    end++;
  }
  return [end, parts];
}

/**
 * When labels go on after `end` across a blank before a dot (` . `, ` .`), pushes them onto `parts`
 * (11 labels in all at most) and returns where the last ends; 0 when none does (parts unchanged).
 */
function blankDotted(t: string, end: number, parts: string[]): number {
  const before = parts.length;
  let at = end;
  while (parts.length < 11) {
    // A blank (spaces, comments, quotes, brackets, emphasis) before the dot, or marks or a comment
    // after it (`shop."example"`, `shop.*example*`); spaces after it alone are a sentence's end (`home. It`).
    const dot = blankAfter(t, at, true, EMPHASIS);
    if (t.charCodeAt(dot) !== 0x2e) break;
    const j = blankAfter(t, dot + 1, true, EMPHASIS);
    if (dot === at && t.slice(dot + 1, j).trim() === '') break;
    const k = labelEnd(t, j);
    if (k === j) break;
    parts.push(t.slice(j, k));
    at = k;
    // Plain dots after it, as in the first labels.
    while (parts.length < 11 && t[at] === '.' && isDomainChar(t.charCodeAt(at + 1), (t[at + 1] ?? '') as string)) {
      const m = labelEnd(t, at + 1);
      parts.push(t.slice(at + 1, m));
      at = m;
    }
  }
  if (parts.length === before) return 0;
  const top = parts[parts.length - 1] as string;
  if (TOP_LABEL.test(top) && knownTopLevel(parts.join('.'), top)) return at;
  parts.length = before;
  return 0;
}

// What an address literal holds: IPv4's dotted quad, `ipv6:` and hex groups, or a domain of two
// labels or more ending in letters (read as the domain it names). The brackets included, at most
// LITERAL_MAX characters from the @.
const ADDRESS_LITERAL = /^(?:\d{1,3}(?:\.\d{1,3}){3}|ipv6:[0-9a-f:.]{2,45}|[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){0,9}\.\p{L}{2,63})$/u;
const LITERAL_MAX = 256;

// The last label of a spaced address's domain: letters only (any script), two or more.
const TOP_LABEL = /^\p{L}{2,}$/u;
// Top-level names kept for documentation and tests (RFC 2606, RFC 6761): no registry lists them.
const RESERVED_TOP = new Set(['example', 'test', 'invalid', 'localhost']);

/**
 * True when a spaced address's domain ends in a top-level domain (ICANN's, from the public suffix
 * list tldts carries, or a reserved one): `bob @ shop.de` is an address, while code (`x @
 * self.weight`, `import pytest⏎@pytest.fixture`) and prose that misses a blank (`call me @
 * home.Bye`) are not.
 */
function knownTopLevel(domain: string, top: string): boolean {
  return RESERVED_TOP.has(top) || parse(domain, { allowPrivateDomains: false }).isIcann === true;
}

/**
 * The addresses a text shows when it is shown reversed, as a right-to-left override (U+202E,
 * `<bdo dir="rtl">`) shows what follows it: found on the folded reading reversed (`elpmaxe.pohs @
 * bob` shows `bob @ shop.example`), as source spans; `folded` and `domain` as shown. The caller
 * asks only for a text that holds an override.
 */
export function findReversedAddressesIn(f: Folded): FoundAddress[] {
  const n = f.text.length;
  const reversed = f.text.split('').reverse().join('');
  return findAddressesIn({ text: reversed, at: (k) => k }).map((a) => ({
    start: f.at(n - a.end),
    end: f.at(n - a.start),
    folded: a.folded,
    domain: a.domain,
    domainStart: f.at(n - a.end),
  }));
}

/** A right-to-left override: what follows it is shown reversed (see findReversedAddressesIn). */
export function mayShowReversed(src: string, html: boolean): boolean {
  // indexOf is a native search (~0.02 ms a MiB); a regex over every text cost ~0.15 ms a MiB, twice
  // a part. A tag name is looked for in HTML only: in a text part `<bdo>` shows as itself.
  return src.includes('\u202e') || (html && BDO.test(src));
}
const BDO = /<bdo\b/i;

// Without one of these no reading of the text has an @ in it: no fold needed.
const MAY_HOLD_AT = /[@%&\uff20\ufe6b]/;

/** True when a folded domain has two labels or more and ends in a top-level domain, as a spaced address's must (knownTopLevel). */
export function endsInTopLevel(domain: string): boolean {
  const dot = domain.lastIndexOf('.');
  const top = domain.slice(dot + 1);
  return dot > 0 && TOP_LABEL.test(top) && knownTopLevel(domain, top);
}

/** Every address in source text (HTML when `html`: tags read as nothing). */
export function findAddresses(text: string, html = false): FoundAddress[] {
  if (!MAY_HOLD_AT.test(text)) return [];
  return findAddressesIn(fold(text, html));
}

/** True when the domain is one of ours (or a subdomain of one): such addresses are kept. */
export function keptDomain(domain: string, keepDomains: readonly string[]): boolean {
  const d = domain.toLowerCase();
  return keepDomains.some((k) => d === k.toLowerCase());
}
