// Owns the search of binary data and documents' readings for the writer (their addresses and
// full-name spellings): the one check a file or picture that cannot be masked inside passes before
// it crosses (part-handlers.ts for attachments and their pictures, html-sanitize.ts for a data:
// picture in HTML). Lowercase and indexOf only, in pieces (binary-readings.ts).
import { binaryHolds, type BinaryData } from './binary-readings.js';
import type { CleanPicture } from './image-metadata.js';

/**
 * True when a reading of a document (`readings`) or of binary data (`binary`: Latin-1, UTF-16,
 * searched in pieces by binaryHolds) holds one of `needles`, the writer's addresses and full-name
 * spellings, folded (masker.ts writerNeedles):
 * lowercase and indexOf only, so a 20 MB file costs milliseconds. In a `document` (not a photo), an
 * address is also looked for with the blanks around its `@` and dots left out (a line that ends in
 * `anna@`, the next line reading on) and with its control characters left out (they show as
 * nothing). Entities, escapes and accents are not undone inside binary files.
 */
export function binaryNamesWriter(readings: readonly string[], binary: readonly BinaryData[], needles: readonly string[], document: boolean): boolean {
  if (needles.length === 0) return false;
  const addresses = needles.filter((n) => n.includes('@'));
  // Documents only, as below: in a photo's pixels an `@` stands every 256 bytes or so.
  const holds = (lower: string) => needles.some((n) => lower.includes(n)) || (document && addresses.length > 0 && squeezedHolds(lower, addresses));
  const longest = Math.max(...needles.map((n) => n.length));
  return (
    readings.some((r) => {
      const lower = r.toLowerCase();
      if (holds(lower)) return true;
      // Control characters show as nothing: Word keeps its optional hyphen (U+001F), a field's marks
      // and others inside the text of a .doc, so `anna.weber@<U+001F>buyer.example` shows whole.
      // Documents only: a photo's pixels are all bytes, so the copy would cost ~0.2 s a 10 MB photo.
      return document && CONTROL.test(lower) && holds(lower.replace(CONTROLS, ''));
    }) || binary.some((b) => binaryHolds(b, holds, document, longest))
  );
}

const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f]/;
const CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f]+/g;

/**
 * True when a stretch of `lower` around one of its `@`s, read without the blanks around `@` and
 * dots, holds one of the addresses. Stretches of 4 KiB, each past the last: linear in the text.
 */
function squeezedHolds(lower: string, addresses: readonly string[]): boolean {
  for (let at = lower.indexOf('@'); at >= 0;) {
    const start = Math.max(0, at - 300);
    const end = at + 4096;
    const squeezed = squeezeAround(lower.slice(start, end + 300));
    if (addresses.some((n) => squeezed.includes(n))) return true;
    at = lower.indexOf('@', end);
  }
  return false;
}

// Blanks and the quotes and brackets that wrap an address's parts (`anna.weber@"buyer.example"`,
// `<anna.weber>@…`, `(anna.weber) @ buyer.example`, `anna.weber@“buyer.example”`, `{…}`, `⟨…⟩`: any
// bracket or quotation mark by its Unicode category, as fold.ts reads them in text), a backslash,
// and runs of @.
const AROUND = /[\s"'`<>()[\]{}\\\p{Ps}\p{Pe}\p{Pi}\p{Pf}]+/gu;

/**
 * `s` with every run of AROUND beside an `@` or a dot left out. Each run is matched once and kept
 * or dropped by what stands beside it (a regex that wants `@` after the run backtracks through it,
 * quadratic in a long run).
 */
function squeezeAround(s: string): string {
  return s
    .replace(AROUND, (run: string, at: number) => {
      const before = s.charCodeAt(at - 1);
      const after = s.charCodeAt(at + run.length);
      return before === 0x40 || before === 0x2e || after === 0x40 || after === 0x2e ? '' : run;
    })
    .replace(AT_RUN, '@');
}

// A run of @ reads as one (`anna.weber@@buyer.example`: a SYMBOL field's `@` after the writer's).
const AT_RUN = /@{2,}/g;

/**
 * True when a cleaned picture (stripImageMetadata) still names the writer: its bytes, and what it
 * keeps compressed (a PNG's ICC profile), read as a photo is (not as a document: its pixels are all
 * bytes). The one check for a picture, attached on its own, inside an Office package, or inline in
 * HTML as a data: URI (html-sanitize.ts).
 */
export function pictureNamesWriter(img: CleanPicture, needles: readonly string[]): boolean {
  return binaryNamesWriter(
    [],
    [img.bytes, ...img.hidden].map((bytes) => ({ bytes, utf16: true })),
    needles,
    false,
  );
}
