// Owns applying replacements found on a folded reading back to the source text. In HTML the tags
// inside a replaced span are kept (only their text goes), so the markup stays balanced.

export interface Span {
  /** Source span [start, end). */
  readonly start: number;
  readonly end: number;
  /** Replacement, already escaped for the source's format. */
  readonly text: string;
}

const TAG = /<(?!!--)[^<>]{0,10000}>/g;

/** Applies non-overlapping spans (the first of two overlapping ones wins, longer first). */
export function applySpans(value: string, spans: Span[], html: boolean): { value: string; count: number } {
  if (spans.length === 0) return { value, count: 0 };
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
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
  }
  return { value: out + value.slice(pos), count };
}
