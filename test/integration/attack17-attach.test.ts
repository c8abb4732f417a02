// Round-17 attack on attachments: pictures inside Office packages (their metadata), package text
// members in UTF-16 without a byte-order mark, metafile pictures (their font names, text placed by
// position, and on their own).
import { strFromU8, strToU8, unzipSync, unzlibSync, zipSync } from 'fflate';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { attachmentMail, sendTagged, startMaskingPair } from '../helpers/tagged-send.js';
import { b64, BUYER, BUYER_OTHER } from '../fixtures/masking-mail.js';
import { emf, emfFont, extTextOut, wmf, wmfFont, wmfTextOutAt } from '../fixtures/metafile.js';
import { jpegCarrying, jpegCarryingElsewhere, pngCarrying, pngCarryingElsewhere, pngWithProfile } from '../fixtures/pictures.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const SECRETS = [BUYER.address, BUYER_OTHER, BUYER.name];

/** The delivered copy of each file (one message each): its attachments' names and bytes. */
async function delivered(files: readonly { type: string; name: string; bytes: Buffer }[]): Promise<{ name: string; bytes: Buffer }[][]> {
  const raws = await sendTagged(
    h,
    BUYER.address,
    alias,
    files.map((f, k) => attachmentMail(alias, k, { type: f.type, name: f.name, base64: b64(f.bytes) })),
  );
  return Promise.all(raws.map(async (raw) => (await simpleParser(raw)).attachments.map((a) => ({ name: a.filename ?? '', bytes: a.content }))));
}

/** The secrets a member's bytes hold, read as Latin-1, UTF-8 and UTF-16LE (from byte 0 and byte 1), case folded. */
const held = (b: Uint8Array) => {
  const readings = [
    Buffer.from(b).toString('latin1'),
    Buffer.from(b).toString('utf8'),
    Buffer.from(b).toString('utf16le'),
    Buffer.from(b.subarray(1)).toString('utf16le'),
  ].map((r) => r.toLowerCase());
  return SECRETS.filter((s) => readings.some((r) => r.includes(s.toLowerCase())));
};

/** A PNG's chunk types in order. */
function pngChunks(b: Uint8Array): string[] {
  const out: string[] = [];
  for (let at = 8; at + 12 <= b.length;) {
    const len = Buffer.from(b).readUInt32BE(at);
    out.push(Buffer.from(b.subarray(at + 4, at + 8)).toString('latin1'));
    at += 12 + len;
  }
  return out;
}

const TYPES = (main: string, mainType: string) =>
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
  '<Default Extension="png" ContentType="image/png"/><Default Extension="jpeg" ContentType="image/jpeg"/>' +
  `<Override PartName="/${main}" ContentType="${mainType}"/></Types>`;
const ROOT_RELS = (main: string) =>
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="${main}"/></Relationships>`;
const PICTURE_RELS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/>' +
  '<Relationship Id="rId6" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image2.jpeg"/></Relationships>';

const PACKAGES = [
  {
    name: 'letter.docx',
    type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    main: 'word/document.xml',
    mainType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
    xml: '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Return form A-1001</w:t></w:r></w:p></w:body></w:document>',
  },
  {
    name: 'prices.xlsx',
    type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    main: 'xl/workbook.xml',
    mainType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
    xml: '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>',
  },
  {
    name: 'slides.pptx',
    type: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    main: 'ppt/presentation.xml',
    mainType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml',
    xml: '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>',
  },
];

/** Each package of PACKAGES holding `png` as media/image1.png and `jpg` as media/image2.jpeg, with its members. */
const packaged = (png: Buffer, jpg: Buffer) =>
  PACKAGES.map((p) => {
    const dir = p.main.split('/')[0]!;
    const members = {
      '[Content_Types].xml': strToU8(TYPES(p.main, p.mainType)),
      '_rels/.rels': strToU8(ROOT_RELS(p.main)),
      [p.main]: strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>${p.xml}`),
      [`${dir}/_rels/${p.main.split('/')[1]!}.rels`]: strToU8(PICTURE_RELS),
      [`${dir}/media/image1.png`]: new Uint8Array(png),
      [`${dir}/media/image2.jpeg`]: new Uint8Array(jpg),
    };
    return { type: p.type, name: p.name, bytes: Buffer.from(zipSync(members)), members };
  });

describe('pictures inside Office packages (round-17 attack)', () => {
  it('lose their metadata (PNG text chunks, JPEG EXIF Artist and XMP creator) in a docx, xlsx and pptx, which still open with their content types', async () => {
    const png = pngCarrying(`${BUYER.name} <${BUYER_OTHER}>`);
    const jpg = jpegCarrying(BUYER.name, BUYER.address);
    const packages = packaged(png, jpg);
    const got = await delivered(packages);
    expect(got.map((files) => files.map((f) => f.name))).toEqual(PACKAGES.map((p) => [p.name]));
    for (const [k, files] of got.entries()) {
      const sent = packages[k]!.members;
      const out = unzipSync(new Uint8Array(files[0]!.bytes));
      // Still the package it was: the same members, the content types as sent, the pictures as pictures.
      expect(Object.keys(out).sort()).toEqual(Object.keys(sent).sort());
      expect(strFromU8(out['[Content_Types].xml']!)).toBe(strFromU8(sent['[Content_Types].xml']!));
      const dir = PACKAGES[k]!.main.split('/')[0]!;
      const pngOut = out[`${dir}/media/image1.png`]!;
      const jpgOut = out[`${dir}/media/image2.jpeg`]!;
      expect(pngChunks(pngOut)).toEqual(['IHDR', 'IDAT', 'IEND']);
      expect([...jpgOut.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
      expect(Object.entries(out).flatMap(([name, b]) => held(b).map((s) => `${name}: ${s}`))).toEqual([]);
    }
  }, 60_000);

  it('lose what they keep in chunks and segments no viewer draws (private, C2PA, palette and calibration names; APPn that are no JFIF, ICC or Adobe; JPEG extensions), as the same picture alone', async () => {
    const text = `${BUYER.name} <${BUYER_OTHER}>`;
    const packages = packaged(pngCarryingElsewhere(text), jpegCarryingElsewhere(text));
    const alone = [
      { type: 'image/png', name: 'photo.png', bytes: pngCarryingElsewhere(text), members: {} },
      { type: 'image/jpeg', name: 'photo.jpg', bytes: jpegCarryingElsewhere(text), members: {} },
    ];
    const got = await delivered([...packages, ...alone]);
    expect(got.map((files) => files.map((f) => f.name))).toEqual([...PACKAGES.map((p) => [p.name]), ['photo.png'], ['photo.jpg']]);
    for (const files of got.slice(0, PACKAGES.length)) {
      const out = unzipSync(new Uint8Array(files[0]!.bytes));
      expect(Object.entries(out).flatMap(([name, b]) => held(b).map((s) => `${name}: ${s}`))).toEqual([]);
      expect(pngChunks(Object.entries(out).find(([n]) => n.endsWith('.png'))![1])).toEqual(['IHDR', 'IDAT', 'IEND']);
    }
    expect(got.slice(PACKAGES.length).flatMap((files) => held(files[0]!.bytes))).toEqual([]);
  }, 60_000);

  it('keep the package and the picture whose ICC profile named the writer (its name, its deflated description): the profile renamed and its text blanked (round 18; removed before)', async () => {
    const jpg = jpegCarrying('', '');
    const pngs = [pngWithProfile(BUYER.address, 'sRGB'), pngWithProfile('sRGB', `Copyright ${BUYER.address}`)];
    const files = [...pngs.flatMap((png) => packaged(png, jpg)), ...pngs.map((png) => ({ type: 'image/png', name: 'photo.png', bytes: png }))];
    const got = await delivered(files);
    expect(got.map((f) => f.map((x) => x.name))).toEqual(files.map((f) => [f.name]));
    const pictures = got.flatMap((f) => {
      const members = f[0]!.name === 'photo.png' ? { png: new Uint8Array(f[0]!.bytes) } : unzipSync(new Uint8Array(f[0]!.bytes));
      return Object.entries(members).filter(([n]) => n.endsWith('png'));
    });
    expect(pictures.length).toBe(files.length);
    for (const [, png] of pictures) {
      expect(pngChunks(png)).toEqual(['IHDR', 'iCCP', 'IDAT', 'IEND']);
      const at = Buffer.from(png).indexOf('iCCP') + 4;
      const data = Buffer.from(png.subarray(at, at + Buffer.from(png).readUInt32BE(at - 8)));
      expect(data.toString('latin1', 0, data.indexOf(0))).toBe('ICC profile');
      expect(held(unzlibSync(data.subarray(data.indexOf(0) + 2)))).toEqual([]);
    }
  }, 60_000);
});

describe('package text members in UTF-16 without a byte-order mark (round-17 attack)', () => {
  it('removes a docx whose text member or custom XML part, UTF-16LE or BE beginning with Cyrillic, holds another’s address, and keeps one holding ordinary Cyrillic text', async () => {
    const russian = `Адрес доставки: «Москва, ул. Ленина 5». Почта ${BUYER_OTHER} — звоните.`;
    const be = (s: string) => Buffer.from(s, 'utf16le').swap16();
    const xml = (s: string) => `<?xml version="1.0" encoding="UTF-16"?><root>${s}</root>`;
    const members = [
      ['notes.txt', Buffer.from(russian, 'utf16le')],
      ['notes.dat', Buffer.from(russian, 'utf16le')],
      ['notes.txt', be(russian)],
      ['customXml/item1.xml', Buffer.from(xml(russian), 'utf16le')],
      ['customXml/item1.xml', be(xml(russian))],
      ['customXml/item2.xml', Buffer.from(`Иван${BUYER_OTHER}`, 'utf16le')],
    ] as const;
    const ordinary = Buffer.from('Адрес доставки: «Москва, ул. Ленина 5». Звоните в рабочее время, сразу после обеда.', 'utf16le');
    const letter = (name: string, bytes: Buffer) =>
      Buffer.from(
        zipSync({
          '[Content_Types].xml': strToU8(TYPES(PACKAGES[0]!.main, PACKAGES[0]!.mainType)),
          [PACKAGES[0]!.main]: strToU8(PACKAGES[0]!.xml),
          [name]: new Uint8Array(bytes),
        }),
      );
    const files = [...members, ['notes.txt', ordinary] as const].map(([name, bytes]) => ({
      type: PACKAGES[0]!.type,
      name: 'letter.docx',
      bytes: letter(name, bytes),
    }));
    const got = await delivered(files);
    expect(got.map((f) => f.map((x) => x.name))).toEqual([...members.map(() => []), ['letter.docx']]);
  }, 60_000);
});

describe('metafile pictures: font names and text placed by position (round-17 attack)', () => {
  it('removes a docx whose EMF or WMF picture names another’s address as a font, or draws it out of record order on one baseline, and keeps an ordinary one', async () => {
    const [local, domain] = BUYER_OTHER.split('@') as [string, string];
    const pictures = [
      emf([emfFont(BUYER_OTHER), extTextOut('Return form A-1001')]),
      emf([emfFont('Arial', BUYER_OTHER)]),
      wmf([wmfFont(BUYER_OTHER)]),
      emf([extTextOut(`@${domain}`, true, 0, [400, 60]), extTextOut('Return form A-1001', true, 0, [100, 20]), extTextOut(local, true, 0, [100, 60])]),
      wmf([wmfTextOutAt(`@${domain}`, 400, 60), wmfTextOutAt(local, 100, 60)]),
    ];
    const ordinary = emf([emfFont('Arial'), extTextOut('19.99 EUR', true, 0, [400, 60]), extTextOut('2 pcs @', true, 0, [100, 60])]);
    const letter = (picture: Buffer) =>
      Buffer.from(
        zipSync({
          '[Content_Types].xml': strToU8(TYPES(PACKAGES[0]!.main, PACKAGES[0]!.mainType)),
          [PACKAGES[0]!.main]: strToU8(PACKAGES[0]!.xml),
          'word/media/image1.emf': new Uint8Array(picture),
        }),
      );
    const got = await delivered([...pictures, ordinary].map((p) => ({ type: PACKAGES[0]!.type, name: 'letter.docx', bytes: letter(p) })));
    expect(got.map((f) => f.map((x) => x.name))).toEqual([...pictures.map(() => []), ['letter.docx']]);
  }, 60_000);
});

describe('metafile pictures on their own (round-17 decision: removed, not masked)', () => {
  it('removes an EMF or WMF attached alone, with or without an address, and says why in the delivered text', async () => {
    const files = [
      { type: 'image/emf', name: 'chart.emf', bytes: emf([extTextOut(`Lager ${BUYER_OTHER}`)]) },
      { type: 'image/x-emf', name: 'logo.emf', bytes: emf([emfFont('Arial'), extTextOut('Acme Store')]) },
      { type: 'application/octet-stream', name: 'plan.wmf', bytes: wmf([wmfTextOutAt('Return form A-1001', 10, 10)]) },
    ];
    const raws = await sendTagged(
      h,
      BUYER.address,
      alias,
      files.map((f, k) => attachmentMail(alias, k, { type: f.type, name: f.name, base64: b64(f.bytes) })),
    );
    const parsed = await Promise.all(raws.map((raw) => simpleParser(raw)));
    expect(parsed.map((m) => m.attachments.length)).toEqual([0, 0, 0]);
    // Declared as a metafile, masking says why; under a generic type the content filter removes it first (by its bytes' type).
    expect(parsed.map((m, k) => m.text?.includes(`[attachment removed: ${files[k]!.name} — a Windows metafile picture (EMF, WMF) on its own`))).toEqual([
      true,
      true,
      false,
    ]);
    expect(parsed[2]!.text).toContain('[attachment removed: plan.wmf — ');
    expect(parsed.flatMap((m) => held(Buffer.from(m.text ?? '')))).toEqual([]);
  }, 60_000);
});
