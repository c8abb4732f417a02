// Attachment types mail programs give Office files besides the registered ones
// (`application/vnd.ms-office`, `application/x-msexcel`, `application/x-zip-compressed` …), and
// Office files declared as the other container (an .xlsx sent as `application/vnd.ms-excel`): read
// by their bytes and their name together, as the application that opens them reads them. Through
// the gateway an ordinary file must arrive kept, one holding an address removed, and one whose
// bytes are not what its name says removed.
import { strToU8, zipSync } from 'fflate';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { attachmentMail, keptAttachments, sendTagged, startMaskingPair } from '../helpers/tagged-send.js';
import { b64, BUYER, BUYER_OTHER, pdfSaying } from '../fixtures/masking-mail.js';
import { excelFile, label, powerPointFile, pptContainer, pptRecord, slideTexts, textChars, workbookStream, wordFile } from '../fixtures/legacy-office.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>';
const zip = (parts: Record<string, string>) => Buffer.from(zipSync(Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, strToU8(v)]))));
const docx = (text: string) =>
  zip({
    '[Content_Types].xml': TYPES,
    'word/document.xml': `<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:body></w:document>`,
  });
const xlsx = (text: string) =>
  zip({
    '[Content_Types].xml': TYPES,
    'xl/workbook.xml': '<?xml version="1.0"?><workbook><sheets><sheet name="Prices" sheetId="1" r:id="rId1"/></sheets></workbook>',
    'xl/sharedStrings.xml': `<?xml version="1.0"?><sst><si><t>${text}</t></si></sst>`,
    'xl/worksheets/sheet1.xml': '<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
  });
const pptx = (text: string) =>
  zip({
    '[Content_Types].xml': TYPES,
    'ppt/presentation.xml': '<?xml version="1.0"?><p:presentation/>',
    'ppt/slides/slide1.xml': `<?xml version="1.0"?><p:sld><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>${text}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`,
  });
const doc = (text: string) => wordFile([`${text}\r`]);
const xls = (text: string) => excelFile(workbookStream([], [label(text)]));
const ppt = (text: string) => powerPointFile([slideTexts([textChars(text)])]);
const zipOnly = () => zip({ 'notes.txt': 'Return form A-1001' });

/** Sends one message per `[type, name, bytes]` and returns the file names each delivered copy carries. */
function kept(files: readonly (readonly [string, string, Buffer])[]): Promise<string[][]> {
  return keptAttachments(
    h,
    alias,
    files.map(([type, name, bytes]) => ({ type, name, base64: b64(bytes) })),
  );
}

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
/** Sends each as a Word document (letter.docx) and returns the file names each delivered copy carries. */
const keptLetters = (files: readonly Buffer[]) => kept(files.map((f) => [DOCX, 'letter.docx', f] as const));
const PLAIN = 'Return form A-1001, prices in EUR';
/** An ordinary line with an @ that is no address, for the package a test keeps. */
const ORDINARY = 'Return form A-1001, 2 pcs @ 19.99 EUR';
const HELD = `Return form A-1001, write to ${BUYER_OTHER}`;

describe('Office files under the types mail programs give them', () => {
  it('reads each by its bytes: an ordinary one arrives, one holding an address is removed', async () => {
    const cases: [string, string, (t: string) => Buffer][] = [
      ['application/vnd.ms-office', 'prices.xls', xls],
      ['application/vnd.ms-office', 'terms.docx', docx],
      ['application/x-msexcel', 'prices.xls', xls],
      ['application/msexcel', 'prices.xls', xls],
      ['application/x-excel', 'prices.xlsx', xlsx],
      ['application/x-msword', 'terms.doc', doc],
      ['application/x-mspowerpoint', 'deck.ppt', ppt],
      ['application/mspowerpoint', 'deck.pptx', pptx],
      ['application/x-zip-compressed', 'terms.docx', docx],
      ['application/zip', 'prices.xlsx', xlsx],
      ['application/octet-stream', 'terms.docx', docx],
      ['application/octet-stream', 'prices.xls', xls],
      // The other container under a registered type: Office opens it by its bytes.
      ['application/vnd.ms-excel', 'prices.xlsx', xlsx],
      ['application/msword', 'terms.docx', docx],
      ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'prices.xls', xls],
      ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'terms.doc', doc],
      // A renamed file: a docx named .doc (Word opens it by its bytes).
      ['application/x-msword', 'terms.doc', docx],
    ];
    const files = cases.flatMap(([type, name, make]) => [[type, name, make(PLAIN)] as const, [type, name, make(HELD)] as const]);
    const got = await kept(files);
    expect(got.map((names, k) => [files[k]![0], files[k]![1], k % 2 ? 'held' : 'plain', names])).toEqual(
      files.map(([type, name], k) => [type, name, k % 2 ? 'held' : 'plain', k % 2 ? [] : [name]]),
    );
  }, 120_000);

  it('removes a file whose bytes are not what its name or its type says', async () => {
    const pdf = await pdfSaying(['Return form A-1001']);
    const files = [
      // An Office name over a PDF's bytes, and the reverse: which reader opens it is not known.
      ['application/octet-stream', 'terms.docx', pdf],
      ['application/x-msexcel', 'prices.xls', pdf],
      ['application/octet-stream', 'form.pdf', docx(PLAIN)],
      // A zip that is no Office file; a Word file under an Excel type (not what it claims).
      ['application/x-zip-compressed', 'files.zip', zipOnly()],
      ['application/x-msexcel', 'prices.xls', doc(PLAIN)],
      ['application/vnd.ms-excel', 'prices.xlsx', docx(PLAIN)],
      // An unknown type stays removed.
      ['application/x-something', 'prices.xls', xls(PLAIN)],
      // Kept: a PDF under octet-stream with its own name; an Office file without a name's extension.
      ['application/octet-stream', 'form.pdf', pdf],
      ['application/vnd.ms-office', 'attachment', xls(PLAIN)],
    ] as const;
    expect(await kept(files)).toEqual([[], [], [], [], [], [], [], ['form.pdf'], ['attachment']]);
  }, 120_000);

  it("reads a .csv sent under Excel's type as text: masked, not removed", async () => {
    const csv = Buffer.from(`Item;Price;Contact\r\nKettle;20;${BUYER_OTHER}\r\nMug;5;${BUYER.address}\r\n`, 'latin1');
    const [raw] = await sendTagged(h, BUYER.address, alias, [
      attachmentMail(alias, 0, { type: 'application/vnd.ms-excel', name: 'prices.csv', base64: b64(csv) }, 'prices'),
    ]);
    const [file] = (await simpleParser(raw!)).attachments;
    expect(file?.filename).toBe('prices.csv');
    expect(file?.content.toString('utf8')).toBe(`Item;Price;Contact\r\nKettle;20;[email removed]\r\nMug;5;${alias}\r\n`);
  }, 60_000);

  it('removes an Office package named as a zip archive: a zip program shows every file it holds', async () => {
    const pkg = zip({
      '[Content_Types].xml': TYPES,
      'word/document.xml': `<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>${PLAIN}</w:t></w:r></w:p></w:body></w:document>`,
      'contacts.txt': `Lager: ${BUYER_OTHER}`,
    });
    expect(
      await kept([
        ['application/zip', 'files.zip', pkg],
        ['application/x-zip-compressed', 'files.zip', pkg],
        ['application/octet-stream', 'files.zip', pkg],
      ]),
    ).toEqual([[], [], []]);
  }, 60_000);

  it("reads a UTF-16 text file (Excel's 'Unicode Text') under a generic type as text: masked, not removed (attack pass 13: removed)", async () => {
    const body = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`Item\tContact\r\nMug\t${BUYER.address}\r\n`, 'utf16le')]);
    const [raw] = await sendTagged(h, BUYER.address, alias, [
      attachmentMail(alias, 0, { type: 'application/octet-stream', name: 'prices.txt', base64: b64(body) }, 'prices'),
    ]);
    const [file] = (await simpleParser(raw!)).attachments;
    expect(file?.filename).toBe('prices.txt');
    expect(file?.content.toString('utf8')).toBe(`Item\tContact\r\nMug\t${alias}\r\n`);
  }, 60_000);

  it('removes a .csv or .tsv whose formulas show an address the spreadsheet computes, and keeps ordinary ones (attack pass 13: they crossed)', async () => {
    const [l, d] = BUYER.address.split('@') as [string, string];
    const files: [string, string, string][] = [
      ['application/vnd.ms-excel', 'a.csv', `Item,Contact\r\nKettle,"=CONCATENATE(""${l}"",""@"",""${d}"")"\r\n`],
      ['text/csv', 'b.csv', `Item;Contact\r\nKettle;="${l}"&"@"&"${d}"\r\n`],
      ['application/octet-stream', 'c.csv', `Item;Contact\r\nKettle;=HYPERLINK("mailto:${l}"&CHAR(64)&"${d}";"mail")\r\n`],
      ['text/tab-separated-values', 'd.tsv', `Item\tContact\r\nKettle\t=CONCAT("bob","@","shopmail.de")\r\n`],
      ['text/csv', 'e.csv', `a;b;c\r\nanna.weber;buyer.example;=A2&"@"&B2\r\n`],
      // Kept: formulas that show no address, negative numbers, an export's ="…" for leading zeros.
      ['text/csv', 'f.csv', `Item,Price,Zip,Total\r\nKettle,-5,="01234",=SUM(B2:B3)\r\n-Mug,+49 30 1234,@home,x\r\n`],
    ];
    const raws = files.map(([type, name, body], k) => attachmentMail(alias, k, { type, name, base64: b64(Buffer.from(body)) }, 'prices'));
    const delivered = await sendTagged(h, BUYER.address, alias, raws);
    const names = await Promise.all(delivered.map(async (raw) => (await simpleParser(raw)).attachments.map((a) => a.filename)));
    expect(names).toEqual([[], [], [], [], [], ['f.csv']]);
  }, 60_000);
  it('removes a docx carrying a text file in UTF-16 with its byte-order mark (Notepad\'s "Unicode") with an address in it, and keeps one that holds none', async () => {
    const utf16 = (s: string, be = false) => {
      const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
      return be ? Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(s, 'utf16le').swap16()]) : le;
    };
    const pkg = (note: Buffer) =>
      Buffer.from(
        zipSync({
          '[Content_Types].xml': strToU8(TYPES),
          'word/document.xml': strToU8(`<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>${PLAIN}</w:t></w:r></w:p></w:body></w:document>`),
          'contacts.txt': note,
        }),
      );
    expect(await keptLetters([pkg(utf16(`Lager: ${BUYER_OTHER}`)), pkg(utf16(`Lager: ${BUYER_OTHER}`, true)), pkg(utf16(ORDINARY))])).toEqual([
      [],
      [],
      ['letter.docx'],
    ]);
  }, 60_000);

  it('removes a docx whose zipped theme carries a text file with an address in it, and keeps one whose text file holds none', async () => {
    const pkg = (note: string) =>
      Buffer.from(
        zipSync({
          '[Content_Types].xml': strToU8(TYPES),
          'word/document.xml': strToU8(`<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>${PLAIN}</w:t></w:r></w:p></w:body></w:document>`),
          'word/theme/themeData.thmx': zipSync({ 'theme/theme/theme1.xml': strToU8('<a:theme name="Office"/>'), 'contacts.txt': strToU8(note) }),
        }),
      );
    expect(await keptLetters([pkg(`Lager: ${BUYER_OTHER}`), pkg(ORDINARY)])).toEqual([[], ['letter.docx']]);
  }, 60_000);

  it("reads a part that is XML under another name (word/main.dat declared the main document, which Word shows) as XML: an address split across runs in it is removed (round 13's last attack pass: crossed); an ordinary one kept", async () => {
    const pkg = (body: string) =>
      zip({
        '[Content_Types].xml':
          '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/main.dat" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        '_rels/.rels':
          '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/main.dat"/></Relationships>',
        'word/document.xml': `<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>${PLAIN}</w:t></w:r></w:p></w:body></w:document>`,
        'word/main.dat': `<?xml version="1.0"?><w:document><w:body><w:p>${body}</w:p></w:body></w:document>`,
      });
    const [local, domain] = BUYER_OTHER.split('@');
    expect(
      await kept([
        [DOCX, 'a.docx', pkg(`<w:r><w:t>Lager: ${local}&#64;${domain}</w:t></w:r>`)],
        [DOCX, 'b.docx', pkg(`<w:r><w:t>Lager: ${local}@</w:t></w:r><w:r><w:t>${domain}</w:t></w:r>`)],
        [DOCX, 'c.docx', pkg(`<w:r><w:t>Lager: ${BUYER_OTHER}</w:t></w:r>`)],
        [DOCX, 'd.docx', pkg(`<w:r><w:t>${PLAIN}</w:t></w:r><w:r><w:t>, 2 pcs @ 19.99 EUR</w:t></w:r>`)],
      ]),
    ).toEqual([[], [], [], ['d.docx']]);
  }, 60_000);

  it('removes an address split across runs in an XML part written in UTF-16 (ECMA-376 Part 2 allows it, Word shows it), and keeps an ordinary one (a guard: removed already)', async () => {
    const utf16 = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
    const pkg = (body: string) =>
      Buffer.from(
        zipSync({
          '[Content_Types].xml': strToU8(TYPES),
          'word/document.xml': utf16(`<?xml version="1.0" encoding="UTF-16"?><w:document><w:body><w:p>${body}</w:p></w:body></w:document>`),
        }),
      );
    const [local, domain] = BUYER_OTHER.split('@');
    expect(
      await kept([
        [DOCX, 'b.docx', pkg(`<w:r><w:t>Lager: ${local}@</w:t></w:r><w:r><w:t>${domain}</w:t></w:r>`)],
        [DOCX, 'd.docx', pkg(`<w:r><w:t>${PLAIN}</w:t></w:r>`)],
      ]),
    ).toEqual([[], ['d.docx']]);
  }, 60_000);

  // Round 13's last attack pass: a text file whose first 8 KiB held one control byte was read as a
  // binary part, searched for the writer only, so another's address in it crossed. A member is read
  // as text when its first 8 KiB read as UTF-8, as UTF-16 (by its byte-order mark or its zero bytes)
  // or as Latin-1 with few control bytes (document-metadata.ts memberTexts).
  it('removes a docx carrying a text file with control bytes, NULs or UTF-16 holding an address, and keeps ordinary ones', async () => {
    const pkg = (note: Buffer) =>
      Buffer.from(
        zipSync({
          '[Content_Types].xml': strToU8(TYPES),
          'word/document.xml': strToU8(`<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>${PLAIN}</w:t></w:r></w:p></w:body></w:document>`),
          'contacts.txt': new Uint8Array(note),
        }),
      );
    const held = `Lager: ${BUYER_OTHER}, M\u00fcller`;
    const notes = [
      Buffer.from(`\u0001${held}`, 'utf8'),
      Buffer.from(`\u0000\u0007${held}\u001b`, 'utf8'),
      Buffer.from(`\u0001${held}`, 'latin1'),
      Buffer.concat([Buffer.from([0x01, 0x00]), Buffer.from(held, 'utf16le')]),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`\u0001${held}`, 'utf16le')]),
    ];
    const ordinary = [Buffer.from(`\u0001${ORDINARY}`, 'latin1'), Buffer.from(`\u0000${ORDINARY}`, 'utf16le')];
    expect(await keptLetters([...notes, ...ordinary].map(pkg))).toEqual([...notes.map(() => []), ...ordinary.map(() => ['letter.docx'])]);
  }, 60_000);

  it('removes a package whose text would take more than 16 MB to read (a ~60 KB attachment held ~100 MB of a pool thread per 16 MB), and keeps an ordinary one', async () => {
    const para = '<w:p><w:r><w:t>Kettle order A-1001 shipped today.</w:t></w:r></w:p>';
    const big = para.repeat(Math.ceil((17 * 1024 * 1024) / para.length));
    const cell = '<si><t>Kettle order A-1001 shipped today.</t></si>';
    const bigSheet = cell.repeat(Math.ceil((17 * 1024 * 1024) / cell.length));
    const files = [
      ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'long.docx', docx(big)],
      ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'long.xlsx', xlsx(`x</t></si>${bigSheet}<si><t>y`)],
      // A .ppt's zipped slide layouts ([MS-PPT] RoundTrip atoms) are read as text too (round 13's last attack pass: kept, ~500 MB for 95 MB).
      [
        'application/vnd.ms-powerpoint',
        'long.ppt',
        powerPointFile([pptContainer(0x03f8, [pptRecord(0x041e, zip({ 'slideLayout1.xml': `<p:sldLayout>${big}</p:sldLayout>` }))])]),
      ],
      ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'short.docx', docx('Return form A-1001')],
    ] as const;
    expect(files[0][2].length).toBeLessThan(1024 * 1024);
    expect(await kept(files)).toEqual([[], [], [], ['short.docx']]);
  }, 120_000);
  it('removes a docx carrying a text file with an address in it (a zip program shows it to whoever renames the file), and keeps one whose text file holds none', async () => {
    const pkg = (note: string) =>
      zip({
        '[Content_Types].xml': TYPES,
        'word/document.xml': `<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>${PLAIN}</w:t></w:r></w:p></w:body></w:document>`,
        'contacts.txt': note,
      });
    expect(await keptLetters([pkg(`Lager: ${BUYER_OTHER}`), pkg(ORDINARY)])).toEqual([[], ['letter.docx']]);
  }, 60_000);
});
