// Owns what address searches (body-scrub.ts, address-finder.ts) read past inside an address in a
// folded reading (fold.ts): blanks (spaces, quote marks of a quoted reply, RFC 5322 comments),
// wrapping quotes and brackets, and emphasis marks.

// A blank in a folded reading, as address searches read it (body-scrub.ts, address-finder.ts): a
// space (any whitespace run), then any quote marks and spaces, as a quoted reply's line break reads
// (`anna@⏎> shop.example` folds to `anna@ > shop.example`).
// How many spaces and quote marks one blank may hold (`⏎> > > `): a long run of `>` stays linear.
const BLANK_MAX = 16;

// The longest RFC 5322 comment read as a blank (`anna.weber(work)@shop.example`), parentheses
// included, nested ones too (`anna.weber((x)y)@…`: a depth count, no recursion).
const COMMENT_MAX = 66;

// The most folded characters one blank (before or after an `@` or a dot) may span: any number of
// spaces, comments and wrapping marks within it (`anna.weber(a)(b)(c)(d)(e)@…`). A bound keeps
// hostile text linear: each `@` and each dot of a needle looks at most this far, whatever follows.
// More than the four comments with their runs of spaces read before (4 × (66 + 16)); a longer run
// is a passage of text, not something a reader reads past inside an address.
const BLANK_SPAN = 384;

/**
 * The marks that wrap a part of an address (`"anna.weber"@…`, `anna.weber@'buyer.example'`,
 * `<anna.weber>@<buyer.example>`, `[anna.weber]@…`, `“anna.weber”@…`, `«anna.weber»@…`), which a
 * reader reads past: for each, the family it pairs within and its shape (QUOTE: it opens or closes
 * by where it stands, as `"` and `»`, which opens a German quotation and closes a French one).
 * Parentheses are marks only when they are not read as comments (`(anna.weber)@buyer.example`: a
 * comment hides the local part from a parser, but a reader reads it). Fullwidth forms (＜, （) are
 * folded to these already (NFKC).
 */
const MARKS = new Map<number, readonly [family: string, shape: number]>();
const QUOTE = 0;
const OPENS = 1;
const CLOSES = -1;
for (const q of '"“”„‟«»‹›「」『』') MARKS.set(q.charCodeAt(0), ['"', QUOTE]);
for (const q of "'‘’‚‛") MARKS.set(q.charCodeAt(0), ["'", QUOTE]);
MARKS.set(0x60, ['`', QUOTE]);
// A backslash escapes the next character (RFC 5322's quoted-pair, Markdown): `anna.weber\@buyer.example` reads whole.
MARKS.set(0x5c, ['\\', QUOTE]);
for (const [o, c] of ['()', '<>', '[]', '〈〉', '《》', '【】']) {
  MARKS.set((o as string).charCodeAt(0), [o as string, OPENS]);
  MARKS.set((c as string).charCodeAt(0), [o as string, CLOSES]);
}
MARKS.set(0x7b, ['{', OPENS]);
MARKS.set(0x7d, ['{', CLOSES]);
// Every other bracket and quotation mark, by Unicode's general category (`⟨⟩`, `〔〕`, `❨❩`, `⸂⸃` …):
// Ps opens and Pe closes (a bracket pairs with the closer right after it, else with any closer not
// so paired); Pi and Pf are quotes that open or close by where they stand. Read when first met.
const UNICODE_MARK = /^[\p{Ps}\p{Pe}\p{Pi}\p{Pf}]$/u;
const NOT_A_MARK = new Set<number>();

/** The mark `c` is (MARKS, then its Unicode category), or undefined. */
function markOf(c: number): readonly [family: string, shape: number] | undefined {
  const known = MARKS.get(c);
  if (known || c < 0x80 || NOT_A_MARK.has(c)) return known;
  const ch = String.fromCharCode(c);
  if (!UNICODE_MARK.test(ch)) {
    NOT_A_MARK.add(c);
    return undefined;
  }
  if (/\p{Pi}|\p{Pf}/u.test(ch)) MARKS.set(c, ['"', QUOTE]);
  else if (/\p{Ps}/u.test(ch)) {
    const pairs = /\p{Pe}/u.test(String.fromCharCode(c + 1));
    MARKS.set(c, [pairs ? ch : '\u27e8', OPENS]);
  } else {
    const pairs = /\p{Ps}/u.test(String.fromCharCode(c - 1));
    MARKS.set(c, [pairs ? String.fromCharCode(c - 1) : '\u27e8', CLOSES]);
  }
  return MARKS.get(c);
}

/** True for a mark that may wrap a part of an address (a quote or a bracket: MARKS). */
export const isWrapMark = (c: number): boolean => markOf(c) !== undefined;

/**
 * Markdown's emphasis (`*`, `_`, `~`, single or doubled: CommonMark's emphasis, GFM's
 * strikethrough), as bits of a set: which of them a search reads as marks that wrap a part
 * (`anna.weber@*buyer.example*`, `**anna.weber**@…`). They are RFC 5322 atext, so a search reads
 * them so only where a part cannot hold them: EMPHASIS for a domain, emphasisLacking(needle) for
 * the writer's address.
 */
export const EMPHASIS = 7;
/** The emphasis bit of `c` (`*` 1, `_` 2, `~` 4), 0 for any other character. */
export const emphasisBit = (c: number): number => (c === 0x2a ? 1 : c === 0x5f ? 2 : c === 0x7e ? 4 : 0);
/** The emphasis marks (bits, see EMPHASIS) that `s` does not hold. */
export function emphasisLacking(s: string): number {
  return EMPHASIS & ~((s.includes('*') ? 1 : 0) | (s.includes('_') ? 2 : 0) | (s.includes('~') ? 4 : 0));
}

const isMark = (c: number, parens: boolean, emphasis: number) =>
  (markOf(c) !== undefined && (parens || (c !== 0x28 && c !== 0x29))) || (emphasisBit(c) & emphasis) !== 0;

/** Where a run of spaces and quote marks that ends at `j` starts (it starts with a space), or `j`. */
export function spacesBack(text: string, j: number): number {
  let k = j;
  while (k > 0 && j - k < BLANK_MAX && (text.charCodeAt(k - 1) === 0x20 || text.charCodeAt(k - 1) === 0x3e)) k--;
  // It starts with the space of the line break: a `>` right after a word is the word's.
  while (k < j && text.charCodeAt(k) === 0x3e) k++;
  return k;
}

/**
 * Where a run of spaces and quote marks that starts at `j` with a space ends, or `j`; at most
 * BLANK_MAX characters from `origin` (where the blank it belongs to starts).
 */
export function spacesAfter(text: string, j: number, origin = j): number {
  if (text.charCodeAt(j) !== 0x20) return j;
  let m = j + 1;
  while (m < text.length && m - origin < BLANK_MAX && (text.charCodeAt(m) === 0x20 || text.charCodeAt(m) === 0x3e)) m++;
  return m;
}

/** Where an RFC 5322 comment (`(…)`, comments nested inside) that ends at `j` starts, or `j`. */
function commentBack(text: string, j: number, span: number): number {
  if (text.charCodeAt(j - 1) !== 0x29) return j;
  const most = Math.min(span, COMMENT_MAX);
  let depth = 0;
  for (let k = j - 1; k >= 0 && j - k <= most; k--) {
    const c = text.charCodeAt(k);
    if (c === 0x29) depth++;
    else if (c === 0x28 && --depth === 0) return k;
  }
  return j;
}

/** Where an RFC 5322 comment (comments nested inside) that starts at `j` ends, or `j`. */
function commentAfter(text: string, j: number, span: number): number {
  if (text.charCodeAt(j) !== 0x28) return j;
  const most = Math.min(span, COMMENT_MAX);
  let depth = 0;
  for (let k = j; k < text.length && k + 1 - j <= most; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x28) depth++;
    else if (c === 0x29 && --depth === 0) return k + 1;
  }
  return j;
}

/**
 * Where a blank that ends at `j` starts, or `j` when none ends there: spaces (a space, then any
 * quote marks and spaces), RFC 5322 comments (`comments`; else parentheses are marks) and marks
 * that wrap a part (isMark), in any number and order within BLANK_SPAN characters; the emphasis
 * marks in `emphasis` (bits, see EMPHASIS) as marks too.
 */
export function blankBack(text: string, j: number, comments = true, emphasis = 0): number {
  let k = j;
  for (;;) {
    // A run of marks at once (a run of `>` would cost spacesBack's look each time).
    let m = k;
    while (m > 0 && j - m < BLANK_SPAN && isMark(text.charCodeAt(m - 1), !comments, emphasis)) m--;
    m = spacesBack(text, m);
    if (comments) m = commentBack(text, m, BLANK_SPAN - (j - m));
    if (m === k || j - m > BLANK_SPAN) return k;
    k = m;
  }
}

/** Where a blank that starts at `j` ends (see blankBack), or `j` when none starts there. */
export function blankAfter(text: string, j: number, comments = true, emphasis = 0): number {
  let k = j;
  for (;;) {
    let m = comments ? commentAfter(text, k, BLANK_SPAN - (k - j)) : k;
    m = spacesAfter(text, m, k);
    while (m < text.length && m - j < BLANK_SPAN && isMark(text.charCodeAt(m), !comments, emphasis)) m++;
    if (m === k || m - j > BLANK_SPAN) return k;
    k = m;
  }
}

/**
 * An address's span [start, end) in a folded reading, widened over the marks that wrap its parts
 * and stand outside it, so no stray half is left: the opening quote of `"anna.weber"@…` (the
 * closing one is in the blank before the `@`), the closing one of `anna.weber@"buyer.example"`,
 * the `<` of `<anna.weber>@…`, the `)` of `anna.weber@(buyer.example)`. Inside the span a bracket
 * opens or closes by its shape, a quote closes when it follows a word (`anna.weber"@`) and opens
 * otherwise (`@"buyer`, `."weber`); the halves left unmatched (by family: `“` pairs with `"` or
 * `”`) are looked for right before and after the span, spaces between allowed. A mark that wraps
 * nothing of the address stays (`"write anna.weber@shop.example"`). At most WRAP_MAX marks on each
 * side, never before `floor`. The emphasis marks of `emphasis` (bits, see EMPHASIS: `local` before
 * `at`, where the address's first `@` stands, `domain` from there on) are marks too, each a quote of
 * its own family, and a run of one (`**`) opens or closes as its first does
 * (`**anna.weber**@**buyer.example**`). [start, end] widened.
 */
export function withWrappers(text: string, start: number, end: number, floor = 0, emphasis?: EmphasisMarks): [number, number] {
  const { local = 0, domain = 0, at = start } = emphasis ?? {};
  const emphasisAt = (k: number, c: number) => (emphasisBit(c) & (k < at ? local : domain)) !== 0;
  /** The mark `c` (at `k`) is: MARKS, or an emphasis mark read as one. */
  const markAt = (k: number, c: number): readonly [family: string, shape: number] | undefined =>
    markOf(c) ?? (emphasisAt(k, c) ? [String.fromCharCode(c), QUOTE] : undefined);
  // Most addresses hold no mark: nothing to count.
  let k0 = start;
  while (k0 < end && !markAt(k0, text.charCodeAt(k0))) k0++;
  if (k0 === end) return [start, end];
  // Per family: openers the span lacks (its closers' other halves), and openers it leaves open.
  const lacks = new Map<string, number>();
  const open = new Map<string, number>();
  let prev = 0x20;
  let prevMark = false;
  let prevCloses = false;
  for (let k = start; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x20) continue;
    const mark = markAt(k, c);
    const [before, beforeMark] = [prev, prevMark];
    prev = c;
    prevMark = mark !== undefined;
    if (!mark) continue;
    const [family, shape] = mark;
    const closes: boolean =
      before === c && emphasisAt(k, c)
        ? prevCloses
        : shape === QUOTE
          ? !(before === 0x20 || before === 0x40 || before === 0x2e || beforeMark)
          : shape === CLOSES;
    prevCloses = closes;
    if (!closes) open.set(family, (open.get(family) ?? 0) + 1);
    else if ((open.get(family) ?? 0) > 0) open.set(family, (open.get(family) as number) - 1);
    else lacks.set(family, (lacks.get(family) ?? 0) + 1);
  }
  if (lacks.size === 0 && open.size === 0) return [start, end];
  /** Takes the mark `c` when it can stand on that side (`shape`) and its family is in `wanted`. */
  const take = (c: number, shape: number, wanted: Map<string, number>): boolean => {
    const mark = markOf(c) ?? ((emphasisBit(c) & (local | domain)) !== 0 ? ([String.fromCharCode(c), QUOTE] as const) : undefined);
    if (!mark || (mark[1] !== QUOTE && mark[1] !== shape) || !((wanted.get(mark[0]) ?? 0) > 0)) return false;
    wanted.set(mark[0], (wanted.get(mark[0]) as number) - 1);
    return true;
  };
  for (let n = 0; n < WRAP_MAX; n++) {
    let k = start;
    while (k > floor && start - k < BLANK_MAX && text.charCodeAt(k - 1) === 0x20) k--;
    if (k <= floor || !take(text.charCodeAt(k - 1), OPENS, lacks)) break;
    start = k - 1;
  }
  for (let n = 0; n < WRAP_MAX; n++) {
    let k = end;
    while (k < text.length && k - end < BLANK_MAX && text.charCodeAt(k) === 0x20) k++;
    if (k >= text.length || !take(text.charCodeAt(k), CLOSES, open)) break;
    end = k + 1;
  }
  return [start, end];
}

/** The emphasis marks (bits, see EMPHASIS) withWrappers reads as marks: `local` before `at`, `domain` from it. */
export interface EmphasisMarks {
  readonly local: number;
  readonly domain: number;
  readonly at: number;
}

/** The most wrapping marks withWrappers takes on each side of an address. */
const WRAP_MAX = 4;
