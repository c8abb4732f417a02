import { describe, expect, it } from 'vitest';
import { ooxmlText } from './document-metadata.js';
import { NotWhatItClaims } from './not-what-it-claims.js';
import type { FieldSources } from './word-field-sources.js';
import { fieldsShown } from './word-fields.js';
import { styleTexts } from './word-styles.js';

const STYLES =
  '<w:styles><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>' +
  '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>' +
  '<w:style w:type="paragraph" w:styleId="Contact"><w:name w:val="Contact"/></w:style>' +
  '<w:style w:type="character" w:styleId="Mark"><w:name w:val="Mark"/></w:style></w:styles>';
const p = (style: string, text: string) => `<w:p>${style && `<w:pPr><w:pStyle w:val="${style}"/></w:pPr>`}<w:r><w:t>${text}</w:t></w:r></w:p>`;
const field = (instruction: string, result = '') => `\u0013${instruction}\u0014${result}\u0015`;
const shown = (text: string, parts: string[]) => {
  const sources: FieldSources = { variables: new Map(), properties: new Map(), styles: styleTexts(STYLES, parts, ooxmlText) };
  return fieldsShown(text, sources, true);
};

describe('STYLEREF as the text of the paragraph in its style (styleTexts)', () => {
  it.each([
    [
      'the one paragraph in the style, by its id',
      `anna.weber${field(' STYLEREF Contact ', '-')}buyer.example`,
      [p('Contact', '@')],
      'anna.weber@buyer.example',
    ],
    ['by its name, any case', field(' STYLEREF "Heading 1" \\* MERGEFORMAT ', '-'), [p('Heading1', 'Returns'), p('', 'Body')], 'Returns'],
    [
      'a run in a character style',
      `anna.weber${field(' STYLEREF Mark ')}buyer.example`,
      [`<w:p><w:r><w:rPr><w:rStyle w:val="Mark"/></w:rPr><w:t>@</w:t></w:r></w:p>`],
      'anna.weber@buyer.example',
    ],
    ['a style no paragraph has: its stored result', field(' STYLEREF Contact ', 'Error! No text'), [p('', 'Body')], 'Error! No text'],
    [
      "the paragraph's own style, not a tracked change's former one",
      field(' STYLEREF Contact ', '-'),
      [
        `<w:p><w:pPr><w:pStyle w:val="Contact"/><w:pPrChange><w:pPr><w:pStyle w:val="Heading1"/></w:pPr></w:pPrChange></w:pPr><w:r><w:t>@</w:t></w:r></w:p>`,
        p('Heading1', 'Returns'),
      ],
      '@',
    ],
    ['a paragraph number (\\n): its stored result', field(' STYLEREF "Heading 1" \\n ', '2.'), [p('Heading1', 'A'), p('Heading1', 'B')], '2.'],
  ])('reads %s', (_name, text, parts, expected) => expect(shown(text, parts)).toBe(expected));

  it.each([
    [
      'several paragraphs in the style (which one Word finds is not followed)',
      field(' STYLEREF "Heading 1" ', '-'),
      [p('Heading1', 'Returns'), p('Heading1', '@')],
    ],
    ['a style not known (another language’s name)', field(' STYLEREF "Überschrift 1" ', '-'), [p('Heading1', 'Returns')]],
    ['the default paragraph style: every paragraph without one', field(' STYLEREF Normal ', '-'), [p('', 'a'), p('', 'b')]],
  ])('refuses %s', (_name, text, parts) => expect(() => shown(text, parts)).toThrow(NotWhatItClaims));

  it('stays linear on nested paragraphs: past its budget a STYLEREF is refused', () => {
    const deep = `${'<w:p><w:pPr><w:pStyle w:val="Contact"/></w:pPr>'.repeat(5000)}x${'</w:p>'.repeat(5000)}`;
    const s = styleTexts(STYLES, [deep], ooxmlText);
    expect(s.partial).toBe(true);
  });
});
