// Owns the byte reading the picture cleaners share: NotAnImage (a picture whose structure does not
// walk), little-endian and ASCII reads, and KeptBytes (blanking in place for formats
// whose parts point at each other by offset).

/** Thrown when bytes are not a picture this cleaner reads, or its structure does not walk: the caller refuses the part. */
export class NotAnImage extends Error {}

export function ascii(b: Uint8Array, at: number, n: number): string {
  return String.fromCharCode(...b.subarray(at, at + n));
}

export function le24(b: Uint8Array, at: number): number {
  return (b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16);
}

export function le32(b: Uint8Array, at: number): number {
  return ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0;
}

/**
 * A copy of `b` that holds only the byte ranges `keep` is given, every other byte zero, cut after
 * the last kept byte: the allow-list for formats whose parts point at each other by offset (TIFF,
 * BMP), so nothing moves and no offset is rewritten. A range past the end is NotAnImage.
 */
export class KeptBytes {
  readonly out: Uint8Array;
  end = 0;
  constructor(private readonly b: Uint8Array) {
    this.out = new Uint8Array(b.length);
  }
  keep(at: number, len: number, what: string): void {
    if (!Number.isSafeInteger(at) || !Number.isSafeInteger(len) || at < 0 || len < 0 || at + len > this.b.length)
      throw new NotAnImage(`${what} runs past the end`);
    this.out.set(this.b.subarray(at, at + len), at);
    this.end = Math.max(this.end, at + len);
  }
  bytes(): Uint8Array {
    return this.out.subarray(0, this.end);
  }
}
