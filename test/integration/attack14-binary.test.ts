// Round-14 attack rows for binary parts searched in pieces: the writer's name in a script whose
// UTF-16 bytes are control characters in Latin-1 (Cyrillic, Greek) or letters of no name (CJK),
// stored as UTF-16LE from an odd byte of an Office package's binary part, was found by no
// reading (UTF-16 was read from byte 0 only; the Latin-1 reading without control characters finds
// only Latin names so stored) and the document crossed.
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { simpleParser } from 'mailparser';
import { sendTagged, startMaskingPair, subjectTag } from '../helpers/tagged-send.js';
import { b64, mail, MAILBOX } from '../fixtures/masking-mail.js';
import { BINARY_CHUNK } from '../../src/core/masking/binary-readings.js';

let h: Harness;
let alias: string;
/** The staff member's full name (hidden from the buyer everywhere), in Cyrillic. */
const NAME = 'Иван Петров';
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

/** A .docx whose printer settings are 2 pieces of zeros with `inserted` written at byte `at`. */
function withPart(inserted: Uint8Array | null, at = 0): Uint8Array {
  const part = new Uint8Array(2 * BINARY_CHUNK);
  if (inserted) part.set(inserted, at);
  return zipSync({
    '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
    'word/document.xml': strToU8(`<w:document ${W}><w:body><w:p><w:r><w:t>Return form A-1001</w:t></w:r></w:p></w:body></w:document>`),
    'word/printerSettings/printerSettings1.bin': part,
  });
}

describe('UTF-16 at an odd byte of a binary part', () => {
  it("store → buyer: removes a document whose binary part holds the staff member's Cyrillic name as UTF-16LE at any byte, keeps one without", async () => {
    const utf16 = Buffer.from(NAME, 'utf16le');
    const files = [
      withPart(null),
      withPart(utf16, 1000),
      withPart(utf16, 1001),
      withPart(utf16, 2 * BINARY_CHUNK - 1 - utf16.length),
      // Across the piece's edge from an odd byte.
      withPart(utf16, BINARY_CHUNK - 7),
    ];
    const from = `=?utf-8?b?${Buffer.from(NAME).toString('base64')}?= <${MAILBOX}>`;
    const raws = files.map((f, k) =>
      mail(
        [`From: ${from}`, `To: ${alias}`, `Subject: ${subjectTag(k)} form`, 'Content-Type: multipart/mixed; boundary="q"'],
        [
          '--q',
          'Content-Type: text/plain',
          '',
          'Form attached.',
          '--q',
          `Content-Type: ${DOCX}; name="letter.docx"`,
          'Content-Transfer-Encoding: base64',
          '',
          b64(f),
          '--q--',
        ],
      ),
    );
    const delivered = await sendTagged(h, MAILBOX, alias, raws, 60_000);
    expect(await Promise.all(delivered.map(async (raw) => (await simpleParser(raw)).attachments.map((a) => a.filename)))).toEqual([
      ['letter.docx'],
      [],
      [],
      [],
      [],
    ]);
  }, 90_000);
});
