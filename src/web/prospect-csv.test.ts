import { describe, expect, it } from 'vitest';
import { parseProspectCsv } from './prospect-csv.js';

describe('parseProspectCsv', () => {
  it('reads email,name rows with a header, quotes holding commas, and reports bad rows by spreadsheet row', () => {
    const r = parseProspectCsv('email,name\npia@buyer.example,Pia\nquin@buyer.example,"Quin, Jr."\nnot-an-address,X\n');
    expect(r.rows).toEqual([
      { email: 'pia@buyer.example', name: 'Pia', line: 2 },
      { email: 'quin@buyer.example', name: 'Quin, Jr.', line: 3 },
    ]);
    expect(r.invalid).toEqual([{ line: 4, reason: 'not an email address: not-an-address' }]);
  });

  it('reads an Excel export: BOM, semicolons, a name with a line break, windows-1252', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('E-Mail;Name\r\nPia@Buyer.example;"Pia\r\nPetersen"\r\n')]);
    expect(parseProspectCsv(new Uint8Array(bom)).rows).toEqual([{ email: 'pia@buyer.example', name: 'Pia Petersen', line: 2 }]);
    const cp1252 = Buffer.from('rene@buyer.example;René Müller\r\n', 'latin1');
    expect(parseProspectCsv(new Uint8Array(cp1252)).rows).toEqual([{ email: 'rene@buyer.example', name: 'René Müller', line: 1 }]);
  });
});
