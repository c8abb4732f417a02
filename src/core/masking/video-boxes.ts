// Owns reading ISO BMFF boxes (ISO/IEC 14496-12 §4.2, QuickTime atoms) for the video cleaner: a
// box's place and type, a list of them, the big-endian numbers inside; nothing is written here.

export class NotAVideo extends Error {}

/** One box: where it starts, where its data starts (after size, type, a large size, a uuid's user type), where it ends, its type. */
export interface Box {
  readonly at: number;
  readonly data: number;
  readonly end: number;
  readonly type: string;
}

/**
 * The boxes between `start` and `end` (§4.2: a 32-bit size, a type, a 64-bit size when the size
 * is 1, to the end when 0; a `uuid` box's 16-byte user type). Fewer than 8 bytes left over (a
 * QuickTime list's 32-bit zero terminator) end the list. NotAVideo when one runs past `end`.
 */
export function children(b: Uint8Array, start: number, end: number): Box[] {
  const boxes: Box[] = [];
  for (let at = start; at + 8 <= end;) {
    let size = be32(b, at);
    let head = 8;
    if (size === 1) {
      if (at + 16 > end) throw new NotAVideo('a box runs past its parent');
      size = be32(b, at + 8) * 2 ** 32 + be32(b, at + 12);
      head = 16;
    } else if (size === 0) size = end - at;
    const type = ascii(b, at + 4, 4);
    if (type === 'uuid') head += 16;
    if (size < head || at + size > end) throw new NotAVideo('a box runs past its parent');
    boxes.push({ at, data: at + head, end: at + size, type });
    at += size;
  }
  return boxes;
}

/** A box's four-character type, or a brand (the only strings read). */
export function ascii(b: Uint8Array, at: number, n: 4): string {
  return String.fromCharCode(b[at] as number, b[at + 1] as number, b[at + 2] as number, b[at + n - 1] as number);
}

export function be32(b: Uint8Array, at: number): number {
  return (((b[at] as number) << 24) | ((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number)) >>> 0;
}

export function be16(b: Uint8Array, at: number): number {
  return ((b[at] as number) << 8) | (b[at + 1] as number);
}
