// Owns the fold (fold.ts) of the commonest text a message carries: plain ASCII with no `%` and no
// `&`, so nothing in it is an escape or an entity and the folded reading is the text lowercased
// with every whitespace run read as one space (none at the start). That reading is made over the
// text's bytes, four at a time, in a buffer the thread reuses, with native searches for what
// disqualifies a text and for the runs of two or more whitespace characters (~1.2 ms a MiB of
// ASCII prose; fold.ts's loop over every character took ~4). Its source map is one segment, plus
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
 * rule too (isSpace, ASCII_SPACE); RUNS and lowerAndSpaces below hold the same set.
 */
export const isAsciiSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const RUNS = /[\t-\r ]{2,}/g;
const copyWithin = Uint8Array.prototype.copyWithin;
const encoder = new TextEncoder();

/**
 * Runs of whitespace cost this reading ~110 ns each (a match, the map, a move) where the loop pays
 * ~3.5 ns a character: with fewer than RUN_SPACING characters a run on average (indented code,
 * tables, two spaces after every sentence: 3x the loop's time; `a  ` repeated, 6x) the text is left
 * to the loop, judged once MIN_RUNS runs are found (at most ~0.1 ms of this reading lost).
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
  const F = [0];
  const S = [lead];
  const runs: number[] = [];
  let k = 0; // folded index of source position `pos`
  let pos = lead;
  RUNS.lastIndex = lead;
  for (let m = RUNS.exec(src); m !== null; m = RUNS.exec(src)) {
    const end = m.index + m[0].length;
    runs.push(m.index, end);
    if (runs.length >= 2 * MIN_RUNS && end - lead < (runs.length >> 1) * RUN_SPACING) {
      RUNS.lastIndex = 0;
      return null;
    }
    k += m.index + 1 - pos;
    pos = end;
    if (end < n) {
      F.push(k);
      S.push(end);
    }
  }
  // Control characters (the fold reads them as nothing): such a text is left to the loop.
  if (!lowerAndSpaces(b, n)) return null;
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
 * bit says whether it reached the constant's threshold), the last few one at a time. False, with
 * the bytes half done, at a control character (below 0x20 and not whitespace, or DEL).
 */
function lowerAndSpaces(b: Uint8Array, n: number): boolean {
  const words = n >> 2;
  const w = new Int32Array(b.buffer, b.byteOffset, words);
  for (let i = 0; i < words; i++) {
    const x = w[i] as number;
    const upper = (x + 0x3f3f3f3f) & ~(x + 0x25252525) & 0x80808080; // 0x41 ≤ byte ≤ 0x5a
    const space = (x + 0x77777777) & ~(x + 0x72727272) & 0x80808080; // 0x09 ≤ byte ≤ 0x0d
    const control = ((~(x + 0x60606060) & ~space) | (x + 0x01010101)) & 0x80808080; // < 0x20 not a space, or 0x7f
    if (control !== 0) return false;
    if ((upper | space) === 0) continue;
    const whole = (space >>> 7) * 0xff;
    w[i] = (x & ~whole) | (whole & 0x20202020) | (upper >>> 2);
  }
  for (let i = words << 2; i < n; i++) {
    const c = b[i] as number;
    if (c < 0x20 ? c < 0x09 || c > 0x0d : c === 0x7f) return false;
    b[i] = c >= 0x41 && c <= 0x5a ? c + 32 : c >= 0x09 && c <= 0x0d ? 0x20 : c;
  }
  return true;
}
