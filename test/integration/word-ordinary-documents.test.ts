// Ordinary Word documents a shop or a buyer sends — a letter with a table of contents and
// cross-references, numbered terms and conditions, a cover page bound to its properties, an
// invoice with totals and properties — must cross: the readings of fields, list labels and bound
// content controls (word-fields.ts, word-numbering.ts, word-bindings.ts) must not remove them.
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { startMaskingPair, keptFiles } from '../helpers/tagged-send.js';
import { b64 } from '../fixtures/masking-mail.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const run = (t: string) => `<w:r><w:t xml:space="preserve">${t}</w:t></w:r>`;
const complex = (instr: string, result: string) =>
  `<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">${instr}</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>${result}<w:r><w:fldChar w:fldCharType="end"/></w:r>`;
const pkg = (files: Record<string, string>) =>
  b64(
    zipSync({
      '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
      ...Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>${v}`)])),
    }),
  );
const STYLES = `<w:styles ${W}><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/></w:style><w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/></w:style></w:styles>`;
const h1 = (id: string, t: string) =>
  `<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:bookmarkStart w:id="${id}" w:name="_Toc${id}"/>${run(t)}<w:bookmarkEnd w:id="${id}"/></w:p>`;
const tocLine = (id: string, t: string, page: string) =>
  `<w:p><w:pPr><w:pStyle w:val="TOC1"/><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="9350"/></w:tabs></w:pPr><w:hyperlink w:anchor="_Toc${id}" w:history="1">${run(t)}<w:r><w:tab/></w:r>${complex(` PAGEREF _Toc${id} \\h `, run(page))}</w:hyperlink></w:p>`;
const letter = pkg({
  'word/document.xml': `<w:document ${W}><w:body><w:p>${run('Return form A-1001')}</w:p><w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/><w:docPartUnique/></w:docPartObj></w:sdtPr><w:sdtContent><w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> TOC \\o "1-3" \\h \\z \\u </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r></w:p>${tocLine('1', 'Your return', '1')}${tocLine('2', 'Refund', '2')}<w:p><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:sdtContent></w:sdt>${h1('1', 'Your return')}<w:p>${run('Dear customer, see ')}${complex(' REF _Toc2 \\h ', run('Refund'))}${run(' on page ')}${complex(' PAGEREF _Toc2 \\h ', run('2'))}.</w:p>${h1('2', 'Refund')}<w:p>${run('Printed ')}${complex(' DATE \\@ "dd.MM.yyyy" ', run('30.11.2026'))}${run(' by ')}${complex(' AUTHOR \\* MERGEFORMAT ', run('Shop'))}${run(' page ')}${complex(' PAGE \\* Arabic ', run('1'))}${run(' of ')}${complex(' NUMPAGES ', run('2'))}</w:p><w:sectPr><w:pgNumType w:start="1"/></w:sectPr></w:body></w:document>`,
  'word/styles.xml': STYLES,
  'word/settings.xml': `<w:settings ${W}><w:updateFields w:val="true"/></w:settings>`,
  'docProps/core.xml': '<cp:coreProperties xmlns:cp="x" xmlns:dc="y"><dc:title>Return</dc:title><dc:creator>Shop</dc:creator></cp:coreProperties>',
});
const lvl = (i: number, text: string, fmt = 'decimal', extra = '') =>
  `<w:lvl w:ilvl="${i}"><w:start w:val="1"/><w:numFmt w:val="${fmt}"/>${extra}<w:lvlText w:val="${text}"/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="${360 * (i + 1)}" w:hanging="360"/></w:pPr></w:lvl>`;
const item = (ilvl: number, t: string, num = 1) =>
  `<w:p><w:pPr><w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="${ilvl}"/><w:numId w:val="${num}"/></w:numPr></w:pPr>${run(t)}</w:p>`;
const terms = pkg({
  'word/document.xml': `<w:document ${W}><w:body><w:p>${run('Terms for order A-1001')}</w:p>${item(0, 'Scope')}${item(1, 'These terms apply to orders at shop.example.')}${item(1, 'Contact support via the order page.')}${item(2, 'Returns within 14 days.')}${item(0, 'Payment')}${item(1, 'Pay by card.', 2)}<w:p><w:r><w:t>Legal</w:t></w:r></w:p></w:body></w:document>`,
  'word/numbering.xml': `<w:numbering ${W}><w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="multilevel"/>${lvl(0, '%1.')}${lvl(1, '%1.%2.')}${lvl(2, '(%3)', 'lowerLetter')}</w:abstractNum><w:abstractNum w:abstractNumId="1">${lvl(0, 'Article %1', 'upperRoman')}${lvl(1, '%1.%2', 'decimal', '<w:isLgl/>')}</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="1"><w:startOverride w:val="1"/></w:lvlOverride></w:num></w:numbering>`,
  'word/styles.xml': STYLES,
});
const cover = pkg({
  'word/document.xml': `<w:document ${W}><w:body><w:p>${run('Return form A-1001')}</w:p><w:sdt><w:sdtPr><w:alias w:val="Publish Date"/><w:tag w:val=""/><w:id w:val="1"/><w:dataBinding w:prefixMappings="xmlns:ns0='http://schemas.microsoft.com/office/2006/coverPageProps' " w:xpath="/ns0:CoverPageProperties[1]/ns0:PublishDate[1]" w:storeItemID="{55AF091B-3C7A-41E3-B477-F2FDAA23CFDA}"/><w:date w:fullDate="2026-11-30T00:00:00Z"><w:dateFormat w:val="d MMMM yyyy"/></w:date></w:sdtPr><w:sdtContent><w:p>${run('30 November 2026')}</w:p></w:sdtContent></w:sdt><w:sdt><w:sdtPr><w:dataBinding w:prefixMappings="xmlns:ns0='http://schemas.microsoft.com/office/2006/coverPageProps' " w:xpath="/ns0:CoverPageProperties[1]/ns0:CompanyAddress[1]" w:storeItemID="{55AF091B-3C7A-41E3-B477-F2FDAA23CFDA}"/></w:sdtPr><w:sdtContent><w:p>${run('Main St 1, Berlin')}</w:p></w:sdtContent></w:sdt></w:body></w:document>`,
  'customXml/item1.xml':
    '<CoverPageProperties xmlns="http://schemas.microsoft.com/office/2006/coverPageProps"><PublishDate>2026-11-30T00:00:00</PublishDate><Abstract/><CompanyAddress>Main St 1, Berlin</CompanyAddress><CompanyPhone/><CompanyFax/><CompanyEmail/></CoverPageProperties>',
  'customXml/itemProps1.xml':
    '<ds:datastoreItem ds:itemID="{55AF091B-3C7A-41E3-B477-F2FDAA23CFDA}" xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"><ds:schemaRefs><ds:schemaRef ds:uri="http://schemas.microsoft.com/office/2006/coverPageProps"/></ds:schemaRefs></ds:datastoreItem>',
});
const invoice = pkg({
  'word/document.xml': `<w:document ${W}><w:body><w:p>${run('Invoice A-1001')}</w:p><w:tbl><w:tr><w:tc><w:p>${run('Item')}</w:p></w:tc><w:tc><w:p>${run('12.50')}</w:p></w:tc></w:tr><w:tr><w:tc><w:p>${run('Total')}</w:p></w:tc><w:tc><w:p>${complex(' =SUM(ABOVE) \\# "#,##0.00 €;-#,##0.00 €;\'-\'" ', run('12.50 €'))}</w:p></w:tc></w:tr></w:tbl><w:p>${complex(' SEQ Invoice \\* ARABIC ', run('1'))}${complex(' DOCPROPERTY "Invoice No" \\* MERGEFORMAT ', run('A-1001'))}${complex(' CREATEDATE \\@ "d. MMMM yyyy" ', run('30. November 2026'))}</w:p></w:body></w:document>`,
  'docProps/custom.xml':
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Invoice No"><vt:lpwstr>A-1001</vt:lpwstr></property><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="3" name="Amount"><vt:r8>12.5</vt:r8></property></Properties>',
});
describe('ordinary Word documents with fields, lists and content controls', () => {
  it('keeps a letter with a table of contents, numbered terms, a cover page and an invoice', async () => {
    expect(await keptFiles(h, alias, [letter, terms, cover, invoice], DOCX, 'form.docx')).toEqual([['form.docx'], ['form.docx'], ['form.docx'], ['form.docx']]);
  });
});
