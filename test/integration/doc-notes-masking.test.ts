// A .doc (Word 97–2003) whose address stands only outside its main text: in a footnote, a header or
// footer, a comment, or joined by a note's reference mark or a page number, whose formats (letters,
// roman numerals) a .doc's reader does not follow. Word keeps all its text in one piece table
// ([MS-DOC] 2.4.1), read whole (doc-text.ts), and a mark or a PAGE field where a domain goes on
// removes the file (word-fields.ts fieldsShown, word97); ordinary notes and page numbers are kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/gateway.js';
import { keptFiles, startMaskingPair } from '../helpers/tagged-send.js';
import { b64 } from '../fixtures/masking-mail.js';
import { DOC, KIM, wordFile } from '../fixtures/legacy-office.js';

let h: Harness;
let alias: string;
beforeAll(async () => ({ h, alias } = await startMaskingPair()));
afterAll(() => h.close());

const MAIN = 'Return label for A-1001\u0002\r';

describe('a .doc with an address outside its main text', () => {
  it('removes one whose footnote, header, footer or comment holds an address, or whose note mark or page number joins one, and keeps ordinary ones', async () => {
    const files = [
      // Footnote text (after the main text in the CP range), a header, a footer, a comment (its mark U+0005).
      wordFile([MAIN, `\u0002 Ask ${KIM}\r`]),
      wordFile([MAIN, '\r', `Acme Store - ${KIM}\r\r`]),
      wordFile([MAIN, '\r', '\r', `Page \u0013 PAGE \u00141\u0015 - ${KIM}\r`]),
      wordFile(['Return label\u0005 for A-1001\r', `\u0005 write to ${KIM}\r`]),
      // A note's mark or a page number where the domain goes on (numbered in letters: `e`, `m`).
      wordFile([`Write to kim.lee@partner.exampl\u0002\r`, '\u0002 see terms\r']),
      wordFile([`Write to kim.lee@partner.exa\u0013 PAGE \u0014m\u0015ple\r`]),
      // Kept: ordinary notes, a comment, page numbers.
      wordFile(['Kettle 2 pcs @ 19.99 EUR\u0002\r', '\u0002 Prices in EUR\r', 'Page \u0013 PAGE \u00141\u0015 of \u0013 NUMPAGES \u00142\u0015\r']),
      wordFile(['Return label\u0005 for A-1001\r', '\u0005 looks fine\r']),
    ];
    expect(await keptFiles(h, alias, files.map(b64), DOC, 'label.doc')).toEqual([[], [], [], [], [], [], ['label.doc'], ['label.doc']]);
  }, 60_000);
});
