// Owns the base64 body of a text part we compose (relay/compose.ts): the bytes nodemailer's own
// encoder writes for a string (its UTF-8 bytes in base64, lines of 76 characters, each but the last
// ended by CRLF), made here in one buffer of the final size, a piece of the text at a time.
// nodemailer made, for a text of N characters, its whole UTF-8 copy, the base64 as one string, that
// string again as a Buffer and the wrapped lines in one more: ~4 copies of the part (~100 MB at the
// peak for an 18 MB text with accents, README "Round 26: large text bodies"). Here: the lines'
// buffer and a piece of 57 KiB reused.

/** Base64 characters a line holds (nodemailer's lineLength), and the bytes they encode. */
const LINE = 76;
const LINE_BYTES = 57;
/** Bytes encoded a piece at a time: a whole number of lines (1024 of them). */
export const PIECE_BYTES = LINE_BYTES * 1024;

const encoder = new TextEncoder();

/**
 * `text`'s UTF-8 bytes in base64, in lines of 76 characters ended by CRLF, the last line without
 * one: byte for byte nodemailer's `wrap(encode(text), 76)` (lone surrogates as U+FFFD, as its
 * Buffer.from does). `pieceBytes` (a multiple of 57, at least 57 × 2) only for tests.
 */
export function base64Lines(text: string, pieceBytes = PIECE_BYTES): Buffer {
  const bytes = Buffer.byteLength(text, 'utf8');
  const chars = Math.ceil(bytes / 3) * 4;
  const out = Buffer.allocUnsafeSlow(chars + 2 * Math.max(Math.ceil(chars / LINE) - 1, 0));
  // The UTF-8 bytes a piece at a time, plus the few left from the one before (up to 56 + 3).
  const piece = Buffer.allocUnsafe(pieceBytes + 64);
  const b64 = Buffer.allocUnsafe((pieceBytes / 3) * 4);
  let filled = 0;
  let at = 0;
  let pos = 0;
  const emit = (end: number, last: boolean): void => {
    const n = b64.write(piece.toString('base64', 0, end), 0, 'latin1');
    for (let k = 0; k < n; k += LINE) {
      const e = Math.min(k + LINE, n);
      at += b64.copy(out, at, k, e);
      if (!(last && e === n)) {
        out[at++] = 0x0d;
        out[at++] = 0x0a;
      }
    }
  };
  while (pos < text.length) {
    // At most 3 bytes a UTF-16 unit: the characters taken fit what is left of the piece.
    let end = Math.min(text.length, pos + Math.floor((pieceBytes - filled) / 3));
    // Not between the halves of a pair (each half alone would read as U+FFFD).
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff && end - 1 > pos) end--;
    const { read, written } = encoder.encodeInto(text.slice(pos, end), piece.subarray(filled));
    pos += read as number;
    filled += written as number;
    const whole = filled - (filled % LINE_BYTES);
    if (pos < text.length && whole >= pieceBytes - 3 * LINE_BYTES) {
      emit(whole, false);
      piece.copyWithin(0, whole, filled);
      filled -= whole;
    }
  }
  emit(filled, true);
  if (at !== out.length) throw new Error(`base64Lines wrote ${at} bytes of ${out.length}`);
  return out;
}
