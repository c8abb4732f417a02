import { describe, expect, it } from 'vitest';
import { BINARY_CARRY, binaryHolds } from './binary-readings.js';

const CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f]+/g;

/** The search on the three whole readings (UTF-16 from byte 0 and 1): the reference the pieces must agree with. */
function wholeHolds(bytes: Uint8Array, holds: (lower: string) => boolean, controls: boolean): boolean {
  const utf16 = new TextDecoder('utf-16le');
  return [new TextDecoder('latin1').decode(bytes), utf16.decode(bytes), utf16.decode(bytes.subarray(1))].some((r) => {
    const lower = r.toLowerCase();
    return holds(lower) || (controls && /[\u0000-\u0008\u000e-\u001f\u007f]/.test(lower) && holds(lower.replace(CONTROLS, '')));
  });
}

const NEEDLE = 'anna.weber@buyer.example';
const includes = (lower: string) => lower.includes(NEEDLE);

/** `filler` bytes with `inserted` written at byte `at`. */
function withAt(size: number, inserted: Uint8Array, at: number, filler = 0x20): Uint8Array {
  const b = new Uint8Array(size).fill(filler);
  b.set(inserted, at);
  return b;
}

describe('binary data searched in pieces (binaryHolds)', () => {
  const chunk = 64;
  const latin1 = Buffer.from('ANNA.Weber@buyer.example', 'latin1');
  const utf16 = Buffer.from('ANNA.Weber@buyer.example', 'utf16le');

  it('finds a needle at every offset across a piece edge, in both readings and at odd and even UTF-16 alignment', () => {
    for (const [name, needle] of [
      ['latin1', latin1],
      ['utf-16le', utf16],
    ] as const)
      for (let at = chunk * 2 - needle.length - 2; at <= chunk * 2 + 2; at++) {
        const bytes = withAt(chunk * 4, needle, at);
        // UTF-16 at an odd byte too (read from byte 1; round-14 attack: it was not read).
        const expected = true;
        expect(wholeHolds(bytes, includes, false), `${name} at ${at} (whole)`).toBe(expected);
        expect(binaryHolds({ bytes, utf16: true }, includes, false, NEEDLE.length, chunk, 0), `${name} at ${at}`).toBe(expected);
        // Pieces of an odd size: a UTF-16 code unit cut in two by every other edge.
        expect(binaryHolds({ bytes, utf16: true }, includes, false, NEEDLE.length, chunk + 1, 0), `${name} at ${at}, odd pieces`).toBe(expected);
      }
  });

  it('reads UTF-16 from byte 0 as one decoder does: a surrogate pair cut by an edge, an odd last byte', () => {
    const needle = Buffer.from('\u{1F4E7}anna.weber@buyer.example', 'utf16le');
    const hasPair = (lower: string) => lower.includes('\u{1F4E7}anna');
    for (let at = chunk - 4; at <= chunk + 2; at += 2) {
      const bytes = withAt(chunk * 3 + 1, needle, at, 0);
      expect(binaryHolds({ bytes, utf16: true }, hasPair, false, 30, chunk, 0), `pair at ${at}`).toBe(true);
      expect(binaryHolds({ bytes, utf16: true }, hasPair, false, 30, chunk + 1, 0), `pair at ${at}, odd pieces`).toBe(wholeHolds(bytes, hasPair, false));
    }
    const end = (lower: string) => lower.endsWith('\ufffd');
    expect(binaryHolds({ bytes: new Uint8Array(chunk * 2 + 1), utf16: true }, end, false, 1, chunk, 0)).toBe(
      wholeHolds(new Uint8Array(chunk * 2 + 1), end, false),
    );
  });

  it('finds a Cyrillic needle stored as UTF-16LE from an odd byte (a control character in every Latin-1 byte pair)', () => {
    const name = 'иван петров';
    const has = (lower: string) => lower.includes(name);
    for (const at of [chunk - 9, chunk + 1, chunk * 3 - 23])
      expect(
        binaryHolds({ bytes: withAt(chunk * 4, Buffer.from('Иван Петров', 'utf16le'), at, 0), utf16: true }, has, true, name.length, chunk, 0),
        `at ${at}`,
      ).toBe(true);
  });

  it('reads Latin-1 only when the data is not UTF-16 (a PDF)', () => {
    expect(binaryHolds({ bytes: withAt(chunk * 4, utf16, chunk * 2), utf16: false }, includes, false, NEEDLE.length, chunk, 0)).toBe(false);
    expect(binaryHolds({ bytes: withAt(chunk * 4, latin1, chunk * 2 - 5), utf16: false }, includes, false, NEEDLE.length, chunk, 0)).toBe(true);
  });

  it('finds a needle with its control characters left out, however many stand in it, across edges', () => {
    // `anna.weber@` then 3 pieces' worth of control characters, then `buyer.example`.
    const spread = Buffer.concat([Buffer.from('anna.weber@'), Buffer.alloc(chunk * 3 + 7, 0x1f), Buffer.from('buyer.example')]);
    const bytes = withAt(chunk * 8, spread, chunk - 5);
    expect(wholeHolds(bytes, includes, true)).toBe(true);
    expect(binaryHolds({ bytes, utf16: false }, includes, true, NEEDLE.length, chunk, 0)).toBe(true);
    // Not in a photo (no control search there), as read whole.
    expect(binaryHolds({ bytes, utf16: false }, includes, false, NEEDLE.length, chunk, 0)).toBe(false);
    // Control characters seen only in a later piece: the text before them is carried as it is.
    const late = withAt(chunk * 8, Buffer.concat([Buffer.from('anna.weber'), Buffer.alloc(chunk * 2, 0x01), Buffer.from('@buyer.example')]), chunk * 2 - 3);
    expect(binaryHolds({ bytes: late, utf16: false }, includes, true, NEEDLE.length, chunk, 0)).toBe(true);
  });

  it('agrees with the whole readings on random data with needles and control characters at random places', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const outcomes = new Set<string>();
    for (let round = 0; round < 200; round++) {
      const bytes = new Uint8Array(chunk * 5 + Math.floor(random() * 9)).map(() => (random() < 0.2 ? 0x1f : 0x61 + Math.floor(random() * 3)));
      const needle = round % 2 ? utf16 : latin1;
      if (random() < 0.7) bytes.set(needle.subarray(0, 10), Math.floor(random() * (bytes.length - 40)));
      if (random() < 0.7) bytes.set(needle.subarray(10), Math.floor(random() * (bytes.length - 40)));
      if (random() < 0.5) bytes.set(needle, Math.floor(random() * (bytes.length - 50)));
      // A needle split by control characters is what links the halves only when nothing else stands between.
      for (const controls of [false, true]) {
        const expected = wholeHolds(bytes, includes, controls);
        outcomes.add(`${controls} ${expected}`);
        expect(binaryHolds({ bytes, utf16: true }, includes, controls, NEEDLE.length, chunk, 0), `round ${round}`).toBe(expected);
      }
    }
    // Both answers came up, with and without the control search.
    expect(outcomes.size).toBe(4);
  });

  it('carries enough of each reading for the search around an `@` (300 characters each side)', () => {
    expect(BINARY_CARRY).toBeGreaterThanOrEqual(600);
  });
});
