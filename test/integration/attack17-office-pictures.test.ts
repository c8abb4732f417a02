// Round-17 attack on pictures inside Office packages: JPEG, PNG and GIF are cleaned by the
// allow-list (what viewers draw), but Word also draws TIFF, BMP and WebP pictures, and those were
// read as any other binary member: searched for the writer only, so another person's address (the
// buyer's other mailbox in a TIFF's ImageDescription or a WebP's XMP) crossed inside the package.
// Round 18: the one picture cleaner (image-metadata.ts) reads TIFF, WebP and BMP too, inside a
// package, attached on its own (removed before: a type not in the table) and as a data: picture.
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { alternativeMail, deliveredAttachments, sendTagged, maskingPairForTests, subjectTag } from '../helpers/tagged-send.js';
import { docxWithPicture, holding } from '../helpers/package-pictures.js';
import { b64, BUYER, BUYER_OTHER } from '../fixtures/masking-mail.js';
import { bmpFile, riffChunk, TIFF_PAGE, tiffFile, tiffText, VP8L_1X1, vp8x, webpFile } from '../fixtures/pictures.js';

/** A 1×1 TIFF whose ImageDescription (tag 270) says `text`. */
const tiffSaying = (text: string) => tiffFile([[...TIFF_PAGE, tiffText(270, text)]]);

/** Pictures of each format carrying another person's address where a viewer does not draw it. */
const carrying = (address: string): Record<string, Buffer> => ({
  tiff: tiffFile([
    [...TIFF_PAGE, tiffText(315, address), { tag: 34665, type: 4, ifd: [tiffText(0xa430, address)] }],
    [...TIFF_PAGE, tiffText(270, `Page 2 by ${address}`)],
  ]),
  webp: webpFile([
    vp8x(0x08 | 0x04),
    VP8L_1X1,
    riffChunk('EXIF', Buffer.from(`II*\0${address}`, 'latin1')),
    riffChunk('XMP ', Buffer.from(`<x:xmpmeta>${address}</x:xmpmeta>`)),
  ]),
  bmp: bmpFile({ gap: Buffer.from(address), trailing: Buffer.from(`Photo by ${address}`) }),
});

const pair = maskingPairForTests();

describe('a TIFF picture inside a docx (round-17 attack)', () => {
  it('does not carry another person’s address in the picture’s description', async () => {
    const file = docxWithPicture('image1.tiff', tiffSaying(`Photo by ${BUYER_OTHER}`));
    const [atts] = await deliveredAttachments(pair.h, pair.alias, [
      { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', name: 'damage.docx', base64: b64(file) },
    ]);
    expect(atts!.map((a) => a.filename)).toEqual(['damage.docx']);
    expect(holding(atts!, BUYER_OTHER)).toEqual([]);
  }, 60_000);
});

describe('TIFF, WebP and BMP pictures (round 18): cleaned wherever they are, the picture kept', () => {
  const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
  const pictures = carrying(BUYER_OTHER);

  it('inside a docx, attached under its own type, attached under a generic type by its name: kept, without the address', async () => {
    const sent = Object.entries(pictures).flatMap(([ext, bytes]) => [
      { type: DOCX, name: `damage-${ext}.docx`, base64: b64(docxWithPicture(`image1.${ext}`, bytes)) },
      { type: `image/${ext}`, name: `damage.${ext}`, base64: b64(bytes) },
      { type: 'application/octet-stream', name: `photo.${ext}`, base64: b64(bytes), disposition: true },
    ]);
    const got = await deliveredAttachments(pair.h, pair.alias, sent);
    // Every file arrives, none holding the address.
    expect(got.map((atts) => atts.map((a) => a.filename))).toEqual(sent.map((f) => [f.name]));
    expect(got.flatMap((atts) => holding(atts, BUYER_OTHER))).toEqual([]);
    // A picture on its own keeps its format, declared by its bytes.
    expect(got.map((atts) => atts[0]!.contentType)).toEqual(sent.map((f) => (f.type === DOCX ? DOCX : `image/${f.name.split('.').pop()}`)));
  }, 60_000);

  it('as a data: picture in HTML: kept, without the address', async () => {
    const raws = await sendTagged(
      pair.h,
      BUYER.address,
      pair.alias,
      Object.entries(pictures).map(([ext, bytes], k) =>
        alternativeMail(
          pair.alias,
          `${subjectTag(k)} pic`,
          'See the picture.',
          `<p>See the picture.</p><img alt="pic" src="data:image/${ext};base64,${b64(bytes)}">`,
        ),
      ),
    );
    const srcs = await Promise.all(raws.map(async (raw) => [...String((await simpleParser(raw)).html).matchAll(/src="data:([^;]+);base64,([^"]+)"/g)]));
    expect(srcs.map((m) => m.map(([, type]) => type))).toEqual(Object.keys(pictures).map((ext) => [`image/${ext}`]));
    expect(srcs.flatMap((m) => m.map(([, , data]) => Buffer.from(data!, 'base64').toString('latin1'))).filter((s) => s.includes(BUYER_OTHER))).toEqual([]);
  }, 60_000);
});
