// Round-15 attack on the attachments read anew this round: package members judged text or binary
// by their first 8 KiB (document-metadata.ts memberTexts), metafile pictures (metafile-text.ts).
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { keptAttachments, startMaskingPair } from '../helpers/tagged-send.js';
import { b64, BUYER_OTHER } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const PLAIN = 'Return form A-1001, prices in EUR';
const letter = (members: Record<string, Uint8Array>) =>
  Buffer.from(
    zipSync({
      '[Content_Types].xml': strToU8(TYPES),
      'word/document.xml': strToU8(`<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>${PLAIN}</w:t></w:r></w:p></w:body></w:document>`),
      ...members,
    }),
  );
const keptLetters = (files: readonly Buffer[]) =>
  keptAttachments(
    h,
    alias,
    files.map((f) => ({ type: DOCX, name: 'letter.docx', base64: b64(f) })),
  );
/** Bytes a judge takes for binary: every value, control bytes among them (a seeded sequence). */
function binaryLooking(n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return b;
}

describe('package members read as text (round-15 attack)', () => {
  it('removes a docx whose text member holds another’s address past 8 KiB of binary-looking bytes, or in UTF-16 after 8 KiB of ASCII', async () => {
    const held = `Lager: ${BUYER_OTHER}`;
    const notes = [
      Buffer.concat([binaryLooking(9000), Buffer.from(`\r\n${held}\r\n`, 'latin1')]),
      Buffer.concat([binaryLooking(9000), Buffer.from(`\r\n${held}\r\n`, 'utf16le')]),
      Buffer.concat([Buffer.from('x'.repeat(9000)), Buffer.from(`\r\n${held}\r\n`, 'utf16le')]),
    ];
    // Kept: binary-looking bytes under a picture's name (searched for the writer only). The trade: a
    // member named as text that is binary throughout reads as junk that may hold an `@` between
    // letters (`Ç@kGµð.ÒPZ`), and the package is removed, as a member no editor shows cleanly.
    const picture = letter({ 'word/media/image1.bin': new Uint8Array(binaryLooking(20000)) });
    expect(await keptLetters([...notes.map((n) => letter({ 'contacts.txt': new Uint8Array(n) })), picture])).toEqual([...notes.map(() => []), ['letter.docx']]);
  }, 60_000);
});
