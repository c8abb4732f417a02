// Owns reading the little-endian numbers and strings of a legacy Office stream with every bound
// checked: a read past the end throws BrokenText, never a RangeError nor a value read as 0.

/** Thrown by the legacy Office readers when a stream's structure does not add up. */
export class BrokenText extends Error {}

/** The unsigned 16-bit little-endian number at `at`; BrokenText when it is not all in `b`. */
export function u16(b: Uint8Array, at: number): number {
  if (at < 0 || at + 2 > b.length) throw new BrokenText('a read past the end of a stream');
  return (b[at] as number) | ((b[at + 1] as number) << 8);
}

/** The unsigned 32-bit little-endian number at `at`; BrokenText when it is not all in `b`. */
export function u32(b: Uint8Array, at: number): number {
  return u16(b, at) + u16(b, at + 2) * 0x10000;
}

/** `b[at, at + length)`, a view; BrokenText when it is not all in `b`. */
export function bytesAt(b: Uint8Array, at: number, length: number): Uint8Array {
  if (at < 0 || length < 0 || at + length > b.length) throw new BrokenText('a read past the end of a stream');
  return b.subarray(at, at + length);
}

// Windows-1252's 0x80–0x9F (WHATWG encoding standard): Node's TextDecoder reads `windows-1252` as
// Latin-1, so these would come out as C1 controls.
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

/** 8-bit text as Windows-1252 (a .doc's compressed piece, [MS-DOC] 2.9.73 FcCompressed; a text part declared so). Linear. */
export function cp1252(b: Uint8Array): string {
  const latin = latin1(b);
  return /[\u0080-\u009f]/.test(latin) ? latin.replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] as string) : latin;
}

/** 8-bit text whose bytes are the low bytes of UTF-16 code units (BIFF8's and PowerPoint's "compressed" strings). */
export function latin1(b: Uint8Array): string {
  return new TextDecoder('latin1').decode(b);
}

/** UTF-16LE text (a lone surrogate reads as U+FFFD). */
export function utf16(b: Uint8Array): string {
  return new TextDecoder('utf-16le').decode(b);
}
