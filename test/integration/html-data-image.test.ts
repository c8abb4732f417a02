// Pictures inside an HTML part as data: URIs (`<img src="data:image/…;base64,…">`): what they draw
// or keep (an SVG's text, an EMF's text records, a PNG's text chunks) is not in the HTML's text, and
// crossed as written. A JPEG, PNG or GIF now arrives without its metadata, as a photo attached on
// its own; any other picture (SVG, EMF, WMF…) is dropped, as an image nothing reads.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { alternativeMail, sendTagged, startMaskingPair, subjectTag } from '../helpers/tagged-send.js';
import { BUYER, BUYER_OTHER, pngWithText, STAFF } from '../fixtures/masking-mail.js';
import { emf, extTextOut, wmf, wmfTextOut } from '../fixtures/metafile.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');

describe('pictures in HTML as data: URIs', () => {
  it("drop an SVG, EMF or WMF picture and a PNG's metadata, so neither another's address nor the writer's crosses; an ordinary PNG is kept", async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg"><text x="0" y="15">${BUYER_OTHER}</text></svg>`;
    const srcs = [
      `data:image/svg+xml;base64,${b64(svg)}`,
      `data:image/svg+xml,${encodeURIComponent(svg)}`,
      `data:image/x-emf;base64,${b64(emf([extTextOut(`Contact ${BUYER_OTHER}`)]))}`,
      `data:image/wmf;base64,${b64(wmf([wmfTextOut(`Contact ${BUYER_OTHER}`)]))}`,
      // Not the picture its type says.
      `data:image/png;base64,${b64(svg)}`,
      // Kept, its text chunk (the writer's name and address) removed.
      `DATA:image/PNG;name=x.png;base64,${b64(pngWithText())}`,
    ];
    const raws = srcs.map((src, k) =>
      alternativeMail(alias, `${subjectTag(k)} pic`, 'See the picture.', `<p>See the picture.</p><img alt="pic" src="${src}">`),
    );
    const got = await sendTagged(h, BUYER.address, alias, raws);
    const inline = await Promise.all(got.map(async (raw) => [...((await simpleParser(raw)).html || '').matchAll(/<img[^>]*>/g)].map((m) => m[0])));
    expect(inline.slice(0, 5)).toEqual([[], [], [], [], []]);
    expect(inline[5]).toHaveLength(1);
    const png = Buffer.from(/base64,([A-Za-z0-9+/=]+)/.exec(inline[5]![0]!)![1]!, 'base64');
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.toString('latin1')).not.toContain(STAFF.address);
    expect(png.toString('latin1')).not.toContain('tEXt');
  }, 60_000);
});
