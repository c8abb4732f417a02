// Word fields that Word computes when the document opens, prints or is updated: a field's stored
// result proves nothing (a decoy, or empty), so `anna.weber{SYMBOL 64}buyer.example` shows the
// writer's address once Word updates it. Through the gateway each such document must be removed,
// and ordinary documents with PAGE, DATE, TOC, REF, HYPERLINK and MERGEFIELD fields kept.
import CFB from 'cfb';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { startMaskingPair, keptFiles } from '../helpers/tagged-send.js';
import { b64 } from '../fixtures/masking-mail.js';
import { word97 } from '../helpers/word97.js';
import { complex, DOCX, fieldDocx, run } from '../fixtures/word-fields.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const docx = (body: string, settings = '') => fieldDocx(body, settings);
const doc = (text: string) => {
  const c = CFB.utils.cfb_new();
  CFB.utils.cfb_add(c, 'WordDocument', Buffer.from(text, 'utf16le'));
  return b64(Buffer.from(CFB.write(c, { type: 'buffer' }) as Uint8Array));
};

describe("Word fields that complete the writer's address when Word updates them", () => {
  it('removes a Word document whose field shows a piece of the address Word computes, and keeps ordinary fields', async () => {
    const documents = [
      // SYMBOL 64 is an @; its stored result a decoy, the document asking Word to update its fields.
      docx(`${run('Reach me at anna.weber')}${complex(' SYMBOL 64 \\f "Arial" ', '-')}${run('buyer.example')}`, '<w:updateFields w:val="true"/>'),
      // The same as a simple field with an empty result, marked dirty.
      docx(`${run('Reach me at anna.weber')}<w:fldSimple w:instr=" SYMBOL 64 " w:dirty="true"/>${run('buyer.example')}`),
      // QUOTE of a literal holding a nested SYMBOL field.
      docx(
        `${run('Reach me at anna.weber')}<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> QUOTE "</w:instrText></w:r>${complex(' SYMBOL 64 ', '')}` +
          `<w:r><w:instrText>buyer.example" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>${run('x')}<w:r><w:fldChar w:fldCharType="end"/></w:r>`,
      ),
      // A document variable holding the @ (settings.xml keeps it).
      docx(
        `${run('Reach me at anna.weber')}${complex(' DOCVARIABLE at ', '')}${run('buyer.example')}`,
        '<w:docVars><w:docVar w:name="at" w:val="@"/></w:docVars>',
      ),
      // Text pulled in from a file or a web address Word fetches: nothing here can know it.
      docx(`${run('Reach me at anna.weber')}${complex(' INCLUDETEXT "https://files.example/at.txt" ', '')}${run('buyer.example')}`),
      // A cross-reference to a bookmark around an @ elsewhere in the document: Word shows the bookmark's text.
      docx(
        `${run('Mention us with ')}<w:bookmarkStart w:id="0" w:name="at"/>${run('@')}<w:bookmarkEnd w:id="0"/>${run(' on social media. Reach me at anna.weber')}` +
          `${complex(' REF at \\h ', '-')}${run('buyer.example')}`,
      ),
      // A letter from a number (`\* alphabetic`: 5 is e); a tracked deletion, which Word drops once the
      // change is accepted. Both already removed before (what is read holds another address); kept as guards.
      docx(`${run('Reach me at anna.weber@buyer.exampl')}${complex(' = 5 \\* alphabetic ', ',')}`),
      docx(`${run('Reach me at anna.weber')}<w:del w:id="1" w:author="x"><w:r><w:delText>,</w:delText></w:r></w:del>${run('@buyer.example')}`),
      // A deleted piece of an instruction: Word reads SYMBOL 64.
      docx(
        `${run('Reach me at anna.weber')}<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> SYMBOL 6</w:instrText></w:r><w:del w:id="2" w:author="x"><w:r><w:delInstrText>5</w:delInstrText></w:r></w:del>` +
          `<w:r><w:instrText>4 </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>${run('-')}<w:r><w:fldChar w:fldCharType="end"/></w:r>${run('buyer.example')}`,
      ),
      // Ordinary fields: page numbers, a date, a table of contents, a cross-reference, a link, a merge field.
      docx(
        `${run('Page ')}${complex(' PAGE ', '1')}${run(' of ')}${complex(' NUMPAGES ', '2')}${complex(' DATE \\@ "d MMMM yyyy" ', '30 November 2026')}` +
          `${complex(' TOC \\o "1-3" \\h ', 'Contents')}<w:bookmarkStart w:id="1" w:name="order"/>${run('A-1001')}<w:bookmarkEnd w:id="1"/>${complex(' REF order \\h ', 'A-1001')}${complex(' HYPERLINK "https://shop.example/orders" ', 'your order')}${complex(' MERGEFIELD FirstName ', 'Anna')}`,
        '<w:updateFields w:val="true"/>',
      ),
    ];
    expect(await keptFiles(h, alias, documents, DOCX, 'form.docx')).toEqual([[], [], [], [], [], [], [], [], [], ['form.docx']]);
  });

  it('removes a Word 97 file whose field shows a piece of the address Word computes, and keeps ordinary fields', async () => {
    const docs = [
      doc('Return label for A-1001\rWrite to anna.weber\u0013 SYMBOL 64 \u0014-\u0015buyer.example\r'),
      doc('Return label for A-1001\rWrite to anna.weber\u0013 QUOTE "\u0013 SYMBOL 64 \u0014\u0015buyer.example" \u0014x\u0015\r'),
      doc('Return label for A-1001\rWrite to anna.weber\u0013 INCLUDETEXT "https://files.example/at.txt" \u0014\u0015buyer.example\r'),
      doc(
        'Return label for A-1001\rPage \u0013 PAGE \u00141\u0015 of \u0013 NUMPAGES \u00142\u0015, \u0013 DATE \\@ "d MMMM yyyy" \u001430 November 2026\u0015\r',
      ),
    ];
    expect(await keptFiles(h, alias, docs, 'application/msword', 'label.doc')).toEqual([[], [], [], ['label.doc']]);
  });

  it('removes a Word 97 file whose field or note mark shows text from its bookmarks, styles, notes or page format, and keeps ordinary letters', async () => {
    const head = 'Return label for A-1001\r';
    const letter =
      `${head}Page \u0013 PAGE \u00141\u0015 of \u0013 NUMPAGES \u00142\u0015, \u0013 DATE \\@ "d MMMM yyyy" \u001430 November 2026\u0015\r` +
      `\u0013 TOC \\o "1-3" \\h \u0014Contents\u0015 \u0013 HYPERLINK "https://shop.example/orders" \u0014your order\u0015 Dear \u0013 MERGEFIELD FirstName \u0014Anna\u0015,\r` +
      `see section \u0013 REF _Ref1 \\r \\h \u00142(a)\u0015 and the note\u0002. Name: \u0013 FORMTEXT \u0014A-1001\u0015\r` +
      `Follow @shopexample \u00b7 page \u0013 PAGE \u00141\u0015\r\u0002 The order of 30 November.\r` +
      `Delivery terms\rAs in \u0013 REF _Ref2 \\h \u0014Delivery terms\u0015.\r`;
    const mention = (field: string) => `${head}Mention us with @ on social media. Write to anna.weber${field}buyer.example\r`;
    const docs = [
      // A cross-reference to a bookmark around an @ elsewhere: its stored result a decoy.
      doc(`${head}Mention us with @ on social media. Write to anna.weber\u0013 REF at \\h \u0014-\u0015buyer.example\r`),
      // The same as a bare bookmark name, in a file whose bookmark tables are read: the bookmark holds the @.
      b64(word97([{ text: mention('\u0013 at \u0014-\u0015') }], { bookmarks: [{ name: 'At', from: head.length + 16, to: head.length + 17 }] })),
      // The text of the nearest paragraph in a style that holds the @.
      doc(`${head}Write to anna.weber\u0013 STYLEREF "At" \u0014-\u0015buyer.example\r`),
      // A note's number (the sixth endnote is vi, a .doc's endnotes are lower roman unless set).
      doc(`${head}Write to anna.weber @ buyer.\u0013 NOTEREF _Ref1 \\h \u00146\u0015\r`),
      // The page number where the domain goes on, and glued to the name (page 18 in letters is r).
      doc(`${head}Write to anna.weber @ buyer.\u0013 PAGE \u00146\u0015\r`),
      doc(`${head}Anna Webe\u0013 PAGE \u001418\u0015\r`),
      // An auto-numbered endnote's mark (U+0002) where the domain goes on.
      b64(word97([{ text: `${head}Write to anna.weber @ buyer.\u0002 today.\r\u0002 See the order.\r`, compressed: true }])),
      // The address in two pieces whose bytes stand in the other order (a fast save): only the piece table joins them.
      b64(word97([{ text: `${head}Write to anna.weber@` }, { text: 'buyer.example\r', compressed: true }], { stored: [1, 0] })),
      // An ordinary letter: page numbers, a date, a table of contents, a link, a merge field, a form
      // field, a paragraph number, a footnote after a word, the shop's address beside a page number,
      // a cross-reference to a heading.
      b64(word97([{ text: letter }], { bookmarks: [{ name: '_Ref2', from: letter.indexOf('Delivery'), to: letter.indexOf('Delivery') + 14 }] })),
    ];
    expect(await keptFiles(h, alias, docs, 'application/msword', 'label.doc')).toEqual([[], [], [], [], [], [], [], [], ['label.doc']]);
  });

  it('removes an encrypted Word 97 file (its text cannot be checked)', async () => {
    // Stands for text Word decrypts with a password the reader is given: here nothing can read it.
    const docs = [
      b64(word97([{ text: 'Return label for A-1001\r\u00a7\u0091\u00f3\u0003' }], { encrypted: true })),
      b64(word97([{ text: 'Return label for A-1001\r' }])),
    ];
    expect(await keptFiles(h, alias, docs, 'application/msword', 'sealed.doc')).toEqual([[], ['sealed.doc']]);
  });

  it('removes a Word 97 file whose lettered list label may join the address, and keeps ordinary lists', async () => {
    const text = [{ text: 'Return label for A-1001\rTerms\rnna Weber is not read here\r' }];
    const docs = [
      // The label's own text ends in the domain, its number lower letters (the fifth is e).
      b64(word97(text, { lists: [[{ nfc: 4, label: 'anna.weber@buyer.exampl\u0000' }]] })),
      // The number in letters with nothing after it: the paragraph reads `anna Weber…`, the writer's name.
      b64(word97(text, { lists: [[{ nfc: 4, label: '\u0000', follow: 2 }]] })),
      // Ordinary lists: (a) and i. with a tab, 1 with nothing after it, a bullet.
      b64(
        word97(text, {
          lists: [[{ nfc: 4, label: '(\u0000)' }], [{ nfc: 2, label: '\u0000.' }], [{ nfc: 0, label: '\u0000', follow: 2 }], [{ nfc: 23, label: '\uf0b7' }]],
        }),
      ),
    ];
    expect(await keptFiles(h, alias, docs, 'application/msword', 'terms.doc')).toEqual([[], [], ['terms.doc']]);
    // Sent as a generic type: read as a Word file all the same (a guard; cleanOle's unit row fails before).
    expect(await keptFiles(h, alias, docs, 'application/octet-stream', 'terms.doc')).toEqual([[], [], ['terms.doc']]);
  });
});

/** A numbered list's level: its label (`%1` is the level's number) and what follows it (`nothing`, `space`; tab when absent). */
const level = (ilvl: number, text: string, suff = '', fmt = 'decimal') =>
  `<w:lvl w:ilvl="${ilvl}"><w:start w:val="1"/><w:numFmt w:val="${fmt}"/><w:lvlText w:val="${text}"/>${suff && `<w:suff w:val="${suff}"/>`}</w:lvl>`;
const listed = (body: string, numbering: string, styles = '') =>
  b64(
    zipSync({
      '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
      'word/document.xml': strToU8(`<?xml version="1.0"?><w:document><w:body><w:p>${run('Return form A-1001')}</w:p>${body}</w:body></w:document>`),
      'word/numbering.xml': strToU8(`<?xml version="1.0"?><w:numbering>${numbering}</w:numbering>`),
      'word/styles.xml': strToU8(`<?xml version="1.0"?><w:styles>${styles}</w:styles>`),
    }),
  );
const numPr = (numId: number, ilvl = 0) => `<w:numPr><w:ilvl w:val="${ilvl}"/><w:numId w:val="${numId}"/></w:numPr>`;
const item = (numId: number, text: string, ilvl = 0) => `<w:p><w:pPr>${numPr(numId, ilvl)}</w:pPr>${run(text)}</w:p>`;

describe("Word list labels that complete the writer's address", () => {
  it('removes a Word document whose list label and paragraph together show an address, and keeps ordinary lists', async () => {
    const documents = [
      // The label is the local part and the @, nothing after it, the paragraph the domain.
      listed(
        item(1, 'buyer.example'),
        `<w:abstractNum w:abstractNumId="0">${level(0, 'anna.weber@', 'nothing')}</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>`,
      ),
      // The same written as character references, at the second level, in single quotes.
      listed(
        item(1, 'buyer.example', 1),
        `<w:abstractNum w:abstractNumId="0">${level(0, '%1.')}<w:lvl w:ilvl='1'><w:lvlText w:val='&#97;nna.weber&#64;'/><w:suff w:val='nothing'/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>`,
      ),
      // The list's level replaced in the num (lvlOverride), the paragraph's numbering from its style.
      listed(
        `<w:p><w:pPr><w:pStyle w:val="Contact"/></w:pPr>${run('buyer.example')}</w:p>`,
        `<w:abstractNum w:abstractNumId="0">${level(0, '%1.')}</w:abstractNum><w:num w:numId="3"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0">${level(0, 'anna.weber@', 'nothing')}</w:lvlOverride></w:num>`,
        `<w:style w:type="paragraph" w:styleId="Contact"><w:pPr>${numPr(3)}</w:pPr></w:style>`,
      ),
      // A letter Word counts (the fifth item of a list shown as letters is e) ends the domain after the label's @.
      listed(
        item(1, ''),
        `<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="5"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="Reach me at anna.weber @ buyer.exampl%1"/><w:suff w:val="nothing"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>`,
      ),
      // Ordinary lists: numbers, letters and bullets before text, a domain after "1." with nothing between.
      listed(
        `${item(1, 'Return the parcel')}${item(1, 'shop.example', 1)}${item(2, 'Keep the receipt')}`,
        `<w:abstractNum w:abstractNumId="0">${level(0, '%1.')}${level(1, '%1.%2', 'nothing')}</w:abstractNum><w:abstractNum w:abstractNumId="1">${level(0, '', 'space', 'bullet')}</w:abstractNum>` +
          `<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>`,
      ),
    ];
    expect(await keptFiles(h, alias, documents, DOCX, 'form.docx')).toEqual([[], [], [], [], ['form.docx']]);
  });
});

/** A docx whose parts are given whole (another namespace prefix, or none). */
const parts = (files: Record<string, string>) =>
  b64(
    zipSync({
      '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
      ...Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(`<?xml version="1.0"?>${v}`)])),
    }),
  );
const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

describe('number pictures and namespace prefixes that complete the address', () => {
  it("removes a document whose number picture's other section or whose prefix hides a piece of the address, and keeps ordinary invoices", async () => {
    const documents = [
      // SEQ \c before any item is 0: the zero section's '@' shows, the stored result a decoy.
      docx(`${run('Reach me at anna.weber')}${complex(' SEQ a \\c \\# "0;0;\'@\'" ', '-')}${run('buyer.example')}`),
      // The same with a formula that is 0.
      docx(`${run('Reach me at anna.weber')}${complex(' = 0 \\# "0;0;\'@\'" ', '-')}${run('buyer.example')}`),
      // A cross-reference to a bookmark holding a number, shown through its picture.
      docx(
        `${run('Item ')}<w:bookmarkStart w:id="0" w:name="n"/>${run('5')}<w:bookmarkEnd w:id="0"/>${run(' Reach me at anna.weber')}${complex(' REF n \\# "\'@b\'" ', '-')}${run('uyer.example')}`,
      ),
      // An inline list number (the second level of NumberDefault shows letters: e) after \\s 5).
      docx(`${run('Reach me at anna.weber @ buyer.exampl')}${complex(' LISTNUM NumberDefault \\l 2 \\s 5 ', 'a)')}`),
      // USERNAME with a literal shows it; a date property through its picture.
      docx(`${run('Reach me at anna.weber')}${complex(' USERNAME "@b" ', '-')}${run('uyer.example')}`),
      docx(`${run('Reach me at anna.weber')}${complex(' DOCPROPERTY CreateTime \\@ "\'@b\'" ', '-')}${run('uyer.example')}`),
      // A symbol under another prefix bound to Word's namespace.
      parts({
        'word/document.xml': `<x:document xmlns:x="${W}"><x:body><x:p><x:r><x:t>Return form A-1001</x:t></x:r></x:p><x:p><x:r><x:t>Reach me at anna.weber</x:t></x:r><x:r><x:sym x:font="Arial" x:char="0040"/></x:r><x:r><x:t>buyer.example</x:t></x:r></x:p></x:body></x:document>`,
      }),
      // A '>' inside an attribute's value (XML allows it): the symbol field's tag read whole.
      docx(`${run('Reach me at anna.weber')}<w:fldSimple w:instr=' SYMBOL 64 \\f "a>b" '/>${run('buyer.example')}`),
      // A list label in a document written under a default namespace.
      parts({
        'word/document.xml': `<document xmlns="${W}" xmlns:x="${W}"><body><p><r><t>Return form A-1001</t></r></p><p><pPr><numPr><ilvl x:val="0"/><numId x:val="1"/></numPr></pPr><r><t>buyer.example</t></r></p></body></document>`,
        'word/numbering.xml': `<numbering xmlns="${W}" xmlns:x="${W}"><abstractNum x:abstractNumId="0"><lvl x:ilvl="0"><numFmt x:val="decimal"/><lvlText x:val="anna.weber@"/><suff x:val="nothing"/></lvl></abstractNum><num x:numId="1"><abstractNumId x:val="0"/></num></numbering>`,
      }),
      // An invoice: totals with pictures (a dash for zero, parentheses for a credit), pages in two digits.
      docx(
        `${run('Total ')}${complex(' = SUM(ABOVE) \\# "#,##0.00 €;(#,##0.00 €);\'—\'" ', '49.90 €')}${run(' Page ')}${complex(' PAGE \\# "00" ', '01')}` +
          `${complex(' SEQ Item \\# "\'No. \'0" ', 'No. 1')}${complex(' MERGEFIELD Amount \\# "0.00" ', '12.00')}`,
      ),
    ];
    expect(await keptFiles(h, alias, documents, DOCX, 'form.docx')).toEqual([[], [], [], [], [], [], [], [], [], ['form.docx']]);
  });
});

const STORE = '{11111111-2222-3333-4444-555555555555}';
/** An inline content control bound to `xpath` in `store`, its stored text a decoy. */
const boundControl = (xpath: string, stored: string, store = STORE, extra = '') =>
  `<w:sdt><w:sdtPr>${extra}<w:dataBinding w:xpath="${xpath}" w:storeItemID="${store}"/></w:sdtPr><w:sdtContent>${run(stored)}</w:sdtContent></w:sdt>`;
const withStore = (body: string, item: string, more: Record<string, string> = {}) =>
  parts({
    'word/document.xml': `<w:document><w:body><w:p>${run('Return form A-1001')}</w:p><w:p>${body}</w:p></w:body></w:document>`,
    'customXml/item1.xml': item,
    'customXml/itemProps1.xml': `<ds:datastoreItem ds:itemID="${STORE}" xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"/>`,
    ...more,
  });

describe("content controls bound to data that complete the writer's address", () => {
  it('removes a document whose bound control shows a piece of the address, and keeps a cover page bound to its properties', async () => {
    const documents = [
      // Word shows the custom XML part's value, not the stored '-'.
      withStore(`${run('Reach me at anna.weber')}${boundControl('/root[1]/at[1]', '-')}${run('buyer.example')}`, '<root><at>@</at></root>'),
      // The store is the item whose relationship names the properties, not item1.xml (a decoy).
      withStore(`${run('Reach me at anna.weber')}${boundControl('/root[1]/at[1]', '-')}${run('buyer.example')}`, '<root><at>-</at></root>', {
        'customXml/other.xml': '<root><at>@</at></root>',
        'customXml/_rels/other.xml.rels':
          '<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps" Target="itemProps1.xml"/></Relationships>',
      }),
      // The value in a CDATA section (character data, shown as it is).
      withStore(`${run('Reach me at anna.weber')}${boundControl('/root[1]/at[1]', '-')}${run('buyer.example')}`, '<root><at><![CDATA[@]]></at></root>'),
      // A drop-down list shows the display text of the bound value's item.
      withStore(
        `${run('Reach me at anna.weber')}${boundControl('/root[1]/at[1]', '-', STORE, '<w:dropDownList><w:listItem w:displayText="-" w:value="1"/><w:listItem w:displayText="@" w:value="2"/></w:dropDownList>')}${run('buyer.example')}`,
        '<root><at>2</at></root>',
      ),
      // An empty value shows its placeholder's building block from the glossary.
      withStore(
        `${run('Reach me at anna.weber')}${boundControl('/root[1]/at[1]', '-', STORE, '<w:placeholder><w:docPart w:val="At"/></w:placeholder>')}${run('buyer.example')}`,
        '<root><at></at></root>',
        {
          'word/glossary/document.xml': `<w:glossaryDocument><w:docParts><w:docPart><w:docPartPr><w:name w:val="At"/></w:docPartPr><w:docPartBody>${run('@')}</w:docPartBody></w:docPart></w:docParts></w:glossaryDocument>`,
        },
      ),
      // A cover page: the title bound to the core properties, the author (emptied) showing its placeholder.
      withStore(
        `${boundControl('/ns1:coreProperties[1]/ns0:title[1]', 'Return form', '{6C3C8BC8-F283-45AE-878A-BAB7291924A1}')} ${boundControl('/ns1:coreProperties[1]/ns0:creator[1]', 'Author', '{6C3C8BC8-F283-45AE-878A-BAB7291924A1}', '<w:placeholder><w:docPart w:val="Author"/></w:placeholder>')}`,
        '<root/>',
        {
          'docProps/core.xml': '<cp:coreProperties><dc:title>Return form</dc:title><dc:creator>Anna Weber</dc:creator></cp:coreProperties>',
          'word/glossary/document.xml': `<w:glossaryDocument><w:docParts><w:docPart><w:docPartPr><w:name w:val="Author"/></w:docPartPr><w:docPartBody>${run('[Author name]')}</w:docPartBody></w:docPart></w:docParts></w:glossaryDocument>`,
        },
      ),
    ];
    expect(await keptFiles(h, alias, documents, DOCX, 'form.docx')).toEqual([[], [], [], [], [], ['form.docx']]);
  });
});

const STYLES =
  '<w:styles><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>' +
  '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style><w:style w:type="paragraph" w:styleId="Contact"><w:name w:val="Contact"/></w:style></w:styles>';
const styled = (body: string, header = '') =>
  parts({
    'word/document.xml': `<w:document><w:body><w:p>${run('Return form A-1001')}</w:p>${body}</w:body></w:document>`,
    'word/styles.xml': STYLES,
    ...(header && { 'word/header1.xml': `<w:hdr>${header}</w:hdr>` }),
  });
const inStyle = (style: string, text: string) => `<w:p><w:pPr><w:pStyle w:val="${style}"/></w:pPr>${run(text)}</w:p>`;

/** A docx whose body's one section numbers its pages from `start`, in `fmt` (decimal when absent). */
const paged = (body: string, start: number, fmt = '') =>
  docx(`${body}</w:p><w:p><w:pPr><w:sectPr><w:pgNumType${fmt && ` w:fmt="${fmt}"`} w:start="${start}"/></w:sectPr></w:pPr>`);

describe("page numbers shown as roman numerals that complete the writer's address", () => {
  it('removes a document whose roman page number ends the domain after an @, and keeps roman page numbers elsewhere', async () => {
    const documents = [
      // Page 6 as roman numerals is vi, a country's top-level domain: read as 1, the address was not seen.
      paged(`${run('Reach me at anna.weber @ buyer.')}${complex(' PAGE \\* roman ', '1')}`, 6),
      // The section numbers its pages in roman numerals: PAGE shows vi without a switch.
      paged(`${run('Reach me at anna.weber @ buyer.')}${complex(' PAGE ', '1')}`, 6, 'lowerRoman'),
      // Letters that finish a label (page 10: buyer.m + x), a blank before the dot (removed before too, a
      // guard), a page reference in a section numbered in roman numerals.
      paged(`${run('Reach me at anna.weber @ buyer.m')}<w:fldSimple w:instr=" PAGE \\* roman "/>`, 10),
      paged(`${run('Reach me at anna.weber @ buyer .')}${complex(' PAGE \\* Roman ', '1')}`, 6),
      paged(
        `<w:bookmarkStart w:id="0" w:name="p"/>${run('Reach me at anna.weber @ buyer.')}<w:bookmarkEnd w:id="0"/>${complex(' PAGEREF p ', '1')}`,
        6,
        'upperRoman',
      ),
      // A preface numbered in roman numerals; a handle with an @ before its page number, a sentence's end before another.
      paged(
        `${run('Preface, page ')}${complex(' PAGE ', 'i')}${run(' of ')}${complex(' NUMPAGES \\* roman ', 'iv')}</w:p><w:p>${run('Follow @acme on social media, page ')}${complex(' PAGE \\* roman ', 'vi')}` +
          `</w:p><w:p>${run('Mention @acme.')}</w:p><w:p>${complex(' PAGE ', 'vi')}`,
        6,
        'lowerRoman',
      ),
    ];
    expect(await keptFiles(h, alias, documents, DOCX, 'form.docx')).toEqual([[], [], [], [], [], ['form.docx']]);
  });
});

/** A note reference mark (`footnote` or `endnote`), its number shown as the section numbers them; `custom`: the mark's own text instead. */
const noteMark = (kind: string, id: number, custom = '') =>
  custom
    ? `<w:r><w:${kind}Reference w:customMarkFollows="1" w:id="${id}"/><w:t>${custom}</w:t></w:r>`
    : `<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:${kind}Reference w:id="${id}"/></w:r>`;
const notePr = (kind: string, fmt: string) => `<w:${kind}Pr><w:numFmt w:val="${fmt}"/></w:${kind}Pr>`;

describe("footnote and endnote marks shown as roman numerals or letters that complete the writer's address", () => {
  it('removes a document whose lettered note mark ends the domain after an @, and keeps lettered notes elsewhere', async () => {
    const documents = [
      // The sixth footnote in lowerRoman shows vi, a top-level domain: the mark was read as nothing.
      docx(`${run('Reach me at anna.weber @ buyer.')}${noteMark('footnote', 6)}`, notePr('footnote', 'lowerRoman')),
      // Endnotes are lowerRoman in Word unless the document says otherwise.
      docx(`${run('Reach me at anna.weber @ buyer.')}${noteMark('endnote', 6)}`),
      // Letters that finish a label (buyer.m + the 24th footnote in lowerLetter: x), the format in a section's properties.
      docx(
        `${run('Reach me at anna.weber @ buyer.m')}${noteMark('footnote', 24)}</w:p><w:p><w:pPr><w:sectPr>${notePr('footnote', 'lowerLetter')}</w:sectPr></w:pPr>`,
      ),
      // A cross-reference to a note shows its number in the note's format.
      docx(`${run('Reach me at anna.weber @ buyer.')}${complex(' NOTEREF _Ref1 \\h ', '1')}`, notePr('footnote', 'lowerRoman')),
      // A custom mark is its text (literal): buyer. + example.
      docx(`${run('Reach me at anna.weber @ buyer.')}${noteMark('footnote', 1, 'example')}`),
      // Ordinary: lettered notes after words and after handles, an arabic footnote after a domain.
      docx(
        `${run('See the terms')}${noteMark('endnote', 1)}${run(' and follow @acme on social media')}${noteMark('endnote', 2)}${run('. Thanks to @acme, the team')}${noteMark('endnote', 3)}</w:p>` +
          `<w:p>${run('Our shop: @acme.example')}${noteMark('footnote', 1)}`,
        notePr('footnote', 'decimal'),
      ),
    ];
    expect(await keptFiles(h, alias, documents, DOCX, 'form.docx')).toEqual([[], [], [], [], [], ['form.docx']]);
  });
});

describe("STYLEREF and INDEX fields that complete the writer's address", () => {
  it('removes a document whose STYLEREF or index shows a piece of the address from elsewhere, and keeps a running head', async () => {
    const documents = [
      // Word shows the text of the paragraph in style Contact, '@', not the stored '-'.
      styled(`<w:p>${run('Reach me at anna.weber')}${complex(' STYLEREF Contact ', '-')}${run('buyer.example')}</w:p>${inStyle('Contact', '@')}`),
      // Several paragraphs in the style: which one Word shows is not followed.
      styled(
        `${inStyle('Contact', 'Returns')}<w:p>${run('Reach me at anna.weber')}${complex(' STYLEREF Contact ', '-')}${run('buyer.example')}</w:p>${inStyle('Contact', '@')}`,
      ),
      // An index entry's cross-reference text after the index's separator '@'.
      styled(`<w:p>${run('Reach me at')}${complex(' XE "anna.weber" \\t "buyer.example" ', '')}</w:p><w:p>${complex(' INDEX \\e "@" ', 'Index')}</w:p>`),
      // A letter whose header repeats its one heading.
      styled(
        `${inStyle('Heading1', 'Your return')}<w:p>${run('Dear customer, your parcel arrived.')}</w:p>`,
        `<w:p>${complex(' STYLEREF "Heading 1" \\* MERGEFORMAT ', 'Your return')}</w:p>`,
      ),
    ];
    expect(await keptFiles(h, alias, documents, DOCX, 'form.docx')).toEqual([[], [], [], ['form.docx']]);
  });
});
