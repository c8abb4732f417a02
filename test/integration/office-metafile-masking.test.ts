// Windows metafile pictures (EMF, WMF), which Word and Outlook paste into a document
// (word/media/image1.emf): their text records are drawn as visible text. Inside an Office package a
// picture's text holding an address removes the package, as the document's own text does; a logo
// without text, or with ordinary text, is kept. On their own (image/emf, image/wmf, a .emf under a
// generic type) they are removed: no handler reads them.
import { gzipSync, strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { keptAttachments, startMaskingPair } from '../helpers/tagged-send.js';
import { b64, BUYER, BUYER_OTHER } from '../fixtures/masking-mail.js';
import { emf, emfPlusDrawString, emfShapes, extTextOut, officeArtBlip, smallTextOut, wmf, wmfExtTextOut, wmfTextOut } from '../fixtures/metafile.js';
import { container, currentUser, DOC, pptContainer, PPT, rec, slideTexts, textChars, workbookStream, wordStreams, XLS } from '../fixtures/legacy-office.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>';
const letter = (picture: Uint8Array, name = 'word/media/image1.emf') =>
  Buffer.from(
    zipSync({
      '[Content_Types].xml': strToU8(TYPES),
      'word/document.xml': strToU8('<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>Return form A-1001</w:t></w:r></w:p></w:body></w:document>'),
      [name]: picture,
    }),
  );
const kept = (files: readonly (readonly [string, string, Buffer])[]) =>
  keptAttachments(
    h,
    alias,
    files.map(([type, name, bytes]) => ({ type, name, base64: b64(bytes) })),
  );

const OTHER = `Lager: ${BUYER_OTHER}`;
const ORDINARY = 'Acme Store - 2 pcs @ 19.99 EUR';

describe('metafile pictures inside Office packages and on their own', () => {
  it("removes a docx whose EMF or WMF picture draws another's address or the writer's, and keeps logos and ordinary text", async () => {
    const held = [
      emf([extTextOut(OTHER)]),
      emf([extTextOut(OTHER, false)]),
      emf([...emfShapes(), smallTextOut(OTHER)]),
      emf([emfPlusDrawString(OTHER)]),
      emf([extTextOut(ORDINARY)], OTHER),
      emf([extTextOut(`Contact ${BUYER.address}`)]),
      wmf([wmfTextOut(OTHER)]),
      wmf([wmfExtTextOut(OTHER)]),
    ];
    const files = [
      ...held.map((p) => [DOCX, 'letter.docx', letter(p)] as const),
      [DOCX, 'letter.docx', letter(gzipSync(emf([extTextOut(OTHER)])), 'word/media/image1.emz')] as const,
      // Kept: a logo of shapes, ordinary text drawn, a WMF with ordinary text.
      [DOCX, 'logo.docx', letter(emf(emfShapes()))] as const,
      [DOCX, 'plain.docx', letter(emf([...emfShapes(), extTextOut(ORDINARY), emfPlusDrawString(ORDINARY)], 'Acme logo'))] as const,
      [DOCX, 'plain.docx', letter(wmf([wmfTextOut(ORDINARY)]), 'word/media/image2.wmf')] as const,
    ];
    expect(await kept(files)).toEqual([...held.map(() => []), [], ['logo.docx'], ['plain.docx'], ['plain.docx']]);
  }, 120_000);

  it("removes a .doc, .xls or .ppt whose EMF or WMF picture (an OfficeArt blip, compressed or not) draws another's address, and keeps logos", async () => {
    const doc = (blip: Buffer) => container({ ...wordStreams(['Return label for A-1001\r\u0001\r']), Data: Buffer.concat([Buffer.alloc(68), blip]) });
    const xls = (blip: Buffer) => container({ Workbook: workbookStream([rec(0x00eb, Buffer.concat([Buffer.alloc(8), blip]))]) });
    const ppt = (blip: Buffer) =>
      container({ 'PowerPoint Document': pptContainer(0x03e8, [slideTexts([textChars('Order A-1001')])]), 'Current User': currentUser(), Pictures: blip });
    const held = [emf([extTextOut(OTHER)]), wmf([wmfTextOut(OTHER)])];
    const files: (readonly [string, string, Buffer])[] = [];
    for (const [type, name, make] of [
      [DOC, 'label.doc', doc],
      [XLS, 'order.xls', xls],
      [PPT, 'slides.ppt', ppt],
    ] as const) {
      for (const p of held) files.push([type, name, make(officeArtBlip(p))]);
      files.push([type, name, make(officeArtBlip(held[0]!, true))]);
      files.push([type, name, make(officeArtBlip(emf([...emfShapes(), extTextOut(ORDINARY)])))]);
    }
    expect(await kept(files)).toEqual(files.map(([, name], k) => (k % 4 === 3 ? [name] : [])));
  }, 120_000);

  it('removes a metafile attached on its own, with text or without', async () => {
    const logo = emf(emfShapes());
    const files = [
      ['image/emf', 'logo.emf', logo],
      ['image/x-emf', 'logo.emf', logo],
      ['image/wmf', 'logo.wmf', wmf([wmfTextOut(ORDINARY)])],
      ['application/x-msmetafile', 'logo.wmf', wmf([])],
      ['application/octet-stream', 'logo.emf', emf([extTextOut(OTHER)])],
    ] as const;
    expect(await kept(files)).toEqual(files.map(() => []));
  }, 60_000);
});
