// A .csv or .tsv is opened by a spreadsheet, which computes its formula cells: a formula that builds
// an address (`="anna.weber"&"@"&"buyer.example"`) must not arrive, under Excel's type or text/csv;
// an ordinary export (number formulas, phone numbers, an 8-bit code page) must arrive as Excel shows it.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { attachmentMail, sendTagged, startMaskingPair } from '../helpers/tagged-send.js';
import { b64, BUYER } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const withFile = (k: number, type: string, name: string, bytes: Buffer) =>
  attachmentMail(alias, k, { type, name, base64: b64(bytes), disposition: true }, 'prices');

describe('a .csv a spreadsheet opens', () => {
  it('a .csv whose formulas build an address (Excel computes them on opening) does not arrive with them', async () => {
    const formulas = [
      '="anna.weber"&"@"&"buyer.example"',
      '=CONCATENATE("bob.stone","@","shopmail.de")',
      '="anna.weber"&CHAR(64)&"buyer.example"',
      '=HYPERLINK("mailto:anna.weber"&"@buyer.example";"write")',
      '=SUBSTITUTE("anna.weber#buyer.example";"#";"@")',
      // European Excel's argument separator (`;`), the formula cut by a `;`-reading or whole.
      '=CONCATENATE("bob.stone";"@";"shopmail.de")',
      '"=CONCATENATE(""anna.weber"";""@"";""buyer.example"")"',
      '=IF(1;"bob.stone"&"@shopmail.de";"")',
    ];
    const cases = formulas.flatMap((f) => [
      ['application/vnd.ms-excel', `Item;Contact\r\nKettle;${f}\r\n`, 'prices.csv'] as const,
      ['text/csv', `Item;Contact\r\nKettle;${f}\r\n`, 'prices.csv'] as const,
      // Plain text named .csv (Windows saves `prices.csv.` as `prices.csv`): Excel opens it.
      ['text/plain', `Item;Contact\r\nKettle;${f}\r\n`, 'prices.csv.'] as const,
    ]);
    const delivered = await sendTagged(
      h,
      BUYER.address,
      alias,
      cases.map(([type, csv, name], k) => withFile(k, type, name, Buffer.from(csv, 'latin1'))),
      30_000,
    );
    const problems: unknown[] = [];
    for (const [k, raw] of delivered.entries()) {
      const m = await simpleParser(raw);
      for (const a of m.attachments) {
        const t = a.content.toString('utf8');
        if (/weber|shopmail|buyer\.example|bob\.stone/i.test(t)) problems.push([cases[k]![0], t]);
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('an ordinary .csv with number formulas, phone numbers and signs arrives unchanged', async () => {
    const csv = 'Item;Price;Qty;Total;Phone\r\nKettle;20;2;=B2*C2;+49 30 1234567\r\nMug;-5;1;=SUM(B3:C3);-\r\n"Sum, all";;;=SUM(D2:D3);\r\n';
    const delivered = await sendTagged(h, BUYER.address, alias, [
      withFile(0, 'application/vnd.ms-excel', 'prices.csv', Buffer.from(csv, 'latin1')),
      withFile(1, 'text/csv', 'prices.csv', Buffer.from(csv, 'latin1')),
    ]);
    for (const raw of delivered) expect((await simpleParser(raw)).attachments.map((a) => a.content.toString('utf8'))).toEqual([csv]);
  }, 60_000);

  it("an ordinary European .csv (`;` between cells and between a formula's arguments, decimal commas) arrives unchanged", async () => {
    const csv =
      'Artikel;Preis;Menge;Summe\r\nKettle;20,5;2;=ROUND(B2*C2;2)\r\nMug;3,10;1;=IF(B3>0;"ja";"nein")\r\nTeller;1,5;4;"=ROUND(B4*C4*1,19;2)"\r\n;;;=SUM(D2:D4)\r\n';
    const delivered = await sendTagged(h, BUYER.address, alias, [
      withFile(0, 'application/vnd.ms-excel', 'preise.csv', Buffer.from(csv, 'latin1')),
      withFile(1, 'text/csv', 'preise.csv', Buffer.from(csv, 'latin1')),
    ]);
    for (const raw of delivered) expect((await simpleParser(raw)).attachments.map((a) => a.content.toString('utf8'))).toEqual([csv]);
  }, 60_000);

  it('an ordinary 8-bit .csv export arrives as Excel shows it', async () => {
    // Windows-1252: the euro sign is 0x80.
    const csv = Buffer.from('Artikel;Preis;Kunde\r\nWasserkocher;20 \x80;Müller\r\n', 'latin1');
    const [raw] = await sendTagged(h, BUYER.address, alias, [withFile(0, 'application/vnd.ms-excel', 'preise.csv', csv)]);
    const [file] = (await simpleParser(raw!)).attachments;
    // Excel opens a .csv with UTF-8's byte-order mark as UTF-8, one without in the system's 8-bit code page.
    const c = file!.content;
    const bom = c[0] === 0xef && c[1] === 0xbb && c[2] === 0xbf;
    expect(new TextDecoder(bom ? 'utf-8' : 'windows-1252').decode(bom ? c.subarray(3) : c)).toBe('Artikel;Preis;Kunde\r\nWasserkocher;20 €;Müller\r\n');
  }, 60_000);
});
