// Owns the fold (fold.ts) of the commonest text a message carries: plain ASCII with no `%` and no
// `&`, so nothing in it is an escape or an entity and the folded reading is the text lowercased
// with every whitespace run read as one space (none at the start). That reading is made over the
// text's bytes, four at a time, in a buffer the thread reuses, with native searches for what
// disqualifies a text; the runs of two or more whitespace characters are found in the same pass
// over the bytes (~0.6-0.9 ms a MiB of ASCII prose; fold.ts's loop over every character took ~4). Its source map is one segment, plus
// one after each such run. Same text and same map as fold.ts's loop (fold-ascii.test.ts). A text
// whose runs come every few characters is left to the loop, which reads it faster (RUN_SPACING).

/** A folded reading's parts, as fold.ts's Reading holds them: folded [F[j], F[j+1]) is source S[j]… one for one. */
export interface AsciiReading {
  readonly text: string;
  readonly F: Int32Array;
  readonly S: Int32Array;
}

/**
 * The ASCII characters the fold reads as whitespace (one space for a run of them): tab, LF, VT, FF,
 * CR and space, as JavaScript's \s and Unicode's White_Space have them. fold.ts reads them by this
 * rule too (isSpace, ASCII_SPACE); lowerAndSpaces below holds the same set.
 */
export const isAsciiSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const SP = 0x20;
const copyWithin = Uint8Array.prototype.copyWithin;
const encoder = new TextEncoder();

/**
 * Runs of whitespace cost this reading ~110 ns each (a match, the map, a move) where the loop pays
 * ~3.5 ns a character: with fewer than RUN_SPACING characters a run on average (indented code,
 * tables, two spaces after every sentence: 3x the loop's time; `a  ` repeated, 6x) the text is left
 * to the loop, judged once MIN_RUNS runs are found (this reading's pass over the bytes, ~0.4 ms a
 * MiB, is then lost).
 */
const RUN_SPACING = 48;
const MIN_RUNS = 1024;

/**
 * The folded reading of `src` when every character is ASCII and none is `%` or `&`, else null
 * (the caller folds only a text this way: not HTML, not the plain reading); null too when its
 * whitespace runs come more often than one in RUN_SPACING characters (the loop is faster there).
 * `borrow(size)` gives the bytes to work in (at least `size`, starting at a multiple of 4: the
 * caller's scratch). Linear: a few native scans and one pass over the bytes.
 */
export function foldPlainAscii(src: string, borrow: (size: number) => Uint8Array): AsciiReading | null {
  const n = src.length;
  // `%` and `&` first: each search costs ~0.01-0.04 ms a MiB and stops at the first found, where
  // the UTF-8 length costs ~0.12 ms a MiB of ASCII whatever it holds (an ASCII text with an escape
  // would pay it for nothing; a non-ASCII one pays the two searches).
  if (src.indexOf('%') !== -1 || src.indexOf('&') !== -1) return null;
  // The text's bytes: every character is ASCII exactly when its UTF-8 form, written into one byte a
  // character, takes all of them and is all of it (any other character takes two bytes or more).
  // One native pass (~0.05 ms a MiB), where the UTF-8 length and then a Latin-1 copy were two (~0.25).
  const b = borrow(n);
  const written = encoder.encodeInto(src, b.subarray(0, n));
  if (written.read !== n || written.written !== n) return null;
  // The source map: where the reading starts (a leading run reads as nothing), then where it resumes
  // after each later run of two or more (read as the one space of its first character).
  let lead = 0;
  while (lead < n && isAsciiSpace(src.charCodeAt(lead))) lead++;
  if (lead === n) return { text: '', F: new Int32Array(0), S: new Int32Array(0) };
  // Lowercase, each whitespace byte a space, and the words where a space follows a space noted
  // (false at a control character: such a text is left to the loop).
  const marked: number[] = [];
  if (!lowerAndSpaces(b, n, marked)) return null;
  const F = [0];
  const S = [lead];
  const runs: number[] = [];
  let k = 0; // folded index of source position `pos`
  let pos = lead;
  let covered = lead; // the runs are read from `lead` on, each to its end
  // A run of two or more whitespace characters whose second is at `p` (b[p - 1] and b[p] spaces),
  // unless a run read already holds it; false when runs come too often for this reading.
  const runAt = (p: number): boolean => {
    if (p - 1 < covered) return true;
    let end = p + 1;
    while (end < n && b[end] === SP) end++;
    runs.push(p - 1, end);
    covered = end;
    if (runs.length >= 2 * MIN_RUNS && end - lead < (runs.length >> 1) * RUN_SPACING) return false;
    k += p - pos;
    pos = end;
    if (end < n) {
      F.push(k);
      S.push(end);
    }
    return true;
  };
  const tail = (n >> 2) << 2;
  for (const w of marked) for (let p = w << 2; p < (w << 2) + 4; p++) if (p > 0 && b[p] === SP && b[p - 1] === SP && !runAt(p)) return null;
  for (let p = Math.max(tail, 1); p < n; p++) if (b[p] === SP && b[p - 1] === SP && !runAt(p)) return null;
  // Each run keeps its first character (a space now) and loses the rest: the bytes between move down.
  let at = 0;
  let from = lead;
  for (let r = 0; r < runs.length; r += 2) {
    const keep = (runs[r] as number) + 1;
    copyWithin.call(b, at, from, keep);
    at += keep - from;
    from = runs[r + 1] as number;
  }
  copyWithin.call(b, at, from, n);
  at += n - from;
  return { text: Buffer.from(b.buffer, b.byteOffset, at).toString('latin1'), F: Int32Array.from(F), S: Int32Array.from(S) };
}

/**
 * ASCII bytes b[0, n) lowercased and each whitespace byte (tab to CR) made a space, in place: four
 * bytes at a time (no byte is 0x80 or more, so adding to one never carries into the next: its top
 * bit says whether it reached the constant's threshold), the last few one at a time. Each word
 * (four bytes, its index) where a space follows a space, the first one in the word before
 * included, goes into `marked`, in order: where the runs of whitespace are, found in the same pass
 * (a regular expression over the text for them took as long again as this pass). The last few
 * bytes are not marked (foldPlainAscii reads them itself). False, with the bytes half done, at a
 * control character (below 0x20 and not whitespace, or DEL).
 */
function lowerAndSpaces(b: Uint8Array, n: number, marked: number[]): boolean {
  const words = n >> 2;
  const w = new Int32Array(b.buffer, b.byteOffset, words);
  let before = 0; // the spaces of the word before (0x80 in each byte that is one, as `blank`)
  for (let i = 0; i < words; i++) {
    const x = w[i] as number;
    const upper = (x + 0x3f3f3f3f) & ~(x + 0x25252525) & 0x80808080; // 0x41 ≤ byte ≤ 0x5a
    const space = (x + 0x77777777) & ~(x + 0x72727272) & 0x80808080; // 0x09 ≤ byte ≤ 0x0d
    const control = ((~(x + 0x60606060) & ~space) | (x + 0x01010101)) & 0x80808080; // < 0x20 not a space, or 0x7f
    if (control !== 0) return false;
    if ((upper | space) !== 0) {
      const whole = (space >>> 7) * 0xff;
      w[i] = (x & ~whole) | (whole & 0x20202020) | (upper >>> 2);
    }
    const blank = ~(x + 0x5f5f5f5f) & 0x80808080; // byte ≤ 0x20: whitespace (no control is left), a space now
    if ((blank & ((blank << 8) | (before >>> 24))) !== 0) marked.push(i);
    before = blank;
  }
  for (let i = words << 2; i < n; i++) {
    const c = b[i] as number;
    if (c < 0x20 ? c < 0x09 || c > 0x0d : c === 0x7f) return false;
    b[i] = c >= 0x41 && c <= 0x5a ? c + 32 : c >= 0x09 && c <= 0x0d ? 0x20 : c;
  }
  return true;
}
