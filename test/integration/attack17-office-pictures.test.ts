// Round-17 attack on pictures inside Office packages: JPEG, PNG and GIF are cleaned by the
// allow-list (what viewers draw), but Word also draws TIFF, BMP and WebP pictures, and those are
// read as any other binary member: searched for the writer only, so another person's address (the
// buyer's other mailbox in a TIFF's ImageDescription or a WebP's XMP) crossed inside the package.
import { strToU8, unzipSync, zipSync } from 'fflate';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { attachmentMail, sendTagged, startMaskingPair } from '../helpers/tagged-send.js';
import { b64, BUYER, BUYER_OTHER } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

/** A 1×1 little-endian TIFF whose ImageDescription (tag 270) says `text`. */
function tiffSaying(text: string): Buffer {
  const desc = Buffer.from(`${text}\0`, 'latin1');
  const entries: [number, number, number, number][] = [
    [256, 3, 1, 1], // width
    [257, 3, 1, 1], // height
    [258, 3, 1, 8], // bits
    [259, 3, 1, 1], // no compression
    [262, 3, 1, 1], // black is zero
    [270, 2, desc.length, 0], // description (offset filled below)
    [273, 4, 1, 0], // strip offset (filled below)
    [278, 3, 1, 1],
    [279, 4, 1, 1],
  ];
  const ifdAt = 8;
  const ifdLen = 2 + entries.length * 12 + 4;
  const descAt = ifdAt + ifdLen;
  const pixelAt = descAt + desc.length;
  const b = Buffer.alloc(pixelAt + 1);
  b.write('II', 0, 'latin1');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(ifdAt, 4);
  b.writeUInt16LE(entries.length, ifdAt);
  entries.forEach(([tag, type, count, value], i) => {
    const at = ifdAt + 2 + i * 12;
    b.writeUInt16LE(tag, at);
    b.writeUInt16LE(type, at + 2);
    b.writeUInt32LE(count, at + 4);
    const v = tag === 270 ? descAt : tag === 273 ? pixelAt : value;
    if (type === 3) b.writeUInt16LE(v, at + 8);
    else b.writeUInt32LE(v, at + 8);
  });
  desc.copy(b, descAt);
  return b;
}

function docxWithPicture(name: string, picture: Buffer): Buffer {
  return Buffer.from(
    zipSync({
      '[Content_Types].xml': strToU8(
        `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="${name.split('.').pop()}" ContentType="image/tiff"/></Types>`,
      ),
      'word/document.xml': strToU8('<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>Photo of the damage</w:t></w:r></w:p></w:body></w:document>'),
      [`word/media/${name}`]: picture,
    }),
  );
}

describe('a TIFF picture inside a docx (round-17 attack)', () => {
  // Left failing: the fix is a TIFF cleaner of its own (keep the tags a viewer draws by, as the
  // JPEG/PNG allow-list does), or treating a non-JPEG/PNG/GIF picture member as text searched for
  // any address (as a text member is); neither is small. Reported.
  it.fails(
    'does not carry another person’s address in the picture’s description',
    async () => {
      const file = docxWithPicture('image1.tiff', tiffSaying(`Photo by ${BUYER_OTHER}`));
      const [raw] = await sendTagged(h, BUYER.address, alias, [
        attachmentMail(alias, 0, { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', name: 'damage.docx', base64: b64(file) }),
      ]);
      const atts = (await simpleParser(raw!)).attachments;
      const leaks = atts.flatMap((a) => {
        let members: Record<string, Uint8Array>;
        try {
          members = unzipSync(new Uint8Array(a.content));
        } catch {
          members = { whole: a.content };
        }
        return Object.entries(members)
          .filter(([, m]) => Buffer.from(m).toString('latin1').toLowerCase().includes(BUYER_OTHER))
          .map(([n]) => `${a.filename}:${n}`);
      });
      expect(leaks).toEqual([]);
    },
    60_000,
  );
});
