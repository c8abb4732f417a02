import { strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ooxmlText } from './document-metadata.js';
import { NotWhatItClaims } from './not-what-it-claims.js';
import { wordBindings } from './word-bindings.js';

const STORE = '{11111111-2222-3333-4444-555555555555}';
const CORE = '{6C3C8BC8-F283-45AE-878A-BAB7291924A1}';
const run = (t: string) => `<w:r><w:t>${t}</w:t></w:r>`;
/** An inline content control bound to `xpath` in `store`, its stored text `stored`. */
const bound = (xpath: string, stored: string, store = STORE, extra = '') =>
  `<w:sdt><w:sdtPr>${extra}<w:dataBinding w:prefixMappings="xmlns:ns0='urn:x'" w:xpath="${xpath}" w:storeItemID="${store}"/></w:sdtPr><w:sdtContent>${run(stored)}</w:sdtContent></w:sdt>`;
const files = (item: string, more: Record<string, string> = {}) => ({
  'customXml/item1.xml': strToU8(item),
  'customXml/itemProps1.xml': strToU8(`<ds:datastoreItem ds:itemID="${STORE}" xmlns:ds="urn:ds"/>`),
  'word/document.xml': strToU8('dataBinding'),
  ...Object.fromEntries(Object.entries(more).map(([k, v]) => [k, strToU8(v)])),
});
/** A paragraph as Word shows it with its bindings read. */
const shown = (body: string, f: ReturnType<typeof files>) => ooxmlText((wordBindings(f) ?? ((x: string) => x))(`<w:p>${body}</w:p>`)).trim();

describe("Word's data-bound content controls as Word shows them (wordBindings)", () => {
  it.each([
    [
      'the bound value, not the stored text',
      `${run('anna.weber')}${bound('/ns0:root[1]/ns0:at[1]', '-')}${run('buyer.example')}`,
      files('<root xmlns="urn:x"><at>@</at></root>'),
      'anna.weber@buyer.example',
    ],
    [
      'an entity in the value, another prefix',
      bound('/r:root/r:mail', 'x'),
      files('<r:root xmlns:r="urn:x"><r:mail>anna.weber&#64;buyer.example</r:mail></r:root>'),
      'anna.weber@buyer.example',
    ],
    [
      "an empty value: its placeholder's building block",
      `${run('anna.weber')}${bound('/root[1]/at[1]', '-', STORE, '<w:placeholder><w:docPart w:val="AtText"/></w:placeholder>')}${run('buyer.example')}`,
      files('<root><at/></root>', {
        'word/glossary/document.xml': `<w:glossaryDocument><w:docParts><w:docPart><w:docPartPr><w:name w:val="AtText"/></w:docPartPr><w:docPartBody><w:p>${run('@')}</w:p></w:docPartBody></w:docPart></w:docParts></w:glossaryDocument>`,
      }),
      'anna.weber@\nbuyer.example',
    ],
    [
      'a store not found: any store',
      bound('/root/at', '-', '{00000000-0000-0000-0000-000000000000}'),
      files('<root><at>anna.weber@buyer.example</at></root>'),
      'anna.weber@buyer.example',
    ],
    [
      "a list item's display text for the bound value",
      `${run('anna.weber')}${bound('/root/at', '-', STORE, '<w:dropDownList><w:listItem w:displayText="-" w:value="1"/><w:listItem w:displayText="@" w:value="2"/></w:dropDownList>')}${run('buyer.example')}`,
      files('<root><at>2</at></root>'),
      'anna.weber@buyer.example',
    ],
    [
      "a date through its format's quoted text",
      `${run('anna.weber')}${bound('/root/d', '-', STORE, `<w:date><w:dateFormat w:val="'@'"/></w:date>`)}${run('buyer.example')}`,
      files('<root><d>2026-11-30T00:00:00</d></root>'),
      'anna.weber@buyer.example',
    ],
    [
      "a check box's checked character",
      `${run('anna.weber')}${bound('/root/c', '-', STORE, '<w14:checkbox><w14:checked w14:val="1"/><w14:checkedState w14:val="0040" w14:font="Arial"/><w14:uncheckedState w14:val="2610"/></w14:checkbox>')}${run('buyer.example')}`,
      files('<root><c>true</c></root>'),
      'anna.weber@buyer.example',
    ],
    [
      "the item its properties' relationship names, not the item of the same number",
      `${run('anna.weber')}${bound('/root/at', '-')}${run('buyer.example')}`,
      {
        ...files('<root><at>-</at></root>'),
        'customXml/other.xml': strToU8('<root><at>@</at></root>'),
        'customXml/_rels/other.xml.rels': strToU8(
          '<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps" Target="../customXml/./itemProps1.xml"/></Relationships>',
        ),
      },
      'anna.weber@buyer.example',
    ],
    [
      'a value in a CDATA section, a tag inside it',
      bound('/root/at', '-'),
      files('<root><at><![CDATA[<b>anna.weber@buyer.example</b>]]></at></root>'),
      '&lt;b&gt;anna.weber@buyer.example&lt;/b&gt;',
    ],
  ])('reads %s', (_name, body, f, expected) => expect(shown(body, f)).toBe(expected));

  it.each([
    [
      'a title bound to the core properties',
      bound('/ns1:coreProperties[1]/ns0:title[1]', 'Old title', CORE),
      { ...files('<root/>'), 'docProps/core.xml': strToU8('<cp:coreProperties><dc:title>Return form</dc:title></cp:coreProperties>') },
      'Return form',
    ],
    ['a path the store does not hold: the stored text', bound('/root/none', 'Order A-1001'), files('<root><at>@</at></root>'), 'Order A-1001'],
    [
      'a date in an ordinary format',
      bound('/root/d', '-', STORE, '<w:date><w:dateFormat w:val="d MMMM yyyy"/></w:date>'),
      files('<root><d>2026-11-30</d></root>'),
      'd MMMM yyyy',
    ],
    ['an unchecked box', bound('/root/c', '-', STORE, '<w14:checkbox/>'), files('<root><c>false</c></root>'), '&#x2610;'],
    [
      'a control without a binding',
      `<w:sdt><w:sdtPr/><w:sdtContent>${run('Order A-1001')}</w:sdtContent></w:sdt>`,
      files('<root><at>@</at></root>'),
      'Order A-1001',
    ],
  ])('keeps %s', (_name, body, f, expected) => expect(shown(body, f)).toBe(expected));

  it.each([
    ['an XPath that is not plain steps', bound('/root/at[@kind=&quot;x&quot;]', '-')],
    ['an attribute', bound('/root/@at', '-')],
    ['a path the store holds with two texts', bound('/root/at[2]', '-')],
  ])('refuses %s', (_name, body) => expect(() => shown(body, files('<root><at>a</at><at>@</at></root>'))).toThrow(NotWhatItClaims));

  it('reads nothing when no part binds, and a stored content never closed as it is', () => {
    expect(wordBindings({ 'word/document.xml': strToU8('<w:p/>') })).toBeNull();
    const open = `<w:sdt><w:sdtPr><w:dataBinding w:xpath="/root/at"/></w:sdtPr><w:sdtContent>${run('x')}`;
    expect(shown(open, files('<root><at>@</at></root>'))).toBe('x');
  });
});
