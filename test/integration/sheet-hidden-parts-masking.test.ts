// Text a workbook keeps where the readers did not look: a part of an .xlsx that is itself a zipped
// package (a theme kept as `.thmx`), and in an .xls the BIFF8 records of AutoFilter criteria,
// scenarios, an external workbook's cached cells (CRN), the zipped theme (THEME) and the pivot
// caches' strings (the `_SX_DB_CUR` streams). Through the gateway a workbook holding an address
// there must be removed; the same workbook without one must arrive.
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { attachmentMail, keptFiles, sendTagged, startMaskingPair } from '../helpers/tagged-send.js';
import { b64, BUYER, BUYER_OTHER } from '../fixtures/masking-mail.js';
import { container, label, rec, workbookStream } from '../fixtures/legacy-office.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const u16 = (n: number) => Buffer.from([n & 0xff, (n >>> 8) & 0xff]);
const u32 = (n: number) => Buffer.from([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]);

const themeZip = (name: string) => zipSync({ 'theme/theme/theme1.xml': strToU8(`<?xml version="1.0"?><a:theme name="${name}"><a:themeElements/></a:theme>`) });
const xlsx = (extra: Record<string, Uint8Array>) =>
  b64(
    zipSync({
      '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
      'xl/workbook.xml': strToU8('<?xml version="1.0"?><workbook><sheets><sheet name="Prices" sheetId="1" r:id="rId1"/></sheets></workbook>'),
      'xl/worksheets/sheet1.xml': strToU8('<?xml version="1.0"?><worksheet><sheetData/></worksheet>'),
      ...extra,
    }),
  );

// BIFF8 records: an AutoFilter on a string ([MS-XLS] 2.4.8: two AFDOpers, the first a string of cch
// characters, then its characters), a scenario, a CRN with one string value, a THEME with its zip.
const autoFilter = (s: string) =>
  rec(
    0x009e,
    Buffer.concat([u16(0), u16(0), Buffer.from([0x06, 0x02, 0, 0, 0, 0, s.length, 1, 0, 0]), Buffer.alloc(10), Buffer.from([0]), Buffer.from(s, 'latin1')]),
  );
const scenario = (s: string) =>
  rec(
    0x00af,
    Buffer.concat([
      u16(1),
      u16(0),
      Buffer.from([4, s.length, 0]),
      Buffer.from([0]),
      Buffer.from('Best', 'latin1'),
      Buffer.from([0]),
      Buffer.from(s, 'latin1'),
      u16(0),
      u16(0),
      u16(0),
    ]),
  );
const crn = (s: string) =>
  rec(0x005a, Buffer.concat([Buffer.from([0, 0]), u16(0), Buffer.from([0x02]), u16(s.length), Buffer.from([1]), Buffer.from(s, 'utf16le')]));
const theme = (name: string) => rec(0x0896, Buffer.concat([u16(0x0896), Buffer.alloc(10), u32(0), Buffer.from(themeZip(name))]));
const pivotCache = (s: string) =>
  Buffer.concat([
    rec(0x00c6, Buffer.alloc(20)),
    rec(0x00cd, Buffer.concat([u16(s.length), Buffer.from([0]), Buffer.from(s, 'latin1')])),
    rec(0x000a, Buffer.alloc(0)),
  ]);

const xls = (globals: Buffer[], cells: Buffer[] = [], streams: Record<string, Buffer> = {}) =>
  b64(container({ Workbook: workbookStream(globals, [label('Prices A-1001'), ...cells]), ...streams }));

describe('text a workbook keeps where the readers did not look', () => {
  it('removes an .xlsx whose zipped part holds an address, and keeps it when it holds none', async () => {
    const files = [
      xlsx({ 'xl/theme/theme1.thmx': themeZip(`Made by ${BUYER_OTHER}`) }),
      xlsx({ 'xl/theme/theme1.thmx': themeZip(`Made by ${BUYER.address}`) }),
      xlsx({ 'xl/custom/data.bin': zipSync({ 'a.xml': strToU8(`<x>${BUYER_OTHER}</x>`) }) }),
      xlsx({ 'xl/theme/theme1.thmx': zipSync({ 'inner.zip': themeZip('Office') }) }),
      xlsx({ 'xl/theme/theme1.thmx': Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(40)]) }),
      xlsx({ 'xl/theme/theme1.thmx': themeZip('Office Theme') }),
    ];
    expect(await keptFiles(h, alias, files, XLSX, 'prices.xlsx')).toEqual([[], [], [], [], [], ['prices.xlsx']]);
  }, 60_000);

  it('removes an .xls whose AutoFilter, scenario, external cache, theme or pivot cache holds an address, and keeps the same without', async () => {
    const files = [
      xls([], [autoFilter(BUYER_OTHER)]),
      xls([], [scenario(BUYER_OTHER)]),
      xls([], [crn(BUYER_OTHER)]),
      xls([theme(`Made by ${BUYER_OTHER}`)]),
      xls([], [], { '_SX_DB_CUR/0001': pivotCache(BUYER_OTHER) }),
      xls([], [autoFilter('Berlin')]),
      xls([], [scenario('1200')]),
      xls([], [crn('Hamburg')]),
      xls([theme('Office Theme')]),
      xls([], [], { '_SX_DB_CUR/0001': pivotCache('Kettle') }),
    ];
    expect(await keptFiles(h, alias, files, 'application/vnd.ms-excel', 'prices.xls')).toEqual([[], [], [], [], [], ...Array(5).fill(['prices.xls'])]);
  }, 60_000);

  it("removes the people from a zipped part's properties as from the package's, and a zipped part with macros or an embedded file", async () => {
    const people = zipSync({
      'theme/theme/theme1.xml': strToU8('<?xml version="1.0"?><a:theme name="Office Theme"/>'),
      'docProps/core.xml': strToU8(
        '<?xml version="1.0"?><cp:coreProperties><dc:creator>Lisa Lager</dc:creator><cp:lastModifiedBy>Lisa Lager</cp:lastModifiedBy></cp:coreProperties>',
      ),
    });
    const files = [
      xlsx({ 'xl/theme/theme1.thmx': people }),
      xlsx({ 'xl/theme/theme1.thmx': zipSync({ 'theme/theme/theme1.xml': strToU8('<a:theme/>'), 'theme/vbaProject.bin': new Uint8Array(600) }) }),
      xlsx({ 'xl/theme/theme1.thmx': zipSync({ 'theme/theme/theme1.xml': strToU8('<a:theme/>'), 'theme/embeddings/oleObject1.bin': new Uint8Array(600) }) }),
    ];
    const out = await sendTagged(
      h,
      BUYER.address,
      alias,
      files.map((f, k) => attachmentMail(alias, k, { type: XLSX, name: 'prices.xlsx', base64: f })),
    );
    const parsed = await Promise.all(out.map((raw) => simpleParser(raw)));
    expect(parsed.map((m) => m.attachments.length)).toEqual([1, 0, 0]);
    const theme = unzipSync(unzipSync(new Uint8Array(parsed[0]!.attachments[0]!.content))['xl/theme/theme1.thmx']!);
    expect(strFromU8(theme['docProps/core.xml']!)).not.toContain('Lisa');
  }, 60_000);
});
