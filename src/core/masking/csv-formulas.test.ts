import { describe, expect, it } from 'vitest';
import { csvFormulaTexts, localeReading, opensInSpreadsheet } from './csv-formulas.js';

describe("csvFormulaTexts (what a .csv's formulas show)", () => {
  it.each([
    // A formula cut by a `,` or `;` inside its brackets is read whole (European Excel's `;`).
    ['Item;Price;Total\r\nKettle;20,5;=ROUND(B2;2)\r\n', []],
    ['a,b,=ROUND(B2,2)\r\n', []],
    ['a;=ROUND(B2*1,19;2)\r\n', []],
    ['a;=IF(B2>0;"ja";"nein")\r\n', ['ja', 'nein']],
    ['a;"=ROUND(B2;2)"\r\n', []],
    ['a;=T("x;y")\r\n', ['x;y']],
    // Building an address: shown, so the caller removes the file.
    ['a;=CONCATENATE("bob";"@";"x.de")\r\n', ['bob@x.de']],
    ['a,=CONCATENATE("bob","@","x.de")\r\n', ['bob@x.de']],
    ['a;=IF(1;"bob"&"@x.de";"")\r\n', ['bob@x.de']],
    // Cut with a formula in the pieces after it, or never closed: unreadable, as before.
    ['a;=CONCAT("bob";=T("@x.de"))\r\n', null],
    ['a;=ROUND(B2;2\r\n', null],
    ['a;=SUBSTITUTE("bob#x.de";"#";"@")\r\n', null],
  ] as const)('%j', (csv, shows) => {
    expect(csvFormulaTexts(csv)).toEqual(shows);
  });

  it('reads the `;` locale as formulaShows does', () => {
    expect(localeReading('ROUND(B2*1,19;2)')).toBe('ROUND(B2*1.19,2)');
    expect(localeReading('T("a,b;c")&T("d")')).toBe('T("a,b;c")&T("d")');
    expect(localeReading('IF(A1;"x,y";"z")')).toBe('IF(A1,"x,y","z")');
  });

  it('stays linear on a long line of cut formulas', () => {
    for (const unit of ['=(;', '=("a;', '=(;x;']) expect(() => csvFormulaTexts(unit.repeat(1 << 18))).not.toThrow();
    expect(csvFormulaTexts(`=(${';1'.repeat(1 << 18)}`)).toBeNull();
  });
});

describe('opensInSpreadsheet', () => {
  it.each([
    ['text/csv', 'a.txt', true],
    ['text/plain', 'prices.csv', true],
    ['text/plain', 'prices.tsv.', true],
    ['text/plain', 'orders.xls', true], // round-14 attack: Excel opens text named .xls as tab-separated
    ['text/plain', 'orders.xlt', true], // round-14 last attack: a template or workspace name as .xls
    ['text/plain', 'orders.XLW', true],
    ['text/plain', 'orders.txt', false],
    ['text/plain', 'orders.xlsx', false], // Excel refuses text named .xlsx
  ])('%s named %s: %s', (type, name, want) => expect(opensInSpreadsheet(type, name)).toBe(want));
});
