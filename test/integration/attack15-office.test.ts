// Round-15 attack on the attachments read anew this round: package members judged text or binary
// by their first 8 KiB (document-metadata.ts memberTexts), metafile pictures (metafile-text.ts).
import { strToU8, zipSync } from 'fflate';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { alternativeMail, attachmentMail, keptAttachments, sendTagged, startMaskingPair, subjectTag } from '../helpers/tagged-send.js';
import { b64, BUYER, BUYER_OTHER, pngWithText } from '../fixtures/masking-mail.js';
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

/**
 * A 1×1 GIF89a whose extensions carry `text`: a plain text extension (label 0x01, drawn by few
 * viewers), and sub-blocks past the looping one of a NETSCAPE2.0 and past a graphic control one
 * (a decoder skips them).
 */
function gifCarrying(text: string): Buffer {
  const t = Buffer.from(text, 'latin1');
  const sub = (b: Buffer) => Buffer.concat([Buffer.from([b.length]), b]);
  return Buffer.concat([
    Buffer.from('GIF89a'),
    Buffer.from([1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff]),
    Buffer.from([0x21, 0xff]),
    sub(Buffer.from('NETSCAPE2.0')),
    sub(Buffer.from([1, 0, 0])),
    sub(t),
    Buffer.from([0]),
    Buffer.from([0x21, 0xf9, 4, 0, 0, 0, 0]),
    sub(t),
    Buffer.from([0]),
    Buffer.from([0x21, 0x01, 12, 0, 0, 0, 0, 1, 0, 1, 0, 8, 8, 1, 0]),
    sub(t),
    Buffer.from([0]),
    Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4c, 0x01, 0, 0x3b]),
  ]);
}

describe('GIF pictures (round-15 attack: data: images read as attached ones)', () => {
  it('lose the text kept in a plain text extension and in sub-blocks past a kept extension’s own, inline and attached', async () => {
    const gif = gifCarrying(`Lager ${BUYER_OTHER}`);
    const raws = [
      alternativeMail(alias, `${subjectTag(0)} pic`, 'See the picture.', `<p>See the picture.</p><img alt="pic" src="data:image/gif;base64,${b64(gif)}">`),
      attachmentMail(alias, 1, { type: 'image/gif', name: 'pic.gif', base64: b64(gif) }),
    ];
    const got = await sendTagged(h, BUYER.address, alias, raws);
    const inline = /data:image\/gif;base64,([A-Za-z0-9+/=]+)/.exec(String((await simpleParser(got[0]!)).html))?.[1];
    const attached = (await simpleParser(got[1]!)).attachments[0]?.content;
    const pictures = [Buffer.from(inline ?? '', 'base64'), attached ?? Buffer.alloc(0)];
    expect(pictures.map((p) => p.subarray(0, 6).toString('latin1'))).toEqual(['GIF89a', 'GIF89a']);
    expect(pictures.map((p) => p.toString('latin1').includes(BUYER_OTHER))).toEqual([false, false]);
  }, 60_000);
});

describe('pictures inline as data: URIs under the types web editors write (round-15 attack)', () => {
  it('keeps a picture declared image/jpg or image/x-png, as the picture it is', async () => {
    const srcs = [`data:image/jpg;base64,${b64(pngWithText()).replace(/\r\n/g, '')}`, `data:image/x-png;base64,${b64(pngWithText()).replace(/\r\n/g, '')}`];
    const got = await sendTagged(
      h,
      BUYER.address,
      alias,
      srcs.map((src, k) => alternativeMail(alias, `${subjectTag(k)} pic`, 'See the picture.', `<p>See the picture.</p><img alt="pic" src="${src}">`)),
    );
    const inline = await Promise.all(
      got.map(async (raw) => [...String((await simpleParser(raw)).html).matchAll(/<img[^>]*src="data:image\/png;base64,/g)].length),
    );
    expect(inline).toEqual([1, 1]);
  }, 60_000);
});
