// Round-18 attack on the TIFF, WebP and BMP cleaner: text kept in what a picture keeps. The ICC
// profile (a TIFF's tag 34675, a WebP's ICCP, a BMPv5's embedded one) was kept raw and searched for
// the writer only, so another person's address in its description crossed; a WebP's animation header
// was kept at any length; a TIFF's kept tag at any count. End to end, through the gateway: attached,
// inside a docx and as a data: picture, each under a type or name that lies about it too.
import { unzlibSync } from 'fflate';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { alternativeMail, attachmentMail, deliveredAttachments, sendTagged, maskingPairForTests, subjectTag } from '../helpers/tagged-send.js';
import { docxWithPicture, holding } from '../helpers/package-pictures.js';
import { b64, BUYER, BUYER_OTHER } from '../fixtures/masking-mail.js';
import { bmpFile, iccProfile, jpegWithProfile, pngWithProfile, riffChunk, TIFF_PAGE, tiffFile, VP8L_1X1, vp8x, webpFile } from '../fixtures/pictures.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** Pictures of each format whose kept parts carry another person's address (ICC description, ANIM's tail). */
const carrying = (address: string): Record<string, Buffer> => ({
  tiff: tiffFile([[...TIFF_PAGE, { tag: 34675, type: 7, bytes: iccProfile(`Display of ${address}`, `(c) ${address}`) }]], { bigEndian: true }),
  webp: webpFile([
    vp8x(0x20 | 0x02),
    riffChunk('ICCP', iccProfile(`Display of ${address}`)),
    riffChunk('ANIM', Buffer.concat([Buffer.alloc(6), Buffer.from(address)])),
    riffChunk('ANMF', Buffer.concat([Buffer.alloc(16), VP8L_1X1])),
  ]),
  bmp: bmpFile({ v5: { cs: 'MBED', profile: iccProfile(`Display of ${address}`) } }),
});

const pair = maskingPairForTests();

describe('round-18 attack: an address in what a TIFF, WebP or BMP keeps', () => {
  const pictures = carrying(BUYER_OTHER);

  it('attached (declared image/png, named .png), inside a docx (named image1.png): kept, each its format, without the address', async () => {
    const sent = Object.entries(pictures).flatMap(([ext, bytes]) => [
      { type: DOCX, name: `damage-${ext}.docx`, base64: b64(docxWithPicture('image1.png', bytes)) },
      { type: 'image/png', name: `damage-${ext}.png`, base64: b64(bytes) },
    ]);
    const got = await deliveredAttachments(pair.h, pair.alias, sent);
    expect(got.map((atts) => atts.map((a) => a.filename))).toEqual(sent.map((f) => [f.name]));
    expect(got.flatMap((atts) => holding(atts, BUYER_OTHER.slice(0, 12)))).toEqual([]);
    expect(got.map((atts) => atts[0]!.contentType)).toEqual(Object.keys(pictures).flatMap((ext) => [DOCX, `image/${ext}`]));
  }, 60_000);

  it('as a data: picture declared image/jpeg: kept as its format, without the address', async () => {
    const raws = await sendTagged(
      pair.h,
      BUYER.address,
      pair.alias,
      Object.values(pictures).map((bytes, k) =>
        alternativeMail(
          pair.alias,
          `${subjectTag(k)} pic`,
          'See the picture.',
          `<p>See the picture.</p><img alt="pic" src="data:image/jpeg;base64,${b64(bytes)}">`,
        ),
      ),
    );
    const srcs = await Promise.all(raws.map(async (raw) => [...String((await simpleParser(raw)).html).matchAll(/src="data:([^;]+);base64,([^"]+)"/g)]));
    expect(srcs.map((m) => m.map(([, type]) => type))).toEqual(Object.keys(pictures).map((ext) => [`image/${ext}`]));
    expect(
      srcs.flatMap((m) => m.map(([, , data]) => Buffer.from(data!, 'base64').toString('latin1'))).filter((s) => s.includes(BUYER_OTHER.slice(0, 12))),
    ).toEqual([]);
  }, 60_000);

  it('a TIFF whose kept tag holds more values than it takes is removed, the message still delivered', async () => {
    const text = Buffer.from(BUYER_OTHER.padEnd(32, ' '));
    const bad = tiffFile([[...TIFF_PAGE, { tag: 297, type: 3, values: Array.from({ length: 16 }, (_, i) => text.readUInt16LE(2 * i)) }]]);
    const [raw] = await sendTagged(pair.h, BUYER.address, pair.alias, [
      attachmentMail(pair.alias, 0, { type: 'image/tiff', name: 'scan.tiff', base64: b64(bad) }),
    ]);
    const m = await simpleParser(raw!);
    expect(m.attachments.map((a) => a.filename)).toEqual([]);
    expect(raw!.toString('latin1')).not.toContain(BUYER_OTHER);
    expect(m.text).toContain('File attached.');
  }, 60_000);
});

/** A PNG's chunks (type, data) and, for its iCCP, the profile inflated: what a colour engine reads of it. */
function pngParts(b: Buffer): { types: string[]; name: string; profile: Buffer } {
  const types: string[] = [];
  let name = '';
  let profile = Buffer.alloc(0);
  for (let at = 8; at + 12 <= b.length; at += 12 + b.readUInt32BE(at)) {
    const type = b.toString('latin1', at + 4, at + 8);
    types.push(type);
    if (type !== 'iCCP') continue;
    const data = b.subarray(at + 8, at + 8 + b.readUInt32BE(at));
    name = data.toString('latin1', 0, data.indexOf(0));
    profile = Buffer.from(unzlibSync(data.subarray(data.indexOf(0) + 2)));
  }
  return { types, name, profile };
}

describe('round-18 attack: an address in a PNG’s or a JPEG’s ICC profile', () => {
  const icc = iccProfile(`Display of ${BUYER_OTHER}`, `(c) ${BUYER_OTHER}`);
  const pictures = [
    { type: 'image/png', name: 'described.png', bytes: pngWithProfile('Display P3', `Display of ${BUYER_OTHER}`) },
    { type: 'image/png', name: 'named.png', bytes: pngWithProfile(BUYER_OTHER, 'Display P3') },
    { type: 'image/jpeg', name: 'one.jpg', bytes: jpegWithProfile(icc, 1) },
    { type: 'image/jpeg', name: 'two.jpg', bytes: jpegWithProfile(icc, 2) },
  ];

  it('attached and inside a docx: kept with its profile (renamed, its text blanked), without the address', async () => {
    const sent = pictures.flatMap((p) => [
      { type: DOCX, name: p.name.replace(/\.\w+$/, '.docx'), base64: b64(docxWithPicture('image1.png', p.bytes)) },
      { type: p.type, name: p.name, base64: b64(p.bytes) },
    ]);
    const got = await deliveredAttachments(pair.h, pair.alias, sent);
    expect(got.map((atts) => atts.map((a) => a.filename))).toEqual(sent.map((f) => [f.name]));
    expect(got.flatMap((atts) => holding(atts, BUYER_OTHER.slice(0, 12)))).toEqual([]);
    const alone = got.filter((_, k) => k % 2 === 1).map((atts) => atts[0]!.content);
    // The PNGs' profiles, inflated: still profiles, named neutrally, without the address.
    for (const png of alone.slice(0, 2)) {
      const { types, name, profile } = pngParts(png);
      expect(types).toEqual(['IHDR', 'iCCP', 'IDAT', 'IEND']);
      expect([name, profile.toString('latin1', 36, 40), profile.toString('latin1').includes(BUYER_OTHER.slice(0, 12))]).toEqual(['ICC profile', 'acsp', false]);
    }
    // The JPEGs: as long as they were (the profile blanked in place), their profile segments still there.
    expect(alone.slice(2).map((j) => [j.length, j.toString('latin1').split('ICC_PROFILE\0').length - 1])).toEqual([
      [pictures[2]!.bytes.length, 1],
      [pictures[3]!.bytes.length, 2],
    ]);
  }, 60_000);
});
