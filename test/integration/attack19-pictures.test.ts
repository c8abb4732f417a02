// Round-19 attack on what pictures, videos and sound carry past their own data: bytes a TIFF
// strip's byte count says past its compressed data's end, a WebP's VP8L or ALPH chunk past its
// bitstream's last pixel, and the title, artist, comment,
// location and subtitles of an MP4, MOV or M4A inside an Office package (searched for the writer
// only, so another person's address in them crossed) or attached on its own (removed: no row).
// End to end, through the gateway.
import { strToU8, unzipSync, zipSync } from 'fflate';
import { simpleParser, type Attachment as ParsedAttachment } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { attachmentMail, type Attachment as FileToSend, deliveredAttachments, sendTagged, maskingPairForTests } from '../helpers/tagged-send.js';
import { b64, BUYER } from '../fixtures/masking-mail.js';
import { pictureFile, tiffLastStrip, webpChunksGrown } from '../fixtures/pictures.js';
import { box, full } from '../fixtures/iso-boxes.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
/** The address the fixture files carry (test/fixtures/picture-files/README.md). */
const OTHER = 'anna.private@othermail.example';

/** A package of `type` holding `media` as its members (`word/media/…`, `ppt/media/…`). */
function office(type: string, media: Record<string, Buffer>): Buffer {
  const main: Record<string, Uint8Array> =
    type === PPTX
      ? { 'ppt/presentation.xml': strToU8('<?xml version="1.0"?><p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>') }
      : { 'word/document.xml': strToU8('<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>See the clip</w:t></w:r></w:p></w:body></w:document>') };
  return Buffer.from(
    zipSync({
      '[Content_Types].xml': strToU8(
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="mp4" ContentType="video/mp4"/></Types>',
      ),
      ...main,
      ...media,
    }),
  );
}

/** Each attachment's name, and its bytes (each member's of a package) as Latin-1: what a recipient's tools read. */
function contents(atts: readonly ParsedAttachment[]): { names: string[]; texts: string[] } {
  const texts = atts.flatMap((a) => {
    try {
      return Object.values(unzipSync(new Uint8Array(a.content))).map((m) => Buffer.from(m).toString('latin1'));
    } catch {
      return [a.content.toString('latin1')];
    }
  });
  return { names: atts.map((a) => a.filename ?? ''), texts };
}

const pair = maskingPairForTests();

/** Each picture twice: attached as `type`, named `<stem><k>.<ext>`, and as a docx's word/media/image1.<ext>, named `<stem><k>.docx`. */
function attachedAndInDocx(pictures: readonly Buffer[], type: string, stem: string, ext: string): FileToSend[] {
  return pictures.flatMap((t, k) => [
    { type, name: `${stem}${k}.${ext}`, base64: b64(t) },
    { type: DOCX, name: `${stem}${k}.docx`, base64: b64(office(DOCX, { [`word/media/image1.${ext}`]: t })) },
  ]);
}

/** Sends each file in its own mail and expects every one delivered, none of its bytes (nor a package member's) holding OTHER. */
async function expectKeptWithoutOther(sent: readonly FileToSend[]): Promise<void> {
  const got = (await deliveredAttachments(pair.h, pair.alias, sent)).map(contents);
  expect(got.map((g) => g.names)).toEqual(sent.map((f) => [f.name]));
  expect(got.flatMap((g) => g.texts).filter((t) => t.includes(OTHER.slice(0, 12)))).toEqual([]);
}

describe('round-19 attack: bytes after a compressed TIFF strip’s end', () => {
  it('an LZW, Deflate or PackBits TIFF whose last strip’s count runs past its end code, attached and inside a docx: kept without the address', async () => {
    const files = ['rgb-lzw.tif', 'rgb-deflate.tif', 'rgb-packbits.tif'].map((f) => tiffLastStrip(pictureFile(f), Buffer.from(`Call ${OTHER}`)));
    await expectKeptWithoutOther(attachedAndInDocx(files, 'image/tiff', 'scan', 'tif'));
  }, 60_000);
});

describe('round-19 attack: bytes after a lossless WebP bitstream or an alpha plane inside its chunk', () => {
  it('attached (as image/png) and inside a docx: the WebP as libwebp wrote it, without the address', async () => {
    const files = ['lossless-alpha.webp', 'animated.webp', 'lossy-alpha.webp'].map((f) => webpChunksGrown(pictureFile(f), Buffer.from(`Call ${OTHER}`)));
    await expectKeptWithoutOther(attachedAndInDocx(files, 'image/png', 'photo', 'png'));
  }, 60_000);
});

describe('round-19 attack: an address in a video’s or a sound’s metadata', () => {
  const media = { mp4: pictureFile('video-tagged.mp4'), mov: pictureFile('video-subtitled.mov'), m4a: pictureFile('audio-tagged.m4a') };

  it('inside a pptx and a docx (ppt/media, word/media): the package kept, its video and sound without title, comment, artist, location or subtitles', async () => {
    const sent = [
      { type: PPTX, name: 'clips.pptx', base64: b64(office(PPTX, { 'ppt/media/media1.mp4': media.mp4, 'ppt/media/media2.m4a': media.m4a })) },
      { type: DOCX, name: 'clip.docx', base64: b64(office(DOCX, { 'word/media/media1.mov': media.mov })) },
    ];
    const got = (await deliveredAttachments(pair.h, pair.alias, sent)).map(contents);
    expect(got.map((g) => g.names)).toEqual(sent.map((f) => [f.name]));
    const texts = got.flatMap((g) => g.texts);
    expect(texts.filter((t) => t.includes(OTHER.slice(0, 12)) || t.includes('+48.8577'))).toEqual([]);
    // The video itself crosses: its stream (x264's settings in it) is there, at its length.
    expect(texts.filter((t) => t.includes('x264 - core')).map((t) => t.length)).toEqual([media.mp4.length, media.mov.length]);
  }, 60_000);

  it('attached on its own (video/mp4, a .mov as application/octet-stream, audio/mp4): kept, cleaned by the same code', async () => {
    const sent = [
      { type: 'video/mp4', name: 'clip.mp4', base64: b64(media.mp4) },
      { type: 'application/octet-stream', name: 'clip.mov', base64: b64(media.mov) },
      { type: 'audio/mp4', name: 'note.m4a', base64: b64(media.m4a) },
    ];
    const got = (await deliveredAttachments(pair.h, pair.alias, sent)).map(contents);
    expect(got.map((g) => g.names)).toEqual(sent.map((f) => [f.name]));
    expect(got.flatMap((g) => g.texts).filter((t) => t.includes(OTHER.slice(0, 12)) || t.includes('+48.8577'))).toEqual([]);
    expect(got.map((g) => g.texts[0]!.length)).toEqual([media.mp4.length, media.mov.length, media.m4a.length]);
  }, 60_000);

  it('a package holding a video whose boxes do not walk is removed, the message still delivered', async () => {
    const cut = media.mp4.subarray(0, media.mp4.length - 100);
    const [raw] = await sendTagged(pair.h, BUYER.address, pair.alias, [
      attachmentMail(pair.alias, 0, { type: PPTX, name: 'clips.pptx', base64: b64(office(PPTX, { 'ppt/media/media1.mp4': cut })) }),
    ]);
    const m = await simpleParser(raw!);
    expect(m.attachments.map((a) => a.filename)).toEqual([]);
    expect(m.text).toContain('File attached.');
  }, 60_000);
});

describe('round-20 check, round 21: a HEIC or AVIF photo (ISO BMFF items: the picture kept, Exif and XMP items removed)', () => {
  it('a real HEIC and AVIF (libheif) attached as image/heic, image/avif, a .heic under a generic type, and inside a docx: delivered without the GPS, owner and address', async () => {
    const heic = pictureFile('photo-tagged.heic');
    const avif = pictureFile('photo-tagged.avif');
    const sent = [
      ...attachedAndInDocx([heic], 'image/heic', 'IMG_', 'heic'),
      ...attachedAndInDocx([avif], 'image/avif', 'photo', 'avif'),
      { type: 'application/octet-stream', name: 'IMG_0002.HEIC', base64: b64(heic) },
    ];
    const got = (await deliveredAttachments(pair.h, pair.alias, sent)).map(contents);
    expect(got.map((g) => g.names)).toEqual(sent.map((f) => [f.name]));
    const texts = got.flatMap((g) => g.texts);
    expect(texts.filter((t) => t.includes(OTHER.slice(0, 12)) || t.includes('Anna Private') || t.includes('MM\0*'))).toEqual([]);
    // The photo crosses at its length (attached, in the docx, under a generic type): its picture kept.
    expect(texts.map((t) => t.length).filter((n) => n === heic.length || n === avif.length)).toHaveLength(5);
  }, 60_000);

  /** A HEIF picture of `brand` without its item tables: its EXIF item (an `infe` of type `Exif`, no `iloc`, no `pitm`) holds OTHER, in the media data. */
  function heif(brand: string): Buffer {
    const exif = Buffer.from(`\0\0\0\0Exif\0\0MM\0*Artist ${OTHER}`);
    const infe = full('infe', Buffer.concat([Buffer.from([0, 1, 0, 0]), Buffer.from('Exif'), Buffer.from('\0')]), 2);
    const meta = full(
      'meta',
      Buffer.concat([
        full('hdlr', Buffer.concat([Buffer.alloc(4), Buffer.from('pict'), Buffer.alloc(13)])),
        full('iinf', Buffer.concat([Buffer.from([0, 1]), infe])),
      ]),
    );
    return Buffer.concat([box('ftyp', Buffer.from(`${brand}\0\0\0\0mif1${brand}`)), meta, box('mdat', exif)]);
  }

  it('without its item tables, attached as image/heic, image/avif, a .heic under a generic type, or labelled a JPEG or an MP4: removed, the message delivered', async () => {
    const heic = heif('heic');
    const sent = [
      { type: 'image/heic', name: 'IMG_0001.heic', base64: b64(heic) },
      { type: 'image/avif', name: 'photo.avif', base64: b64(heif('avif')) },
      { type: 'application/octet-stream', name: 'IMG_0002.HEIC', base64: b64(heic) },
      { type: 'image/jpeg', name: 'IMG_0003.jpg', base64: b64(heic) },
      { type: 'video/mp4', name: 'clip.mp4', base64: b64(heic) },
    ];
    const raws = await sendTagged(
      pair.h,
      BUYER.address,
      pair.alias,
      sent.map((file, k) => attachmentMail(pair.alias, k, file)),
    );
    expect(raws).toHaveLength(sent.length);
    for (const raw of raws) {
      const m = await simpleParser(raw);
      expect(m.attachments.map((a) => a.filename)).toEqual([]);
      expect(raw.toString('latin1')).not.toContain(OTHER.slice(0, 12));
      expect(m.text).toContain('File attached.');
    }
  }, 60_000);
});
