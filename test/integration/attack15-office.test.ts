// Round-15 attack on the attachments read anew this round: package members judged text or binary
// by their first 8 KiB (document-metadata.ts memberTexts), metafile pictures (metafile-text.ts).
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { keptAttachments, startMaskingPair } from '../helpers/tagged-send.js';
import { b64, BUYER_OTHER } from '../fixtures/masking-mail.js';
import { emf, emfPlusDrawString, extTextOut, wmf, wmfTextOut } from '../fixtures/metafile.js';

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

describe('metafile pictures (round-15 attack)', () => {
  // A picture draws its text in as many records as it likes (one per word, per font run, per
  // glyph: PDF printers and charts do): the address is what a reader sees, drawn in pieces.
  it('removes a docx whose picture draws another’s address in pieces, and keeps one drawing ordinary text so', async () => {
    const [local, domain] = BUYER_OTHER.split('@') as [string, string];
    const pictures = [
      emf([extTextOut(`Lager: ${local}`), extTextOut(`@${domain}`)]),
      emf([...BUYER_OTHER].map((ch) => extTextOut(ch))),
      emf([emfPlusDrawString(`${local}@`), emfPlusDrawString(domain)]),
      wmf([wmfTextOut(`${local}@`), wmfTextOut(domain)]),
    ];
    const ordinary = emf([extTextOut('2 pcs @'), extTextOut('19.99 EUR'), extTextOut('Return form A-1001')]);
    const files = [...pictures, ordinary].map((p) => letter({ 'word/media/image1.emf': new Uint8Array(p) }));
    expect(await keptLetters(files)).toEqual([...pictures.map(() => []), ['letter.docx']]);
  }, 60_000);
});
