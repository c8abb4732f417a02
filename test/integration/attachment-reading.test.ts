// The content filter judges an attachment by masking's one reading of it (bytes, declared type and
// name together): seller → buyer, an OLE spreadsheet or presentation is refused like its OOXML
// sibling, a Word file passes however it is declared, text passes as Windows declares it, and an
// image the filter passes is the one the rewrite strips when asked.
import { describe, expect, it } from 'vitest';
import { excelFile, label, powerPointFile, slideTexts, textChars, wordFile, workbookStream } from '../fixtures/legacy-office.js';
import { filterCases } from '../helpers/filter-cases.js';

// One gateway per image setting for the whole file (test/helpers/filter-cases.ts).
const cases = filterCases();
const start = (stripImages: boolean) => cases.start({ linkAction: 'redact', stripImages });
const send = cases.send;
const ownDelivery = cases.ownDelivery;

const XLS = excelFile(workbookStream([], [label('Prices')]));
const PPT = powerPointFile([slideTexts([textChars('Offer')])]);
const DOC = wordFile(['Dear customer, your order ships today.\r']);
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const NOT_ALLOWED = /file type not allowed \(only text, PDF, Word, JPEG, GIF and PNG\)/;

describe('seller → buyer, judged by the one reading', () => {
  it.each([
    ['prices.xls', 'application/vnd.ms-excel', XLS],
    ['prices.xls', 'application/octet-stream', XLS],
    [null, 'application/octet-stream', XLS],
    ['slides.ppt', 'application/vnd.ms-powerpoint', PPT],
    ['slides.pps', 'application/octet-stream', PPT],
    [null, 'application/vnd.ms-office', PPT],
  ] as const)('refuses an OLE spreadsheet or presentation (%s as %s) like its OOXML sibling', async (filename, contentType, content) => {
    await start(false);
    const r = await send({ attachments: [{ ...(filename ? { filename } : {}), contentType, content }] });
    expect(r.code).toBe(550);
    expect(r.response).toMatch(NOT_ALLOWED);
    expect(cases.h.sink!.messages).toHaveLength(0);
  });

  it.each([
    ['letter.doc', 'application/msword'],
    ['letter.doc', 'application/octet-stream'],
    [null, 'application/octet-stream'],
  ] as const)('delivers a Word file (%s as %s)', async (filename, contentType) => {
    await start(false);
    const r = await send({ attachments: [{ ...(filename ? { filename } : {}), contentType, content: DOC }] });
    expect(r).toEqual({ ok: true });
    const parsed = await ownDelivery();
    // Delivered as the type masking read it as (a name says Word: application/msword).
    expect(parsed.attachments.map((a) => a.contentType)).toEqual([filename ? 'application/msword' : 'application/octet-stream']);
  });

  it("delivers text as Windows declares it (a .csv under Excel's type) and UTF-16 text, as masking reads them", async () => {
    await start(false);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Lieferung: Montag\r\n', 'utf16le')]);
    const r = await send({
      attachments: [
        { filename: 'prices.csv', contentType: 'application/vnd.ms-excel', content: 'item;price\r\nchair;20\r\n' },
        { filename: 'notes.txt', contentType: 'text/plain', content: utf16 },
      ],
    });
    expect(r).toEqual({ ok: true });
    const parsed = await ownDelivery();
    expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['prices.csv', 'text/plain'],
      ['notes.txt', 'text/plain'],
    ]);
  });

  it('judges a large file whose bytes stayed on the pool thread by the facts read there', async () => {
    await start(false);
    const bigXls = excelFile(
      workbookStream(
        [],
        Array.from({ length: 4000 }, (_, i) => label(`Item ${i}`)),
      ),
    );
    const bigDoc = wordFile([`Dear customer, ${'your order ships today. '.repeat(4000)}\r`]);
    expect(Math.min(bigXls.byteLength, bigDoc.byteLength)).toBeGreaterThan(64 * 1024);
    const refused = await send({ attachments: [{ filename: 'prices.xls', contentType: 'application/vnd.ms-excel', content: bigXls }] });
    expect(refused.code).toBe(550);
    expect(refused.response).toMatch(NOT_ALLOWED);
    const r = await send({ attachments: [{ filename: 'letter.doc', contentType: 'application/msword', content: bigDoc }] });
    expect(r).toEqual({ ok: true });
    const parsed = await ownDelivery();
    expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([['letter.doc', 'application/msword']]);
  });

  it('refuses a file that is not what its name says, as masking would remove it', async () => {
    await start(false);
    const r = await send({
      attachments: [{ filename: 'terms.docx', contentType: 'application/octet-stream', content: Buffer.from('%PDF-1.4\n%\xe2\xe3\n', 'latin1') }],
    });
    expect(r.code).toBe(550);
    expect(r.response).toMatch(/attachment "terms\.docx" refused: file type not allowed/);
  });

  it('strips the PNG it passed when images are not passed on', async () => {
    await start(true);
    const r = await send({ attachments: [{ filename: 'photo.png', contentType: 'image/png', content: PNG }] });
    expect(r).toEqual({ ok: true });
    const parsed = await ownDelivery();
    expect(parsed.attachments).toHaveLength(0);
    expect(parsed.text).toContain('[attachment removed: photo.png — images are not passed on]');
  });
});
