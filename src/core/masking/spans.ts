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
  for (const span of spans) {
    if (span.start < pos) continue;
    out += value.slice(pos, span.start) + span.text;
    if (html) {
      const inner = value.slice(span.start, span.end);
      if (inner.includes('<')) for (const m of inner.matchAll(TAG)) out += m[0];
    }
    pos = span.end;
    count++;
    applied.push(span);
  }
  return { value: out + value.slice(pos), count, applied };
}
