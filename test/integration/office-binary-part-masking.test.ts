// An Office package's binary parts (a printer's settings, a font) are searched for the writer in
// pieces of 1 MiB (binary-readings.ts), so a 247 KB .docx that unpacks a 99 MB part no longer takes
// +300 MB: the writer's address anywhere in a large part, beyond the first piece or across a
// piece's edge, in either reading, still removes the document, and a large part without it crosses.
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { keptFiles, startMaskingPair } from '../helpers/tagged-send.js';
import { b64, BUYER } from '../fixtures/masking-mail.js';
import { BINARY_CHUNK } from '../../src/core/masking/binary-readings.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

/** A .docx whose printer settings are 3 pieces of zeros with `inserted` written at byte `at`. */
function withPart(inserted: Uint8Array | null, at = 0): Uint8Array {
  const part = new Uint8Array(3 * BINARY_CHUNK);
  if (inserted) part.set(inserted, at);
  return zipSync({
    '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
    'word/document.xml': strToU8(`<w:document ${W}><w:body><w:p><w:r><w:t>Return form A-1001</w:t></w:r></w:p></w:body></w:document>`),
    'word/printerSettings/printerSettings1.bin': part,
  });
}

describe("an Office package's large binary part, searched in pieces", () => {
  it("removes a document whose binary part holds the writer's address past the first piece or across an edge, keeps one without", async () => {
    const latin1 = Buffer.from(BUYER.address, 'latin1');
    const utf16 = Buffer.from(BUYER.address.toUpperCase(), 'utf16le');
    const files = [
      withPart(null),
      // Past the first piece, in each reading.
      withPart(latin1, 2 * BINARY_CHUNK + 12345),
      withPart(utf16, 2 * BINARY_CHUNK + 1000),
      // Across the first piece's edge: Latin-1 cut after 5 bytes, UTF-16 after 7 characters, and
      // UTF-16 from an odd byte (not a UTF-16 reading from byte 0: read as Latin-1 without its
      // NULs, control characters that show as nothing, as it was read whole).
      withPart(latin1, BINARY_CHUNK - 5),
      withPart(utf16, BINARY_CHUNK - 7 * 2),
      withPart(utf16, BINARY_CHUNK - 7),
      // Its control characters left out (they show as nothing), the edge among them.
      withPart(Buffer.concat([Buffer.from('anna.weber@'), Buffer.alloc(20, 0x1f), Buffer.from('buyer.example')]), BINARY_CHUNK - 20),
      // The blanks around its @ left out, the edge beside it.
      withPart(Buffer.from('anna.weber   @   buyer.example'), BINARY_CHUNK - 13),
    ];
    expect(
      await keptFiles(
        h,
        alias,
        files.map((f) => b64(f)),
        DOCX,
        'letter.docx',
        60_000,
      ),
    ).toEqual([['letter.docx'], [], [], [], [], [], [], []]);
  }, 90_000);
});
