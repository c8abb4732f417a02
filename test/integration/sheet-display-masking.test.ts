// Attack pass on spreadsheets and wrapped spellings: what Excel shows that was not read as shown.
// A number format kept outside xl/styles.xml (a conditional format's in the sheet's x14 extension, a
// chart's data labels), a header or footer split by its &-codes (`anna.weber@&12buyer.example`
// prints whole), a formula with an XML comment inside it or a blank in its end tag (valid XML, so
// read as one formula), and a part of an address wrapped in brackets the reader reads past
// (`⟨buyer.example⟩`, `{buyer.example}`). Through the gateway each must arrive masked or removed;
// ordinary sheets with the same features must arrive kept.
import CFB from 'cfb';
import { strToU8, zipSync } from 'fflate';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { leakSearch, type Secrets } from '../helpers/leak-search.js';
import { alternativeMail, keptFiles, leakProblems, sendTagged, startMaskingPair, subjectTag } from '../helpers/tagged-send.js';
import { b64, BUYER, BUYER_OTHER, mail } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const secrets: Secrets = { addresses: [BUYER.address, BUYER_OTHER], names: [] };
const send = (raws: Buffer[]) => sendTagged(h, BUYER.address, alias, raws, 30_000);
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A workbook whose sheet holds `Return form A-1001` and `buyer.example` in A1:A2, then `cells` and `after` (after sheetData); `parts` beside. */
const xlsx = (cells: string, after = '', parts: Record<string, string> = {}) =>
  b64(
    zipSync({
      '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
      'xl/workbook.xml': strToU8('<?xml version="1.0"?><workbook><sheets><sheet name="Form" sheetId="1" r:id="rId1"/></sheets></workbook>'),
      'xl/sharedStrings.xml': strToU8('<?xml version="1.0"?><sst><si><t>Return form A-1001</t></si><si><t>buyer.example</t></si></sst>'),
      'xl/worksheets/sheet1.xml': strToU8(
        `<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="A2" t="s"><v>1</v></c>${cells}</row></sheetData>${after}</worksheet>`,
      ),
      ...Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, strToU8(v)])),
    }),
  );

// A conditional format (Excel 2010's, kept in the sheet) whose number format shows text around the cell's.
const x14Format = (code: string) =>
  '<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}"><x14:conditionalFormattings><x14:conditionalFormatting>' +
  `<x14:cfRule type="expression" id="{1}"><xm:f>TRUE</xm:f><x14:dxf><numFmt numFmtId="200" formatCode="${code}"/></x14:dxf></x14:cfRule>` +
  '<xm:sqref>A2</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>';
// A chart whose data labels show a value (0) through a number format: `#` shows nothing for 0.
const chart = (code: string) => ({
  'xl/charts/chart1.xml': `<?xml version="1.0"?><c:chartSpace><c:chart><c:plotArea><c:barChart><c:ser><c:dLbls><c:numFmt formatCode="${code}" sourceLinked="0"/><c:showVal val="1"/></c:dLbls><c:val><c:numRef><c:f>Form!$B$1</c:f></c:numRef></c:val></c:ser></c:barChart></c:plotArea></c:chart></c:chartSpace>`,
});
const header = (h: string) => `<headerFooter><oddHeader>${h}</oddHeader><oddFooter>&amp;CPage &amp;P of &amp;N</oddFooter></headerFooter>`;

describe('what a spreadsheet shows outside its cells and styles, and brackets a reader reads past', () => {
  it("removes a spreadsheet that shows the writer's address through a format, a header or a formula not read as Excel reads it", async () => {
    const sheets = [
      xlsx('', x14Format('&quot;anna.weber@&quot;@')),
      xlsx('', '', chart('&quot;anna.weber&quot;#&quot;@buyer.example&quot;')),
      xlsx('', header('&amp;Lanna.weber@&amp;12buyer.example')),
      xlsx('', header('&amp;Canna.weber&amp;B@&amp;Bbuyer.example&amp;&quot;Arial,Bold&quot;')),
      xlsx('', header('anna.weber&amp;K00FF00@&amp;KFF0000buyer&amp;U.&amp;Uexample')),
      xlsx('', header('<![CDATA[anna.weber@&12buyer.example]]>')),
      xlsx('', header('anna.weber@<!-- x -->&amp;12buyer.example')),
      xlsx('<c r="B1" t="str"><f>"anna.weber@"&amp;<!-- total -->A2</f></c>'),
      xlsx('<c r="B1" t="str"><f>"anna.weber@"&amp;A2</f ></c>'),
      xlsx('<c r="B1" t="str"><f><?x y?>"anna.weber@"&amp;A2</f></c>'),
      // _xHHHH_ in an attribute Excel shows (ST_Xstring): a validation's prompt, a table column's name, a pivot item.
      xlsx('', '<dataValidations count="1"><dataValidation showInputMessage="1" prompt="anna.weber_x0040_buyer.example" sqref="A2"/></dataValidations>'),
      xlsx('', '', {
        'xl/tables/table1.xml':
          '<table id="1" name="T" displayName="T" ref="A1:A2"><tableColumns count="1"><tableColumn id="1" name="anna.weber_x0040_buyer.example"/></tableColumns></table>',
      }),
      xlsx('', '', {
        'xl/pivotCache/pivotCacheDefinition1.xml':
          '<pivotCacheDefinition><cacheFields count="1"><cacheField name="n"><sharedItems><s v="anna.weber_x0040_buyer.example"/></sharedItems></cacheField></cacheFields></pivotCacheDefinition>',
      }),
    ];
    const kept = await keptFiles(h, alias, sheets, XLSX, 'form.xlsx');
    expect(kept).toEqual(sheets.map(() => []));
  });

  it('keeps ordinary sheets with conditional formats, charts, headers and commented formulas', async () => {
    const sheets = [
      xlsx('', x14Format('0.00&quot; EUR&quot;')),
      xlsx('', '', chart('#,##0.00&quot; pcs&quot;')),
      xlsx('', header('&amp;L&amp;&quot;Arial,Bold&quot;&amp;12Acme Store &amp;&amp; Co&amp;RPrinted &amp;D')),
      xlsx('<c r="B1"><f>SUM(C1:C3)<!-- total --></f></c>'),
      xlsx('<c r="B1"><f>A2</f ></c>'),
      xlsx('', '', {
        'xl/tables/table1.xml':
          '<table id="1" name="T" displayName="T" ref="A1:A2"><tableColumns count="1"><tableColumn id="1" name="Unit_x000a_price"/></tableColumns></table>',
      }),
    ];
    const kept = await keptFiles(h, alias, sheets, XLSX, 'form.xlsx');
    expect(kept).toEqual(sheets.map(() => ['form.xlsx']));
  });

  it('masks an address whose part is wrapped in brackets a reader reads past, or whose @ is repeated or escaped', async () => {
    const all: string[] = [];
    for (const address of [BUYER.address, BUYER_OTHER]) {
      const [l, d] = address.split('@') as [string, string];
      all.push(`${l}@\u27e8${d}\u27e9`, `\u27e8${l}\u27e9@${d}`, `${l}@{${d}}`, `{${l}}@${d}`, `${l}@\u3014${d}\u3015`, `\u2e02${l}\u2e03@${d}`);
      // A run of @ longer than four or with blanks or marks between, and a backslash before the @ or a dot.
      all.push(`${l}@@@@@@${d}`, `${l}@ @${d}`, `${l}@"@"${d}`, `${l}\\@${d}`, `${l.replace('.', '\\.')}@${d}`);
    }
    const raws = all.map((s, k) => alternativeMail(alias, `${subjectTag(k)} write`, `Write to ${s} please.`, `<p>Write to ${s} please.</p>`));
    for (const [k, raw] of raws.entries()) expect((await leakSearch(raw, secrets)).length, all[k]).toBeGreaterThan(0);
    expect(await leakProblems(all, await send(raws), secrets)).toEqual([]);
  }, 60_000);

  it("removes a Word 97 file whose text shows the writer's address with a part in typographic quotes or any bracket", async () => {
    const doc = (text: string) => {
      const c = CFB.utils.cfb_new();
      CFB.utils.cfb_add(c, 'WordDocument', Buffer.from(`Return label for A-1001\r${text}\r`, 'utf16le'));
      return b64(Buffer.from(CFB.write(c, { type: 'buffer' }) as Uint8Array));
    };
    const docs = [
      doc('Write to anna.weber@“buyer.example”'),
      doc('Write to «anna.weber»@buyer.example'),
      doc('Write to anna.weber@{buyer.example}'),
      doc('Write to ⟨anna.weber⟩@buyer.example'),
      doc('Write to anna.weber\\@buyer.example'),
      doc('Write to anna.weber@@@@@@buyer.example'),
      doc('Kettle {2 pcs} @ 19.99 “as agreed”'),
    ];
    const kept = await keptFiles(h, alias, docs, 'application/msword', 'label.doc');
    expect(kept).toEqual([[], [], [], [], [], [], ['label.doc']]);
  });

  it('delivers ordinary text with braces and brackets unchanged', async () => {
    const text =
      'Set {name} in the template, see ⟨Kettle⟩ and 〔A-1001〕, or {"qty": 2} @ 19.99; @@ -1,3 +1,4 @@ in the diff, ping @anna @ @bob, 3 @ @ 5 EUR, C:\\Users\\Tom\\@home\\list.txt';
    const [raw] = await send([
      mail([`From: ${BUYER.name} <${BUYER.address}>`, `To: ${alias}`, 'Subject: A-1001 t0 template', 'Content-Type: text/plain; charset=utf-8'], [text]),
    ]);
    expect((await simpleParser(raw!)).text?.trim()).toBe(text);
  });
});
