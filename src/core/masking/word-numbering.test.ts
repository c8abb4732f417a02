import { strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ooxmlText } from './document-metadata.js';
import { NotWhatItClaims } from './not-what-it-claims.js';
import { wordNumbering } from './word-numbering.js';

const level = (ilvl: number, text: string, suff = '', fmt = 'decimal') =>
  `<w:lvl w:ilvl="${ilvl}"><w:numFmt w:val="${fmt}"/><w:lvlText w:val="${text}"/>${suff && `<w:suff w:val="${suff}"/>`}</w:lvl>`;
const abstract = (id: number, levels: string) => `<w:abstractNum w:abstractNumId="${id}">${levels}</w:abstractNum>`;
const num = (id: number, abstractId: number, overrides = '') => `<w:num w:numId="${id}"><w:abstractNumId w:val="${abstractId}"/>${overrides}</w:num>`;
const numPr = (numId: number, ilvl = 0) => `<w:numPr><w:ilvl w:val="${ilvl}"/><w:numId w:val="${numId}"/></w:numPr>`;
const p = (pPr: string, text: string) => `<w:p>${pPr && `<w:pPr>${pPr}</w:pPr>`}<w:r><w:t>${text}</w:t></w:r></w:p>`;

/** The body as shown with its labels, from numbering.xml and styles.xml. */
function shown(body: string, numbering: string, styles = ''): string {
  const read = wordNumbering({ 'word/numbering.xml': strToU8(numbering), 'word/styles.xml': strToU8(styles) });
  return ooxmlText((read ?? ((x: string) => x))(body)).trim();
}

const atLabel = abstract(0, level(0, 'anna.weber@', 'nothing')) + num(1, 0);

describe('Word list labels before their paragraphs (wordNumbering)', () => {
  it.each([
    ['a literal label, nothing after it', p(numPr(1), 'buyer.example'), atLabel, '', 'anna.weber@buyer.example'],
    ['a placeholder in a label', p(numPr(1), 'buyer.example'), abstract(0, level(0, 'anna.webe%1@', 'nothing')) + num(1, 0), '', 'anna.webe1@buyer.example'],
    [
      'a level shown as none',
      p(numPr(1), 'buyer.example'),
      abstract(0, level(0, 'anna.weber@%1', 'nothing', 'none')) + num(1, 0),
      '',
      'anna.weber@buyer.example',
    ],
    [
      'a level shown as letters',
      p(numPr(1), 'nna.weber@buyer.example'),
      abstract(0, level(0, '%1', 'nothing', 'lowerLetter')) + num(1, 0),
      '',
      'anna.weber@buyer.example',
    ],
    [
      'character references, single quotes',
      p(numPr(1), 'buyer.example'),
      abstract(0, "<w:lvl w:ilvl='0'><w:lvlText w:val='anna.weber&#64;'/><w:suff w:val='nothing'/></w:lvl>") + num(1, 0),
      '',
      'anna.weber@buyer.example',
    ],
    [
      'a level replaced in the num',
      p(numPr(2), 'buyer.example'),
      abstract(0, level(0, '%1.')) + num(2, 0, `<w:lvlOverride w:ilvl="0">${level(0, 'anna.weber@', 'nothing')}</w:lvlOverride>`),
      '',
      'anna.weber@buyer.example',
    ],
    [
      "the paragraph's style",
      p('<w:pStyle w:val="Contact"/>', 'buyer.example'),
      atLabel,
      `<w:style w:type="paragraph" w:styleId="Contact"><w:pPr>${numPr(1)}</w:pPr></w:style>`,
      'anna.weber@buyer.example',
    ],
    [
      'a style it is based on',
      p('<w:pStyle w:val="Mine"/>', 'buyer.example'),
      atLabel,
      `<w:style w:styleId="Mine"><w:basedOn w:val="Contact"/></w:style><w:style w:styleId="Contact"><w:pPr>${numPr(1)}</w:pPr></w:style>`,
      'anna.weber@buyer.example',
    ],
    [
      'the default paragraph style, no pPr',
      '<w:p><w:r><w:t>buyer.example</w:t></w:r></w:p>',
      atLabel,
      `<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:pPr>${numPr(1)}</w:pPr></w:style>`,
      'anna.weber@buyer.example',
    ],
    [
      "a list whose levels are a numbering style's (numStyleLink)",
      p(numPr(1), 'buyer.example'),
      abstract(0, '<w:numStyleLink w:val="Linked"/>') +
        abstract(1, '<w:styleLink w:val="Linked"/>' + level(0, 'anna.weber@', 'nothing')) +
        num(1, 0) +
        num(2, 1),
      `<w:style w:type="numbering" w:styleId="Linked"><w:pPr>${numPr(2)}</w:pPr></w:style>`,
      'anna.weber@buyer.example',
    ],
    [
      'in a text box inside a paragraph',
      `<w:p><w:r><w:txbxContent>${p(numPr(1), 'buyer.example')}</w:txbxContent></w:r></w:p>`,
      atLabel,
      '',
      'anna.weber@buyer.example',
    ],
    [
      'under another prefix, or none (a default namespace): Word reads the namespace',
      '<x:p><x:pPr><numPr><ilvl x:val="0"/><numId x:val="1"/></numPr></x:pPr><x:r><x:t>buyer.example</x:t></x:r></x:p>',
      '<abstractNum x:abstractNumId="0"><lvl x:ilvl="0"><lvlText x:val="anna.weber@"/><suff x:val="nothing"/></lvl></abstractNum><n:num n:numId="1"><n:abstractNumId n:val="0"/></n:num>',
      '',
      'anna.weber@buyer.example',
    ],
    [
      "a value holding '>', a decoy val inside another attribute's value",
      p(numPr(1), 'buyer.example'),
      abstract(0, `<w:lvl w:ilvl="0" w:x=">"><w:lvlText w:x=' w:val="1."' w:val="anna.weber@"/><w:suff w:val="nothing"/></w:lvl>`) + num(1, 0),
      '',
      'anna.weber@buyer.example',
    ],
  ])('reads %s', (_name, body, numbering, styles, expected) => expect(shown(body, numbering, styles)).toBe(expected));

  // Ordinary lists: their labels read before their text, apart from it unless the level says nothing.
  it.each([
    ['a numbered list, a tab after', p(numPr(1), 'Return the parcel'), abstract(0, level(0, '%1.')) + num(1, 0), '', '1. Return the parcel'],
    [
      'a second level, nothing after',
      p(numPr(1, 1), 'shop.example'),
      abstract(0, level(0, '%1.') + level(1, '%1.%2', 'nothing')) + num(1, 0),
      '',
      '1.1shop.example',
    ],
    ['a bullet', p(numPr(1), 'Keep the receipt'), abstract(0, level(0, '•', 'space', 'bullet')) + num(1, 0), '', '&#x2022; Keep the receipt'],
    ['numId 0: no numbering', p(numPr(0), 'buyer.example'), atLabel + num(0, 0), '', 'buyer.example'],
    ['a paragraph not in a list', p('', 'buyer.example'), atLabel, '', 'buyer.example'],
    ['a numId no num names', p(numPr(7), 'buyer.example'), atLabel, '', 'buyer.example'],
    [
      'a paragraph property named like a paragraph (pPrChange, pStyle) is no paragraph',
      `<w:p><w:pPr><w:pStyle w:val="p"/></w:pPr><w:r><w:t>Terms</w:t></w:r></w:p>`,
      atLabel,
      '',
      'Terms',
    ],
    ["a tracked change's former numbering", p(`<w:pPrChange w:id="1"><w:pPr>${numPr(1)}</w:pPr></w:pPrChange>`, 'buyer.example'), atLabel, '', 'buyer.example'],
  ])('keeps %s', (_name, body, numbering, styles, expected) => expect(shown(body, numbering, styles)).toBe(expected));

  it('refuses a label with an @ before letters Word counts, keeps one with digits', () => {
    const at = (fmt: string) =>
      abstract(
        0,
        `<w:lvl w:ilvl="0"><w:start w:val="5"/><w:numFmt w:val="${fmt}"/><w:lvlText w:val="anna.weber @ buyer.exampl%1"/><w:suff w:val="nothing"/></w:lvl>`,
      ) + num(1, 0);
    for (const fmt of ['lowerLetter', 'upperRoman', 'cardinalText']) expect(() => shown(p(numPr(1), ''), at(fmt)), fmt).toThrow(NotWhatItClaims);
    expect(shown(p(numPr(1), ''), at('decimal'))).toBe('anna.weber @ buyer.exampl1');
    expect(shown(p(numPr(1), 'Returns'), abstract(0, level(0, '(%1)', '', 'lowerLetter')) + num(1, 0))).toBe('(a) Returns');
  });

  it('reads nothing without a numbering part, and refuses labels longer than the document', () => {
    expect(wordNumbering({})).toBeNull();
    const read = wordNumbering({ 'word/numbering.xml': strToU8(abstract(0, level(0, 'x'.repeat(500))) + num(1, 0)) });
    expect(() => read?.(p(numPr(1), 'a'))).toThrow(NotWhatItClaims);
  });
});
