// Owns banned-word matching: case-insensitive, on Unicode word boundaries, single words and
// phrases. Linear: the text is split into word tokens once, and each token is looked up in a map.

const TOKEN = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

interface Token {
  readonly start: number;
  readonly end: number;
  readonly lower: string;
}

function tokens(text: string): Token[] {
  return [...text.matchAll(TOKEN)].map((m) => ({ start: m.index, end: m.index + m[0].length, lower: m[0].toLowerCase() }));
}

interface Matcher {
  /** First token of a banned entry → the entries (as token lists) starting with it. */
  readonly byFirst: Map<string, { words: string[]; entry: string }[]>;
}

export function compileBannedWords(entries: readonly string[]): Matcher {
  const byFirst = new Map<string, { words: string[]; entry: string }[]>();
  for (const entry of entries) {
    const words = tokens(entry).map((t) => t.lower);
    const first = words[0];
    if (!first) continue;
    const list = byFirst.get(first) ?? [];
    list.push({ words, entry });
    byFirst.set(first, list);
  }
  return { byFirst };
}

interface Hit {
  readonly start: number;
  readonly end: number;
  readonly entry: string;
}

function hits(text: string, m: Matcher): Hit[] {
  if (m.byFirst.size === 0) return [];
  const toks = tokens(text);
  const out: Hit[] = [];
  for (let i = 0; i < toks.length; i++) {
    const candidates = m.byFirst.get((toks[i] as Token).lower);
    if (!candidates) continue;
    for (const c of candidates) {
      const last = toks[i + c.words.length - 1];
      if (!last) continue;
      let ok = true;
      for (let k = 1; k < c.words.length && ok; k++) ok = toks[i + k]?.lower === c.words[k];
      if (ok) out.push({ start: (toks[i] as Token).start, end: last.end, entry: c.entry });
    }
  }
  return out;
}

/** The banned entries found in the text, each once, in the order they first appear. */
export function findBannedWords(text: string, m: Matcher): string[] {
  return [...new Set(hits(text, m).map((h) => h.entry))];
}

/** Replaces every banned word or phrase with asterisks of the same length. */
export function maskBannedWords(text: string, m: Matcher): { value: string; count: number } {
  const found = hits(text, m).sort((a, b) => a.start - b.start);
  if (found.length === 0) return { value: text, count: 0 };
  let out = '';
  let pos = 0;
  let count = 0;
  for (const h of found) {
    if (h.start < pos) continue;
    out += text.slice(pos, h.start) + '*'.repeat(Math.max(4, h.end - h.start));
    pos = h.end;
    count++;
  }
  return { value: out + text.slice(pos), count };
}
