import { describe, expect, it } from 'vitest';
import { CsvUnreadable, MAX_CSV_COLUMNS, readCsvCells, readCsvTable } from './csv-file.js';

describe('a CSV file costs bounded time and memory however it is shaped', () => {
  it('refuses a header with more columns than any export has, with a sentence, before reading the rows', () => {
    // 5 000 columns × every data row was one object of 5 000 cells each: a 200 KB file of 200 000
    // columns and 2 000 rows held the event loop for minutes.
    const text = 'email' + ','.repeat(MAX_CSV_COLUMNS + 5000) + '\n' + 'a@b.example\n'.repeat(10);
    expect(() => readCsvTable(text)).toThrow(CsvUnreadable);
    expect(() => readCsvTable(text)).toThrow(/columns/);
    expect(() => readCsvCells(text)).toThrow(/columns/);
  });

  it('refuses a data row with too many columns too', () => {
    const text = 'email,name\n' + 'a@b.example' + ';x,'.repeat(MAX_CSV_COLUMNS) + '\n';
    expect(() => readCsvCells(text)).toThrow(/columns/);
  });

  it('refuses one very long line instead of holding it whole', () => {
    expect(() => readCsvCells('x'.repeat(5_000_000))).toThrow(CsvUnreadable);
  });

  it('still reads a file at the column limit', () => {
    const header = Array.from({ length: MAX_CSV_COLUMNS }, (_, i) => `c${i}`).join(',');
    const t = readCsvTable(`${header}\n${'v,'.repeat(MAX_CSV_COLUMNS - 1)}v\n`);
    expect(t.header.length).toBe(MAX_CSV_COLUMNS);
    expect(t.rows[0]?.cells.c0).toBe('v');
  });
});
