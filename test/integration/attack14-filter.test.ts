// Round-14 attack rows for the seller → buyer content filter: a file it let through that masking
// then delivered though the filter allows only text, PDF, Word, JPEG, GIF and PNG (an OLE file with
// a Word stream named as an installer, a text file named as a script, a spreadsheet inside an
// attached message, a link inside one in refuse mode), and a file it passed as Word that masking
// then removed (a workbook declared Word).
import { simpleParser } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { container, excelFile, label, wordStreams, workbookStream } from '../fixtures/legacy-office.js';
import { filterCases } from '../helpers/filter-cases.js';

// One gateway per link action for the whole file (test/helpers/filter-cases.ts).
const cases = filterCases();
const start = (linkAction: 'redact' | 'refuse' = 'redact') => cases.start({ linkAction, stripImages: false });
const send = cases.send;
const ownDelivery = cases.ownDelivery;

/** What the buyer got: the attachments' names (an attached message's own ones inside it). */
async function delivered(): Promise<string[]> {
  const parsed = await ownDelivery();
  const names: string[] = [];
  for (const a of parsed.attachments) {
    names.push(a.filename ?? a.contentType);
    if (a.contentType === 'message/rfc822') names.push(...(await simpleParser(a.content)).attachments.map((n) => n.filename ?? n.contentType));
  }
  return names;
}

/** An OLE file holding a Word main part beside another program's streams (an installer's tables). */
const WORD_IN_OLE = container({ ...wordStreams(['Dear customer, your order ships today.\r']), '\u4840\u3f3f\u4577': Buffer.from('installer table') });
const XLS = excelFile(workbookStream([], [label('Prices')]));
const XLSX = Buffer.from(zipSync({ '[Content_Types].xml': strToU8('<Types/>'), 'xl/workbook.xml': strToU8('<workbook/>') }));
const NOT_ALLOWED = /file type not allowed/;

/** A message as a mail program attaches it (message/rfc822), carrying `inner` files and text. */
async function attachedMessage(text: string, inner: SendMailOptions['attachments']): Promise<Buffer> {
  const t = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const info = await t.sendMail({ from: 'support@acme.example', to: 'x@acme.example', subject: 'fwd', text, attachments: inner });
  return info.message as Buffer;
}

describe('seller → buyer: what the filter let through or passed wrongly (round-14 attack)', () => {
  it.each([
    ['setup.msi', 'application/octet-stream'],
    ['setup.msi', 'application/msword'],
    ['tool.exe', 'application/octet-stream'],
  ] as const)('refuses an OLE file with a Word stream named as no Office file (%s as %s)', async (filename, contentType) => {
    await start();
    const r = await send({ attachments: [{ filename, contentType, content: WORD_IN_OLE }] });
    expect(r.code).toBe(550);
    expect(r.response).toMatch(NOT_ALLOWED);
  });

  it.each([
    ['letter.doc', 'application/msword', XLS],
    ['letter.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', XLSX],
    ['letter.docx', 'application/octet-stream', XLSX],
  ] as const)('refuses a workbook declared or named Word (%s as %s), which masking would remove', async (filename, contentType, content) => {
    await start();
    const r = await send({ attachments: [{ filename, contentType, content }] });
    expect(r.code).toBe(550);
    expect(r.response).toMatch(NOT_ALLOWED);
  });

  it.each(['order.hta', 'order.bat', 'order.cmd', 'order.vbs', 'order.js', 'order.ps1', 'order.reg', 'order.url'])(
    'refuses a text file named as something Windows runs (%s)',
    async (filename) => {
      await start();
      const r = await send({ attachments: [{ filename, contentType: 'text/plain', content: 'MsgBox "order"\r\n' }] });
      expect(r.code).toBe(550);
      expect(r.response).toMatch(NOT_ALLOWED);
    },
  );

  it('judges the files inside an attached message like the message’s own', async () => {
    await start();
    const inner = await attachedMessage('prices attached', [
      { filename: 'prices.xlsx', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', content: XLSX_FULL },
    ]);
    const r = await send({ attachments: [{ filename: 'fwd.eml', contentType: 'message/rfc822', content: inner }] });
    if (r.ok) expect(await delivered()).not.toContain('prices.xlsx');
    else expect(r.response).toMatch(NOT_ALLOWED);
  });

  it('judges the files inside an attached message sent in base64 (opaque to the parser) like the message’s own', async () => {
    await start();
    const inner = await attachedMessage('prices attached', [
      { filename: 'prices.xlsx', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', content: XLSX_FULL },
    ]);
    const raw = [
      'From: support@acme.example',
      `To: ${cases.pair.address}`,
      `Subject: Order ${cases.pair.number}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="q"',
      '',
      '--q',
      'Content-Type: text/plain',
      '',
      'see the file',
      '--q',
      'Content-Type: message/rfc822; name="fwd.eml"',
      'Content-Disposition: attachment; filename="fwd.eml"',
      'Content-Transfer-Encoding: base64',
      '',
      inner.toString('base64').replace(/(.{76})/g, '$1\r\n'),
      '--q--',
      '',
    ].join('\r\n');
    const r = await send({ raw });
    if (r.ok) expect(await delivered()).not.toContain('prices.xlsx');
    else expect(r.response).toMatch(NOT_ALLOWED);
  });

  it('refuses a link inside an attached message when links are refused', async () => {
    await start('refuse');
    const inner = await attachedMessage('pay here: https://pay.evil.example/now', []);
    const r = await send({ attachments: [{ filename: 'fwd.eml', contentType: 'message/rfc822', content: inner }] });
    expect(r.code).toBe(550);
    expect(r.response).toMatch(/links to pay\.evil\.example are not allowed/);
  });

  it('still delivers a Word file, plain text and an attached message with a text file', async () => {
    await start();
    const inner = await attachedMessage('notes attached', [{ filename: 'notes.txt', contentType: 'text/plain', content: 'Lieferung Montag\r\n' }]);
    const r = await send({
      attachments: [
        { filename: 'letter.doc', contentType: 'application/msword', content: container(wordStreams(['Dear customer.\r'])) },
        { filename: 'readme.txt', contentType: 'text/plain', content: 'Thanks\r\n' },
        { filename: 'fwd.eml', contentType: 'message/rfc822', content: inner },
      ],
    });
    expect(r).toEqual({ ok: true });
    expect(await delivered()).toEqual(expect.arrayContaining(['letter.doc', 'readme.txt', 'notes.txt']));
  });
});

/** A workbook masking reads and keeps (its shared strings and one sheet). */
const XLSX_FULL = Buffer.from(
  zipSync({
    '[Content_Types].xml': strToU8(
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
    ),
    'xl/workbook.xml': strToU8(
      '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="A" sheetId="1"/></sheets></workbook>',
    ),
    'xl/worksheets/sheet1.xml': strToU8(
      '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Chair 20</t></is></c></row></sheetData></worksheet>',
    ),
  }),
);
