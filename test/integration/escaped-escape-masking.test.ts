// Attack pass on the round-10 masking fixes: an address whose escape's own characters are escaped
// (`%%34%30` reads `%40` after one unescaping and `@` after two; `&&#35;64;`, `&#%36%34;`, and
// `%2526%252364%253B`, whose continuation needs as many readings as the escape before it), and Word
// files that show the writer's address through a tag of any length or a symbol (`<w:sym
// w:char="0040"/>`). Through the gateway each must arrive masked or removed, and ordinary text with
// `%` and `&` must arrive unchanged.
import CFB from 'cfb';
import { strToU8, zipSync } from 'fflate';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { leakSearch, type Secrets } from '../helpers/leak-search.js';
import { alternativeMail, keptFiles, leakProblems, sendTagged, startMaskingPair } from '../helpers/tagged-send.js';
import { b64, BUYER, BUYER_OTHER, mail } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const secrets: Secrets = { addresses: [BUYER.address, BUYER_OTHER], names: [] };

function spellings(address: string): string[] {
  const [l, d] = address.split('@') as [string, string];
  return [`${l}%%34%30${d}`, `${l}%4%30${d}`, `${l}&&#35;64;${d}`, `${l}&#%36%34;${d}`, `${l}%2526%252364%253B${d}`, `${l}%252526%25252364%25253B${d}`];
}

const send = (raws: Buffer[]) => sendTagged(h, BUYER.address, alias, raws, 30_000);

describe('an escape whose own characters are escaped, and Word files that show an address through a long tag or a symbol', () => {
  it('arrives masked in the text, the HTML and the subject', async () => {
    // Another address of hers with a blank before a dot of its domain (not a sentence's end).
    const all = [
      ...spellings(BUYER.address),
      ...spellings(BUYER_OTHER),
      'anna.private @ othermail . example',
      'anna.private@othermail .example',
      'anna.private @ othermail\r\n .example',
    ];
    // Broken over the lines of a quoted reply: the next line starts with `>`.
    for (const address of [BUYER.address, BUYER_OTHER])
      all.push(address.replace('@', '\r\n> @'), address.replace('@', '@\r\n>> '), address.replace('.', '.\r\n> '));
    // RFC 5322 comments around the @ or a dot (a mail program delivers to the address without them).
    for (const address of [BUYER.address, BUYER_OTHER])
      all.push(address.replace('@', '(work)@'), address.replace('@', '@(home) '), address.replace('.', ' (x).'));
    // A quoted local part (RFC 5322).
    for (const address of [BUYER.address, BUYER_OTHER]) all.push(`"${address.replace('@', '"@')}`, `"${address.replace('@', '" @ ')}`);
    // A control character a reader does not see (SOH, FS, DEL, C1 controls), or NEL, a line end.
    for (const control of ['\u0001', '\u001c', '\u007f', '\u0085', '\u0090'])
      for (const address of [BUYER.address, BUYER_OTHER]) all.push(address.replace('@', `@${control}`), address.replace('.', `${control}.`));
    const raws = all.map((s, k) =>
      alternativeMail(alias, `A-1001 t${k} write to ${s.replace(/\r\n(?![ \t])/g, '\r\n ')}`, `Write to ${s} please.`, `<p>Write to ${s} please.</p>`),
    );
    for (const [k, raw] of raws.entries()) expect((await leakSearch(raw, secrets)).length, all[k]).toBeGreaterThan(0);
    expect(await leakProblems(all, await send(raws), secrets)).toEqual([]);
  }, 60_000);

  it('delivers ordinary text with % and & unchanged', async () => {
    const text = '100% sure, 50%% off, R&D and AT&T, a=1&b=2, 5%4 and 20% of 30%, Tom & Jerry, &&, %%';
    const [raw] = await send([
      mail([`From: ${BUYER.name} <${BUYER.address}>`, `To: ${alias}`, 'Subject: A-1001 t0 prices', 'Content-Type: text/plain; charset=utf-8'], [text]),
    ]);
    expect((await simpleParser(raw!)).text?.trim()).toBe(text);
  });

  it("removes a Word document that shows the writer's address across a long tag or with a symbol for its @", async () => {
    const run = (t: string) => `<w:r><w:t>${t}</w:t></w:r>`;
    const docx = (paragraphs: string) =>
      b64(
        zipSync({
          '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
          'word/document.xml': strToU8(`<?xml version="1.0"?><w:document><w:body><w:p>${run('Return form A-1001')}</w:p>${paragraphs}</w:body></w:document>`),
        }),
      );
    const documents = [
      `<w:p>${run('Reach me at anna.weber')}<w:hyperlink w:tooltip="${'Our shop. '.repeat(300)}" r:id="rId1">${run('@buyer.example')}</w:hyperlink></w:p>`,
      `<w:p>${run('Reach me at anna.weber')}<w:r><w:sym w:font="Arial" w:char="0040"/></w:r>${run('buyer.example')}</w:p>`,
      `<w:p>${run('Reach me at anna.private')}<w:r><w:sym w:font="Arial" w:char="0040"/></w:r>${run('othermail.example')}</w:p>`,
      `<w:p>${run('Nothing personal here, 100% sure')}<w:r><w:sym w:font="Wingdings" w:char="F04A"/></w:r></w:p>`,
      `<w:p>${run('Reach me at anna.weber')}<w:r><w:sym w:font='Arial' w:char='0040'/></w:r>${run('buyer.example')}</w:p>`,
    ];
    const kept = await keptFiles(
      h,
      alias,
      documents.map((d) => docx(d)),
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'form.docx',
    );
    expect(kept).toEqual([[], [], [], ['form.docx'], []]);
  });
  it("removes a spreadsheet whose number format or formula shows the writer's address, and keeps one whose formats and formulas show none", async () => {
    const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    const xlsx = (formats: string[], strings: string[], formula = '', quote = '"') =>
      b64(
        zipSync({
          '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
          'xl/workbook.xml': strToU8('<?xml version="1.0"?><workbook><sheets><sheet name="Form" sheetId="1" r:id="rId1"/></sheets></workbook>'),
          'xl/styles.xml': strToU8(
            `<?xml version="1.0"?><styleSheet><numFmts count="${formats.length}">${formats.map((f, k) => `<numFmt numFmtId="${164 + k}" formatCode=${quote}${f}${quote}/>`).join('')}</numFmts></styleSheet>`,
          ),
          'xl/sharedStrings.xml': strToU8(`<?xml version="1.0"?><sst>${strings.map((t) => `<si><t>${t}</t></si>`).join('')}</sst>`),
          'xl/worksheets/sheet1.xml': strToU8(
            `<?xml version="1.0"?><worksheet><sheetData><row r="1">${strings.map((_, k) => `<c r="A${k + 1}" s="1" t="s"><v>${k}</v></c>`).join('')}${formula && `<c r="B1" t="str"><f>${formula}</f></c>`}</row></sheetData></worksheet>`,
          ),
        }),
      );
    const sheets = [
      // Excel shows the quoted text, then the cell's text where the format has @.
      xlsx(['&quot;anna.weber@&quot;@'], ['Return form A-1001', 'buyer.example']),
      // Every character escaped: a number in this format shows the text alone.
      xlsx(['\\a\\n\\n\\a\\.\\w\\e\\b\\e\\r\\@\\b\\u\\y\\e\\r\\.\\e\\x\\a\\m\\p\\l\\e'], ['Return form A-1001']),
      xlsx(['&quot;bob&quot;@'], ['@shop.example']),
      xlsx(
        ['#,##0.00 &quot;EUR&quot;', '[$-409]d-mmm-yy;@', '&quot;Ref: &quot;@', '0%'],
        ['Return form A-1001', 'Kettle, 100% steel'],
        'SUM(A1:A3)&amp;&quot; EUR&quot;',
      ),
      // A formula Excel computes when it opens the file (no value kept): it shows the text it builds.
      xlsx([], ['Return form A-1001'], '&quot;anna.weber&quot;&amp;CHAR(64)&amp;&quot;buyer.example&quot;'),
      xlsx([], ['Return form A-1001'], 'CONCATENATE(&quot;anna.private&quot;,&quot;@&quot;,&quot;othermail.example&quot;)'),
      // A number between literal texts (1001 shows anna.weber1001@buyer.example), and a currency
      // symbol, which may be any text ([$text-locale]).
      xlsx(['&quot;anna.weber&quot;0&quot;@buyer.example&quot;'], ['Return form A-1001']),
      xlsx(['[$anna.weber@buyer.example-409]#,##0'], ['Return form A-1001']),
      // An attribute in single quotes, which XML allows as well.
      xlsx(['&quot;anna.weber@&quot;@'], ['Return form A-1001', 'buyer.example'], '', "'"),
    ];
    const kept = await keptFiles(h, alias, sheets, XLSX, 'form.xlsx');
    expect(kept).toEqual([[], [], [], ['form.xlsx'], [], [], [], [], []]);
  });
  // An outside review (round 10): a formula that builds the address from other cells' texts
  // (`=A2&"@"&A3`, `=CONCAT(A2,CHAR(64),A3)`) or rewrites a literal (`=SUBSTITUTE(…,"#","@")`)
  // crossed behind a decoy value: Excel recomputes on load when the workbook asks (fullCalcOnLoad)
  // or another engine saved it. Such a sheet is removed; one whose formulas only compute numbers,
  // pick a cell or join their own literals is kept.
  it("removes a spreadsheet whose formula builds the writer's address from other cells or rewrites a literal into it", async () => {
    const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    const xlsx = (strings: string[], formulas: string[], names = '') =>
      b64(
        zipSync({
          '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
          'xl/workbook.xml': strToU8(
            `<?xml version="1.0"?><workbook><sheets><sheet name="Form" sheetId="1" r:id="rId1"/></sheets><definedNames>${names}</definedNames><calcPr fullCalcOnLoad="1"/></workbook>`,
          ),
          'xl/sharedStrings.xml': strToU8(`<?xml version="1.0"?><sst>${strings.map((t) => `<si><t>${t}</t></si>`).join('')}</sst>`),
          'xl/worksheets/sheet1.xml': strToU8(
            `<?xml version="1.0"?><worksheet><sheetData><row r="1">${strings.map((_, k) => `<c r="A${k + 1}" t="s"><v>${k}</v></c>`).join('')}${formulas.map((f, k) => `<c r="B${k + 1}" t="str"><f>${f}</f><v>see A1</v></c>`).join('')}</row></sheetData></worksheet>`,
          ),
        }),
      );
    const strings = ['Return form A-1001', 'anna.weber', 'buyer.example'];
    const sheets = [
      xlsx(strings, ['A2&amp;&quot;@&quot;&amp;A3']),
      xlsx(strings, ['CONCAT(A2,CHAR(64),A3)']),
      xlsx(['Return form A-1001'], ['SUBSTITUTE(&quot;anna.weber#buyer.example&quot;,&quot;#&quot;,&quot;@&quot;)']),
      // A defined name builds it, a cell shows the name.
      xlsx(strings, ['who'], '<definedName name="who">Form!$A$2&amp;CHAR(64)&amp;Form!$A$3</definedName>'),
      // Picked from the formula's own literals: read as Excel shows either.
      xlsx(['Return form A-1001'], ['IF(A1=&quot;&quot;,&quot;bob&quot;,&quot;anna.weber&quot;)&amp;&quot;@buyer.example&quot;']),
      // An ordinary business sheet: numbers, lookups, a cell shown as it stands, a total as text.
      xlsx(
        ['Return form A-1001', 'Kettle'],
        [
          'SUM(A1:A3)&amp;&quot; EUR&quot;',
          'IF(A1&gt;0,&quot;yes&quot;,&quot;no&quot;)',
          'VLOOKUP(B2,Prices!A:B,2,FALSE)',
          'A1',
          'IFERROR(A2,&quot;&quot;)',
          'ROUND(B2*C2,2)',
          '&quot;Total: &quot;&amp;TEXT(SUM(B2:B9),&quot;0.00&quot;)',
          'UPPER(A2)',
        ],
        '<definedName name="_xlnm.Print_Area" localSheetId="0">Form!$A$1:$B$9</definedName>',
      ),
    ];
    const kept = await keptFiles(h, alias, sheets, XLSX, 'form.xlsx');
    expect(kept).toEqual([[], [], [], [], [], ['form.xlsx']]);
  });
  it("removes a spreadsheet that shows the writer's address through Excel's _xHHHH_ escape (ECMA-376 ST_Xstring)", async () => {
    const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    const xlsx = (string: string, formula = '', name = '') =>
      b64(
        zipSync({
          '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
          'xl/workbook.xml': strToU8(
            `<?xml version="1.0"?><workbook><sheets><sheet name="Form" sheetId="1" r:id="rId1"/></sheets><definedNames>${name}</definedNames></workbook>`,
          ),
          'xl/sharedStrings.xml': strToU8(`<?xml version="1.0"?><sst><si><t>Return form A-1001</t></si><si><t>${string}</t></si></sst>`),
          'xl/worksheets/sheet1.xml': strToU8(
            `<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="A2" t="s"><v>1</v></c>${formula && `<c r="B1" t="str"><f>${formula}</f></c>`}</row></sheetData></worksheet>`,
          ),
        }),
      );
    const sheets = [
      // Excel shows _x0040_ as @ (any character, written as four hex digits between underscores).
      xlsx('anna.weber_x0040_buyer.example'),
      xlsx('Kettle', '&quot;anna.weber_x0040_buyer.example&quot;'),
      // A name _x0022_ that Excel reads as it is, whatever the escape reads: the formula joins cells.
      xlsx('Kettle', '_x0022_&amp;A2&amp;A3&amp;_x0022_', '<definedName name="_x0022_">""</definedName>'),
      // Its own escape written out: _x005F_ is the underscore, so Excel shows _x0040_ as it stands.
      xlsx('Part_x005F_x0040_7 of kit_x005F_x0040_buyer'),
    ];
    const kept = await keptFiles(h, alias, sheets, XLSX, 'form.xlsx');
    expect(kept).toEqual([[], [], [], ['form.xlsx']]);
  });
  it("removes a Word 97 file whose text shows the writer's address through a control character Word shows as nothing", async () => {
    const doc = (text: string) => {
      const c = CFB.utils.cfb_new();
      CFB.utils.cfb_add(c, 'WordDocument', Buffer.from(text, 'utf16le'));
      return b64(Buffer.from(CFB.write(c, { type: 'buffer' }) as Uint8Array));
    };
    // U+001F is Word's optional hyphen (shown only at a line's end), U+0013-U+0015 a field's marks.
    const docs = [
      doc('Return label for A-1001\rWrite to anna.weber@\u001fbuyer.example\r'),
      doc('Return label for A-1001\rWrite to anna.we\u001fber@buyer.exam\u001fple\r'),
      doc('Return label for A-1001\r\u0007Kettle\u0007\u0013 PAGE \u00141\u0015\r'),
    ];
    const kept = await keptFiles(h, alias, docs, 'application/msword', 'label.doc');
    expect(kept).toEqual([[], [], ['label.doc']]);
  });
  it("removes a Word 97 file that shows the writer's address across a field (Word shows its result, not its instruction) or with a part quoted", async () => {
    const doc = (text: string, encoding: BufferEncoding = 'utf16le') => {
      const c = CFB.utils.cfb_new();
      CFB.utils.cfb_add(c, 'WordDocument', Buffer.from(text, encoding));
      return b64(Buffer.from(CFB.write(c, { type: 'buffer' }) as Uint8Array));
    };
    // U+0013 begins a field, U+0014 separates its instruction from its result, U+0015 ends it.
    const docs = [
      doc('Return label for A-1001\rWrite to anna.weber@\u0013 QUOTE "x" \u0014\u0015buyer.example\r'),
      doc('Return label for A-1001\rWrite to anna.weber\u0013 SYMBOL 64 \\f "Arial" \u0014@\u0015buyer.example\r'),
      doc('Return label for A-1001\rWrite to anna.weber@\u0013 IF 1 = 1 "" \u0014\u0013 PAGE \u0014\u0015\u0015buyer.example\r', 'latin1'),
      // The brief's spelling: an @ and then a SYMBOL field whose result is another @ (Word shows `@@`).
      doc('Return label for A-1001\rWrite to anna.weber@\u0013 SYMBOL 64 \u0014@\u0015buyer.example\r'),
      doc('Return label for A-1001\rWrite to anna.weber@"buyer.example" or <anna.weber> @ buyer.example\r'),
      doc('Return label for A-1001\r\u0013 QUOTE "kettle" \u0014kettle\u0015 @ 20 EUR\r'),
    ];
    const kept = await keptFiles(h, alias, docs, 'application/msword', 'label.doc');
    expect(kept).toEqual([[], [], [], [], [], ['label.doc']]);
  });
  it('removes a Word document that imports another document (altChunk), which Word shows in place', async () => {
    // The relationship's type in double or single quotes (XML allows either), the element under any prefix.
    const docx = (chunk: string, quote: string, element: string) =>
      b64(
        zipSync({
          '[Content_Types].xml': strToU8(
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="dat" ContentType="text/html"/></Types>',
          ),
          'word/document.xml': strToU8(
            `<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>Return form A-1001</w:t></w:r></w:p><${element} r:id="rId9"/></w:body></w:document>`,
          ),
          'word/_rels/document.xml.rels': strToU8(
            `<?xml version="1.0"?><Relationships><Relationship Id="rId9" Type=${quote}http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk${quote} Target="chunk.dat"/></Relationships>`,
          ),
          'word/chunk.dat': strToU8(chunk),
        }),
      );
    const chunk = '<html><body><p>Reach me at anna.weber&#64;buyer.example</p></body></html>';
    const kept = await keptFiles(
      h,
      alias,
      [docx(chunk, '"', 'w:altChunk'), docx(chunk, "'", 'wx:altChunk')],
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'form.docx',
    );
    expect(kept).toEqual([[], []]);
  });
});
