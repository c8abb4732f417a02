// Owns applying replacements found on a folded reading back to the source text. In HTML the tags
// inside a replaced span are kept (only their text goes), so the markup stays balanced.

export interface Span {
  /** Source span [start, end). */
  readonly start: number;
  readonly end: number;
  /** Replacement, already escaped for the source's format. */
  readonly text: string;
}

// A tag as the fold reads one: `<` and a letter, `/`, `!` or `?` (`< anna.weber >` is text, masked with the rest).
const TAG = /<(?!!--)[a-z/!?][^<>]{0,10000}>/gi;
// An alt's value in a tag kept inside a replaced span (fold.ts reads it as text).
const ALT_VALUE = /(\salt\s*=\s*)(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+)/i;
// The next `<` or `>` (sticky from a place).
const ANGLE = /[<>]/g;

/**
 * Where the tag that a place stands inside starts, for places that only grow (one scan of the
 * value in all: the last `<` and `>` before each place are carried forward, and where the last
 * `<` is answered is found once). `at(k)`: the tag's start, or k when k stands in text.
 */
class TagScanner {
  #done = 0;
  #lt = -1;
  #gt = -1;
  /** The first `<` or `>` after #lt (a `>` ends the tag #lt opens), found once for each #lt. */
  #answer = -1;
  constructor(private readonly value: string) {}
  at(k: number): number {
    for (; this.#done < k; this.#done++) {
      const c = this.value.charCodeAt(this.#done);
      if (c === 0x3c) {
        this.#lt = this.#done;
        this.#answer = -1;
      } else if (c === 0x3e) this.#gt = this.#done;
    }
    const lt = this.#lt;
    if (lt < 0 || this.#gt > lt || !/[a-z/!?]/i.test(this.value[lt + 1] ?? '') || this.value.startsWith('<!--', lt)) return k;
    if (this.#answer < 0) {
      ANGLE.lastIndex = lt + 1;
      this.#answer = ANGLE.exec(this.value)?.index ?? this.value.length;
    }
    // Inside a tag as TAG reads one (10 000 characters at most).
    return this.value.charCodeAt(this.#answer) === 0x3e && this.#answer - lt <= 10_001 ? lt : k;
  }
}

/**
 * Applies non-overlapping spans (the first of two overlapping ones wins, longer first; of two
 * equal ones, the one earlier in `spans`). `applied`: the spans that were applied.
 */
export function applySpans<S extends Span>(value: string, spans: S[], html: boolean): { value: string; count: number; applied: S[] } {
  if (spans.length === 0) return { value, count: 0, applied: [] };
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const applied: S[] = [];
  let out = '';
  let pos = 0;
  let count = 0;
  // Starts only grow (sorted); so do the ends of the spans applied (they do not overlap).
  const starts = html ? new TagScanner(value) : null;
  const ends = html ? new TagScanner(value) : null;
  for (const span of spans) {
    // In HTML a span may start or end inside an image's alt (the fold reads it as text): widened
    // to the whole tag, which is then kept with its alt emptied.
    const start = starts ? starts.at(span.start) : span.start;
    if (start < pos) continue;
    const endTag = ends ? ends.at(span.end) : span.end;
    const end = endTag === span.end ? span.end : value.indexOf('>', span.end) + 1;
    out += value.slice(pos, start) + span.text;
    if (html) {
      const inner = value.slice(start, end);
      if (inner.includes('<')) for (const m of inner.matchAll(TAG)) out += m[0].replace(ALT_VALUE, '$1""');
    }
    pos = end;
    count++;
    applied.push(span);
  }
  return { value: out + value.slice(pos), count, applied };
}
