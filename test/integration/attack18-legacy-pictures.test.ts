// Pictures inside old binary Office files (.doc, .ppt, .xls): their JPEG and PNG pictures are
// OfficeArt blips inside the file's streams (a .doc's Data stream, a .ppt's Pictures stream, a
// workbook's drawing group records), which were searched for the writer only. A photo's EXIF and
// XMP naming another person (the buyer's other mailbox) crossed inside the file, while the same
// photo attached, or inside a docx, lost them. Cleaned in place at the same length (no offset in
// the file moves), the picture still shows the same pixels.
import CFB from 'cfb';
import { unzlibSync } from 'fflate';
import jpeg from 'jpeg-js';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { attachmentMail, deliveredAttachments, maskingPairForTests, sendTagged } from '../helpers/tagged-send.js';
import { b64, BUYER, BUYER_OTHER } from '../fixtures/masking-mail.js';
import { jpegCarrying, pngCarrying, pngWithProfile } from '../fixtures/pictures.js';
import {
  bitmapBlip,
  BLIP_PICTURE_AT,
  container,
  currentUser,
  DOC,
  drawingGroup,
  drawingGroupRecords,
  fbse,
  PPT,
  pptContainer,
  pptRecord,
  slideTexts,
  textChars,
  workbookStream,
  wordPictureData,
  wordStreams,
  XLS,
} from '../fixtures/legacy-office.js';

const pair = maskingPairForTests();

/** Each file sent in its own message; per message, the files its delivered copy carries. */
async function delivered(files: readonly { type: string; name: string; bytes: Buffer }[]): Promise<{ name: string; bytes: Buffer }[][]> {
  const got = await deliveredAttachments(
    pair.h,
    pair.alias,
    files.map((f) => ({ type: f.type, name: f.name, base64: b64(f.bytes) })),
  );
  return got.map((atts) => atts.map((a) => ({ name: a.filename ?? '', bytes: a.content })));
}

/** Whether `b` holds the buyer's other mailbox, read as Latin-1, UTF-8 or UTF-16LE (from byte 0 and 1), case folded. */
const holdsOther = (b: Uint8Array) =>
  [Buffer.from(b).toString('latin1'), Buffer.from(b).toString('utf8'), Buffer.from(b).toString('utf16le'), Buffer.from(b.subarray(1)).toString('utf16le')].some(
    (r) => r.toLowerCase().includes(BUYER_OTHER),
  );

/** A container's streams by name. */
function streams(file: Uint8Array): Map<string, Buffer> {
  const cfb = CFB.read(Buffer.from(file), { type: 'buffer' });
  const out = new Map<string, Buffer>();
  cfb.FileIndex.forEach((e) => {
    if (e.type === 2 && e.content) out.set(e.name, Buffer.from(e.content as Uint8Array));
  });
  return out;
}

/** A workbook stream's drawing group records (MsoDrawingGroup and its CONTINUEs), their data joined: where Excel reads its pictures. */
function drawingData(workbook: Buffer): Buffer {
  const parts: Buffer[] = [];
  let drawing = false;
  for (let at = 0; at + 4 <= workbook.length;) {
    const type = workbook.readUInt16LE(at);
    const len = workbook.readUInt16LE(at + 2);
    drawing = type === 0x00eb || (drawing && type === 0x003c);
    if (drawing) parts.push(workbook.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return Buffer.concat(parts);
}

/** The pixels `jpg` decodes to. */
const pixels = (jpg: Uint8Array) => Buffer.from(jpeg.decode(jpg, { useTArray: true }).data);

/** The PNG chunk types of `b`, in order. */
function pngChunks(b: Uint8Array): string[] {
  const buf = Buffer.from(b);
  const out: string[] = [];
  for (let at = 8; at + 8 <= buf.length; at += 12 + buf.readUInt32BE(at)) out.push(buf.toString('latin1', at + 4, at + 8));
  return out;
}

/** A real JPEG whose EXIF Artist names the buyer's other mailbox and whose XMP lists it `times` times (an editor's history). */
const photo = (times = 1) => jpegCarrying(`Photo by ${BUYER_OTHER}`, Array.from({ length: times }, () => BUYER_OTHER).join('</rdf:li><rdf:li>'));

const doc = (picture: Buffer) => container({ ...wordStreams(['Photo of the damage\r\u0001\r']), Data: wordPictureData(bitmapBlip(picture), 300) });
/** A .ppt whose Pictures stream holds `pictures`' blips, its drawing group's FBSEs pointing at them. */
function ppt(pictures: readonly Buffer[]): Buffer {
  const blips = pictures.map(bitmapBlip);
  const at = blips.map((_, k) => blips.slice(0, k).reduce((n, b) => n + b.length, 0));
  const group = pptRecord(0x040b, drawingGroup(blips.map((b, k) => fbse(b, false, at[k]))), 0x0f);
  return container({
    'PowerPoint Document': pptContainer(0x03e8, [group, slideTexts([textChars('Order A-1001: photo of the damage')])]),
    'Current User': currentUser(),
    Pictures: Buffer.concat(blips),
  });
}
const xls = (picture: Buffer) => container({ Workbook: workbookStream([drawingGroupRecords(drawingGroup([fbse(bitmapBlip(picture), true)]))]) });

describe('pictures inside legacy Office files (round-18 attack)', () => {
  it('a .doc’s JPEG and PNG (Data stream) lose their EXIF, XMP and text chunks; the file keeps its stream lengths and the picture its pixels', async () => {
    const jpg = photo();
    const png = pngCarrying(`${BUYER.name} <${BUYER_OTHER}>`);
    const files = [jpg, png].map((p) => ({ type: DOC, name: 'damage.doc', bytes: doc(p) }));
    const got = await delivered(files);
    expect(got.map((f) => f.map((x) => x.name))).toEqual([['damage.doc'], ['damage.doc']]);
    for (const [k, [out]] of got.entries()) {
      const sent = streams(files[k]!.bytes);
      const kept = streams(out!.bytes);
      expect([...kept].filter(([, b]) => holdsOther(b)).map(([name]) => name)).toEqual([]);
      // No offset moves: every stream as long as it was, the picture where it was.
      for (const [name, b] of sent) expect([name, kept.get(name)?.length]).toEqual([name, b.length]);
      const at = sent.get('Data')!.indexOf(k === 0 ? jpg : png);
      const picture = kept.get('Data')!.subarray(at, at + (k === 0 ? jpg : png).length);
      if (k === 0) expect(pixels(picture)).toEqual(pixels(jpg));
      else expect(pngChunks(picture)).toEqual(['IHDR', 'IDAT', 'paDd', 'IEND']);
    }
  }, 60_000);

  it('a .ppt’s JPEGs (Pictures stream) lose their EXIF and XMP, each where its FBSE says it is', async () => {
    const pictures = [photo(), photo(3)];
    const file = ppt(pictures);
    const out = (await delivered([{ type: PPT, name: 'slides.ppt', bytes: file }]))[0]?.[0];
    expect(out?.name).toBe('slides.ppt');
    const kept = streams(out!.bytes);
    expect([...kept].filter(([, b]) => holdsOther(b)).map(([name]) => name)).toEqual([]);
    const sent = streams(file).get('Pictures')!;
    expect(kept.get('Pictures')!.length).toBe(sent.length);
    for (const p of pictures) {
      const at = sent.indexOf(p);
      expect(pixels(kept.get('Pictures')!.subarray(at, at + p.length))).toEqual(pixels(p));
    }
  }, 60_000);

  it('an .xls’s JPEG (a drawing group blip going on across CONTINUE records) loses its EXIF and XMP, read as Excel joins the records', async () => {
    // 400 copies in its XMP: ~20 KB, over three records, some copies cut by a record's header.
    const jpg = photo(400);
    const file = xls(jpg);
    const out = (await delivered([{ type: XLS, name: 'order.xls', bytes: file }]))[0]?.[0];
    expect(out?.name).toBe('order.xls');
    const sentBook = streams(file).get('Workbook')!;
    const keptBook = streams(out!.bytes).get('Workbook')!;
    expect(keptBook.length).toBe(sentBook.length);
    const joined = drawingData(keptBook);
    expect([holdsOther(keptBook), holdsOther(joined)]).toEqual([false, false]);
    const at = drawingData(sentBook).indexOf(jpg);
    expect(pixels(joined.subarray(at, at + jpg.length))).toEqual(pixels(jpg));
  }, 60_000);

  it('removes a .doc whose picture does not walk as a JPEG (its metadata cannot be removed), saying why', async () => {
    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x7f, 0xff]), Buffer.from(`Photo by ${BUYER_OTHER}`)]);
    const raws = await sendTagged(pair.h, BUYER.address, pair.alias, [
      attachmentMail(pair.alias, 0, { type: DOC, name: 'damage.doc', base64: b64(doc(broken)) }),
    ]);
    const m = await simpleParser(raws[0]!);
    expect(m.attachments.map((a) => a.filename)).toEqual([]);
    expect(m.text).toMatch(/damage\.doc — a picture inside whose metadata cannot be removed/);
    expect(holdsOther(raws[0]!)).toBe(false);
  }, 60_000);

  it('keeps a .ppt whose PNG’s ICC profile named the writer, the profile renamed and its text blanked in place (round 18; removed before)', async () => {
    const files = [pngWithProfile('sRGB', `Copyright ${BUYER.address}`), pngWithProfile(BUYER.address, 'sRGB'), pngWithProfile('Display P3', 'Display P3')].map(
      (p) => ({ type: PPT, name: 'slides.ppt', bytes: ppt([p]) }),
    );
    const got = await delivered(files);
    expect(got.map((f) => f.map((x) => x.name))).toEqual(files.map(() => ['slides.ppt']));
    const at = BLIP_PICTURE_AT;
    for (const f of got) {
      const pictures = streams(f[0]!.bytes).get('Pictures')!;
      expect(pngChunks(pictures.subarray(at))).toEqual(['IHDR', 'iCCP', 'IDAT', 'paDd', 'IEND']);
      const data = pictures.subarray(at + 33 + 8);
      expect(Buffer.from(data.subarray(0, 13)).toString('latin1')).toBe('ICC profile\0\0');
      expect(Buffer.from(unzlibSync(data.subarray(13, Buffer.from(pictures).readUInt32BE(at + 33)))).toString('latin1')).not.toContain(BUYER.address);
      expect(Buffer.from(f[0]!.bytes).toString('latin1')).not.toContain(BUYER.address);
    }
  }, 60_000);
});
