// Other people's addresses in legacy Office files: a .doc, .xls or .ppt whose shown text holds an
// address outside our domains (a customer's, a colleague's) must not cross, as a docx's or a PDF's
// does not; ordinary legacy files must still cross, and so must one whose bytes only look like an
// address outside its text (a picture's data).
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { keptFiles, maskingPairForTests } from '../helpers/tagged-send.js';
import { b64, BUYER_OTHER } from '../fixtures/masking-mail.js';
import {
  container,
  cString,
  excelFile,
  label,
  powerPointFile,
  pptContainer,
  pptRecord,
  rec,
  slideTexts,
  sst,
  textBytes,
  textChars,
  wordFile,
  wordStreams,
  workbookStream,
  xlString,
  DOC,
  KIM,
  PPT,
  XLS,
} from '../fixtures/legacy-office.js';

const pair = maskingPairForTests();

// A picture's bytes that read, as Latin-1, like an address: not text any application shows.
const PICTURE = Buffer.from(`\x89PNG\x00\x01ab@cd.com\x00\xff`, 'latin1');

describe("other people's addresses in .doc, .xls and .ppt files", () => {
  it('removes a .doc whose text, footnote or field holds an address, and keeps ordinary ones', async () => {
    const files = [
      wordFile([`Return label for A-1001\rAsk my colleague ${KIM}\r`]),
      wordFile([
        { text: 'Return label for A-1001\r', compressed: true },
        { text: `Kim: ${KIM}\r`, compressed: true },
      ]),
      wordFile([`Return label for A-1001\r\u0013 HYPERLINK "mailto:${KIM}" \u0014Kim\u0015\r`]),
      // A field that shows the @ once Word updates it (SYMBOL 64), its stored result a decoy.
      wordFile(['Return label for A-1001\rAsk kim.lee\u0013 SYMBOL 64 \u0014-\u0015partner.example\r']),
      // An embedded workbook (an OLE object in the ObjectPool): nothing reads it.
      container({ ...wordStreams(['Return label for A-1001\r\u0001\r']), 'ObjectPool/_1577691201/\u0001Ole10Native': Buffer.from(`Kim ${KIM}`) }),
      wordFile(['Return label for A-1001\r', 'Kettle 2 pcs @ 19.99 EUR\r\u0013 PAGE \u00141\u0015\r']),
    ];
    expect(await keptFiles(pair.h, pair.alias, files.map(b64), DOC, 'label.doc')).toEqual([[], [], [], [], [], ['label.doc']]);
  }, 60_000);

  it('removes a .xls whose cells, sheet names, comments or links hold an address, and keeps ordinary ones', async () => {
    const files = [
      excelFile(workbookStream([sst(['Name', 'Email', 'Kim Lee', KIM])])),
      excelFile(workbookStream([sst(['Name', `${'x'.repeat(100)} ${KIM}`], 60)])),
      excelFile(workbookStream([], [label(`Write to ${KIM}`)])),
      // The writer's second address, which the gateway does not know.
      excelFile(workbookStream([sst(['Reach me at', BUYER_OTHER])])),
      excelFile(workbookStream([], [rec(0x0014, xlString(`&L${KIM}`))])),
      excelFile(workbookStream([sst(['Kettle', 'Price', '@ 19.99', 'A-1001'])], [label('Total'), rec(0x00ec, PICTURE)])),
    ];
    expect(await keptFiles(pair.h, pair.alias, files.map(b64), XLS, 'order.xls')).toEqual([[], [], [], [], [], ['order.xls']]);
  }, 60_000);

  it('removes a .ppt whose slides, notes or links hold an address, and keeps ordinary ones', async () => {
    const files = [
      powerPointFile([slideTexts([textChars('Our partner'), textChars(KIM)])]),
      powerPointFile([slideTexts([textBytes(`Contact ${KIM}`)])]),
      powerPointFile([pptContainer(0x0fd7, [cString('Kim'), cString(`mailto:${KIM}`)])]),
      powerPointFile([slideTexts([textChars('Kettle 2 pcs @ 19.99 EUR'), textBytes('Order A-1001')]), pptRecord(0xf01e, PICTURE)]),
    ];
    expect(await keptFiles(pair.h, pair.alias, files.map(b64), PPT, 'slides.ppt')).toEqual([[], [], [], ['slides.ppt']]);
  }, 60_000);

  it('removes Office files carrying macros (a VBA project), legacy and OOXML alike, whose compressed source crossed unread', async () => {
    // [MS-OVBA] 2.4.1 compression: the writer's address inside a module reads as no text at all.
    const vba = Buffer.concat([
      Buffer.from([0x01, 0x19, 0xb0, 0x00]),
      Buffer.from('Attribut\x00e VB_Nam\x00e = "M"\x0aMsgBox "kim.lee@partne\x00r.example"', 'latin1'),
    ]);
    const xls = (extra: Record<string, Buffer>) => container({ Workbook: workbookStream([], [label('Total')]), ...extra });
    const legacy = [xls({ '_VBA_PROJECT_CUR/VBA/Module1': vba, '_VBA_PROJECT_CUR/PROJECT': Buffer.from('ID="{1}"') }), xls({})];
    expect(await keptFiles(pair.h, pair.alias, legacy.map(b64), XLS, 'book.xls')).toEqual([[], ['book.xls']]);
    const doc = [container({ ...wordStreams(['Return label for A-1001\r']), 'Macros/VBA/ThisDocument': vba }), wordFile(['Return label for A-1001\r'])];
    expect(await keptFiles(pair.h, pair.alias, doc.map(b64), DOC, 'letter.doc')).toEqual([[], ['letter.doc']]);
    const docm = (extra: Record<string, Uint8Array>) =>
      Buffer.from(
        zipSync({
          '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
          'word/document.xml': strToU8(
            '<?xml version="1.0"?><w:document xmlns:w="w"><w:body><w:p><w:r><w:t>Return label for A-1001</w:t></w:r></w:p></w:body></w:document>',
          ),
          ...extra,
        }),
      );
    const ooxml = [docm({ 'word/vbaProject.bin': container({ 'VBA/ThisDocument': vba }) }), docm({})];
    const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    expect(await keptFiles(pair.h, pair.alias, ooxml.map(b64), DOCX, 'letter.docx')).toEqual([[], ['letter.docx']]);
  }, 60_000);

  it('removes an OOXML VBA project under any part name: Office finds it by its relationship and content type, not its name', async () => {
    const vba = Buffer.concat([
      Buffer.from([0x01, 0x19, 0xb0, 0x00]),
      Buffer.from('Attribut\x00e VB_Nam\x00e = "M"\x0aMsgBox "kim.lee@partne\x00r.example"', 'latin1'),
    ]);
    const project = container({ 'VBA/ThisDocument': vba, 'VBA/dir': Buffer.from([1, 2, 3]), PROJECT: Buffer.from('ID="{1}"') });
    const types = (extra: string) =>
      strToU8(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">${extra}</Types>`);
    const docm = (extra: Record<string, Uint8Array>) =>
      Buffer.from(
        zipSync({
          'word/document.xml': strToU8(
            '<?xml version="1.0"?><w:document xmlns:w="w"><w:body><w:p><w:r><w:t>Return label for A-1001</w:t></w:r></w:p></w:body></w:document>',
          ),
          ...extra,
        }),
      );
    const rels = (target: string, type = 'http://schemas.microsoft.com/office/2006/relationships/vbaProject') =>
      strToU8(`<?xml version="1.0"?><Relationships xmlns="r"><Relationship Id="rId9" Type="${type}" Target="${target}"/></Relationships>`);
    const files = [
      // Named otherwise, declared by an Override and its relationship.
      docm({
        '[Content_Types].xml': types('<Override PartName="/word/code.bin" ContentType="application/vnd.ms-office.vbaProject"/>'),
        'word/_rels/document.xml.rels': rels('code.bin'),
        'word/code.bin': project,
      }),
      // Declared by a Default for its extension, written with character references.
      docm({
        '[Content_Types].xml': types('<Default Extension="dat" ContentType="application/vnd.ms-office.&#118;ba&#x50;roject"/>'),
        'word/_rels/document.xml.rels': rels('p.dat', 'http://schemas.microsoft.com/office/2006/relationships/&#118;baProject'),
        'word/p.dat': project,
      }),
      // Undeclared, a VBA storage in any binary part.
      docm({ '[Content_Types].xml': types(''), 'word/printerSettings1.bin': project }),
      // Kept: a document that only says "vbaProject" in its text.
      docm({ '[Content_Types].xml': types(''), 'word/settings.xml': strToU8('<w:settings xmlns:w="w"><w:docVar w:val="vbaProject"/></w:settings>') }),
    ];
    const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    expect(await keptFiles(pair.h, pair.alias, files.map(b64), DOCX, 'letter.docx')).toEqual([[], [], [], ['letter.docx']]);
  }, 60_000);
});
