// Owns how binary data (an Office package's printer settings or font, a PDF's bytes, a photo) is
// read for the writer search: as Latin-1 and as UTF-16LE, in pieces of BINARY_CHUNK bytes, so the
// memory it takes is a few pieces whatever the data's size (a 247 KB .docx may unpack a 99 MB part:
// read whole, its two readings and their lowercase copies took +300 MB).

/** Binary data to search: its Latin-1 (WHATWG windows-1252) reading and, when `utf16`, its UTF-16LE readings (from byte 0 and from byte 1). */
export interface BinaryData {
  readonly bytes: Uint8Array;
  readonly utf16: boolean;
}

/** Bytes decoded at a time: 1 MiB, a few MB of strings with its lowercase copy and the carry. */
export const BINARY_CHUNK = 1 << 20;

/**
 * Characters of each reading carried into the next piece's search beyond the longest needle: a
 * search that looks around an `@` (part-handlers.ts squeezedHolds: 300 characters before it and
 * up to 4396 after) sees at least 300 characters each side of every `@` across a piece's edge.
 */
export const BINARY_CARRY = 8192;

const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f]/;
const CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f]+/g;

/**
 * True when `holds` is true of a stretch of one of `data`'s readings, lowercased: Latin-1, then
 * UTF-16LE when `data.utf16`, from byte 0 and from byte 1 (each as one decoder reads the whole: a
 * code unit or a surrogate pair cut by a piece's edge is joined, an odd last byte reads as
 * U+FFFD). When
 * `controls`, also of the reading with its control characters (C0 but tab and line breaks, DEL)
 * left out, as soon as one has been seen (before that the two are the same text).
 *
 * Each reading is decoded `chunk` bytes at a time (default BINARY_CHUNK) and searched with the last
 * `longest + carry` (default BINARY_CARRY) characters of what came before it, so a needle of up to `longest`
 * characters is found wherever it stands, as in the whole reading, also in the reading without
 * control characters (its carry is taken from that reading, however many control characters stood
 * between). Memory: a few pieces, whatever the size of `bytes`. Lowercasing piece by piece differs
 * from the whole's only for a Greek capital sigma at a piece's end (final or not by what follows).
 */
export function binaryHolds(
  data: BinaryData,
  holds: (lower: string) => boolean,
  controls: boolean,
  longest: number,
  chunk = BINARY_CHUNK,
  carry = BINARY_CARRY,
): boolean {
  const carried = longest + carry;
  // UTF-16LE from byte 0 and from byte 1: a string in binary data stands at any byte (a record's
  // one-byte length or flag before it), and a Cyrillic, Greek or CJK one read from the other byte
  // is neither its characters nor Latin-1 letters (`Иван` is 18 04 32 04 …: control characters).
  const readings: readonly (readonly [string, number])[] = data.utf16
    ? [
        ['latin1', 0],
        ['utf-16le', 0],
        ['utf-16le', 1],
      ]
    : [['latin1', 0]];
  for (const [label, from] of readings) {
    const decoder = new TextDecoder(label);
    const bytes = data.bytes.subarray(Math.min(from, data.bytes.length));
    let before = '';
    let strippedBefore = '';
    let controlSeen = false;
    for (let at = 0; at < bytes.length; at += chunk) {
      const end = Math.min(bytes.length, at + chunk);
      const lower = decoder.decode(bytes.subarray(at, end), { stream: end < bytes.length }).toLowerCase();
      const text = before + lower;
      if (holds(text)) return true;
      if (controls) {
        controlSeen ||= CONTROL.test(lower);
        if (controlSeen) {
          const stripped = strippedBefore + lower.replace(CONTROLS, '');
          if (holds(stripped)) return true;
          strippedBefore = stripped.slice(-carried);
        } else strippedBefore = text.slice(-carried);
      }
      before = text.slice(-carried);
    }
  }
  return false;
}
