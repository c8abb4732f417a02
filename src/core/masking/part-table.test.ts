import { describe, expect, it } from 'vitest';
import { extensionOf, extensionsOf, partReading } from './part-table.js';
import { emf } from '../../../test/fixtures/metafile.js';

const OLE = Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
const ZIP = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0, 0]);
const PDF = new TextEncoder().encode('%PDF-1.7\n');
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const TEXT = new TextEncoder().encode('hello');
const EMF = new Uint8Array(emf([]));
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

describe('partReading: an Office file read by its bytes and its name, under any type mail programs give it', () => {
  it.each([
    // Read (kind, type read and delivered as).
    ['application/x-msexcel', 'a.xls', OLE, { kind: 'ole', type: 'application/vnd.ms-excel' }],
    ['application/msexcel', null, OLE, { kind: 'ole', type: 'application/vnd.ms-excel' }],
    ['application/x-msexcel', 'a.xlsx', ZIP, { kind: 'ooxml', type: XLSX }],
    ['application/x-msword', 'a.doc', ZIP, { kind: 'ooxml', type: DOCX }],
    ['application/x-mspowerpoint', 'a.ppt', OLE, { kind: 'ole', type: 'application/vnd.ms-powerpoint' }],
    ['application/vnd.ms-office', 'a.xls', OLE, { kind: 'ole', type: 'application/vnd.ms-excel' }],
    ['application/vnd.ms-office', 'attachment', OLE, { kind: 'ole', type: 'application/vnd.ms-office' }],
    ['application/x-zip-compressed', 'a.docx', ZIP, { kind: 'ooxml', type: DOCX }],
    ['application/vnd.ms-excel', 'a.xlsx', ZIP, { kind: 'ooxml', type: XLSX }],
    ['application/vnd.ms-excel; name="a.xls"', 'a.xls', OLE, { kind: 'ole', type: 'application/vnd.ms-excel' }],
    [XLSX, 'a.xls', OLE, { kind: 'ole', type: 'application/vnd.ms-excel' }],
    ['application/octet-stream', 'a.xlsx', ZIP, { kind: 'ooxml', type: XLSX }],
    ['application/octet-stream', 'a.PDF', PDF, { kind: 'pdf', type: 'application/octet-stream' }],
    ['application/octet-stream', 'shot', PNG, { kind: 'image', type: 'application/octet-stream' }],
    ['application/octet-stream', 'data.bin', OLE, { kind: 'ole', type: 'application/octet-stream' }],
    // Kept as before: a registered type that is not Office reads as itself, whatever its name.
    ['application/pdf', 'a.docx', PDF, { kind: 'pdf', type: 'application/pdf' }],
    ['text/plain', 'a.xls', TEXT, { kind: 'text', type: 'text/plain' }],
    // A Windows metafile on its own, by its type, its name or its bytes under a generic type: removed with its reason.
    ['image/x-emf', 'logo.emf', EMF, { removed: expect.stringContaining('Windows metafile') }],
    ['application/x-msmetafile', 'logo', TEXT, { removed: expect.stringContaining('Windows metafile') }],
    ['application/octet-stream', 'logo.WMF', TEXT, { removed: expect.stringContaining('Windows metafile') }],
    ['application/octet-stream', 'logo', EMF, { removed: expect.stringContaining('Windows metafile') }],
    // Calendars and cards under the types older programs give them: read by their handlers.
    ['text/x-vcalendar', 'a.vcs', TEXT, { kind: 'calendar', type: 'text/x-vcalendar' }],
    ['text/directory', 'a.vcf', TEXT, { kind: 'vcard', type: 'text/directory' }],
    // Removed: bytes that are not what the type or the name says; an unknown type.
    ['application/x-msexcel', 'a.xls', PDF, { removed: expect.stringContaining('not an Office file') }],
    ['application/x-zip-compressed', 'a.zip', TEXT, { removed: expect.stringContaining('zip archive') }],
    ['application/octet-stream', 'a.docx', PDF, { removed: expect.stringContaining('not what its name says') }],
    ['application/octet-stream', 'form.pdf', ZIP, { removed: expect.stringContaining('not what its name says') }],
    ['application/octet-stream', 'a.jpg', OLE, { removed: expect.stringContaining('not what its name says') }],
    // A text file under Excel's type (Windows declares .csv so) or a generic one: read as text.
    ['application/vnd.ms-excel', 'prices.csv', TEXT, { kind: 'text', type: 'text/csv' }],
    ['application/octet-stream', 'a.txt', TEXT, { kind: 'text', type: 'text/plain' }],
    ['application/vnd.ms-excel', 'prices.csv', OLE, { kind: 'ole', type: 'application/vnd.ms-excel' }],
    ['application/vnd.ms-excel', 'prices.xls', TEXT, { removed: expect.stringContaining('not an Office file') }],
    ['application/vnd.ms-excel', 'prices.csv', Uint8Array.from([0x61, 0, 0x62, 0]), { removed: expect.stringContaining('not an Office file') }],
    ['application/octet-stream', 'data.bin', TEXT, null],
    // UTF-16 with its byte-order mark (Excel's 'Unicode Text'): read as text (attack pass 13: removed).
    ['application/octet-stream', 'sheet.txt', Uint8Array.from([0xff, 0xfe, 0x61, 0, 0x09, 0, 0x62, 0, 0x0d, 0, 0x0a, 0]), { kind: 'text', type: 'text/plain' }],
    ['application/vnd.ms-excel', 'prices.csv', Uint8Array.from([0xfe, 0xff, 0, 0x61, 0, 0x3b, 0, 0x62]), { kind: 'text', type: 'text/csv' }],
    ['application/vnd.ms-excel', 'prices.csv', Uint8Array.from([0xff, 0xfe, 0x01, 0, 0x02, 0]), { removed: expect.stringContaining('not an Office file') }],
    ['application/zip', 'a.zip', TEXT, { removed: expect.stringContaining('zip archive') }],
    ['application/x-something', 'a.xls', OLE, null],
    // A web export named .xls (an HTML page or table; round 14: removed) reads as HTML; SpreadsheetML 2003 and other text do not.
    ['application/vnd.ms-excel', 'orders.xls', new TextEncoder().encode('<html><body><table></table></body></html>'), { kind: 'html', type: 'text/html' }],
    ['application/octet-stream', 'orders.XLS', new TextEncoder().encode('\ufeff \r\n<TABLE><tr><td>x</td></tr></TABLE>'), { kind: 'html', type: 'text/html' }],
    ['application/vnd.ms-excel', 'orders.xls', new TextEncoder().encode('<!DOCTYPE html><html>'), { kind: 'html', type: 'text/html' }],
    [
      'application/vnd.ms-excel',
      'orders.xls',
      new TextEncoder().encode(
        '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table/></Worksheet></Workbook>',
      ),
      { removed: expect.stringContaining('not an Office file') },
    ],
    ['application/vnd.ms-excel', 'orders.xls', TEXT, { removed: expect.stringContaining('not an Office file') }],
    ['application/vnd.ms-excel', 'orders.xlsx', new TextEncoder().encode('<html></html>'), { removed: expect.stringContaining('not an Office file') }],
    // Plain text named as a web page reads as HTML; named as a message, removed.
    ['text/plain', 'page.html', TEXT, { kind: 'html', type: 'text/html' }],
    ['text/plain; charset=utf-8', 'page.HTM', TEXT, { kind: 'html', type: 'text/html' }],
    ['text/plain', 'fwd.eml', TEXT, { removed: expect.stringContaining('message file') }],
    ['text/plain', 'notes.txt', TEXT, { kind: 'text', type: 'text/plain' }],
    // Round-14 attack: a web page declared as text but named .xls is the sheet Excel opens (HTML).
    ['text/plain', 'orders.xls', new TextEncoder().encode('<table><tr><td>1</td></tr></table>'), { kind: 'html', type: 'text/html' }],
    ['text/plain', 'orders.xls', TEXT, { kind: 'text', type: 'text/plain' }],
    ['text/plain', 'orders.xlt', new TextEncoder().encode('<table><tr><td>1</td></tr></table>'), { kind: 'html', type: 'text/html' }],
    // Windows saves `name.ext.` and `name.ext ` as `name.ext`.
    ['text/plain', 'page.html.', TEXT, { kind: 'html', type: 'text/html' }],
    ['text/plain', 'fwd.eml. . ', TEXT, { removed: expect.stringContaining('message file') }],
    ['application/octet-stream', 'terms.docx.', PDF, { removed: expect.stringContaining('not what its name says') }],
    ['text/plain', 'prices.slk', TEXT, { removed: expect.stringContaining('sheet or query') }],
    ['text/plain', 'logo.svg', TEXT, { removed: expect.stringContaining('sheet or query') }],
    ['text/csv', 'prices.csv', TEXT, { kind: 'text', type: 'text/csv' }],
    // A package named as no Office file: a zip program shows all it holds.
    ['application/zip', 'files.zip', ZIP, { removed: expect.stringContaining('zip archive') }],
    ['application/octet-stream', 'files.zip', ZIP, { removed: expect.stringContaining('zip archive') }],
    ['application/vnd.ms-excel', 'prices.csv', ZIP, { removed: expect.stringContaining('zip archive') }],
    ['application/zip', 'attachment', ZIP, { kind: 'ooxml', type: 'application/zip' }],
    // Any extension counts, longer than five or hyphenated (the filter's and masking's one reading): no Office program opens it.
    ['application/octet-stream', 'files.backup', ZIP, { removed: expect.stringContaining('zip archive') }],
    ['application/octet-stream', 'report.docx-old', ZIP, { removed: expect.stringContaining('zip archive') }],
  ] as const)('%s %s', (type, name, bytes, want) => expect(partReading(type, bytes, name)).toEqual(want));
});

describe('extensionOf, extensionsOf: a file name read as Windows saves it, by the content filter and masking alike', () => {
  it.each([
    ['report.DOCX', 'docx'],
    ['prices.csv. ', 'csv'],
    ['start.settingcontent-ms', 'settingcontent-ms'],
    ['find.search-ms', 'search-ms'],
    ['profile.ps1xml', 'ps1xml'],
    ['notes', undefined],
    ['dir.d/notes', undefined],
    ['', undefined],
  ] as const)('%j: %s', (name, ext) => expect(extensionOf(name)).toBe(ext));

  it.each([
    ['order.hta\u0000.txt', ['txt', 'hta']],
    ['start.settingcontent-ms\u0000.txt', ['txt', 'settingcontent-ms']],
    ['notes\u0000.txt', ['txt']],
    ['order.pdf', ['pdf']],
    [null, []],
  ] as const)('%j: %j (its name, and its name up to a control character)', (name, exts) => expect(extensionsOf(name)).toEqual(exts));
});
