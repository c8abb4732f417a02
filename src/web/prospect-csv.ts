// Owns reading a prospect list file: `email,name` rows (a header row is fine), read by the same CSV
// reader as the order import — so Excel files with a BOM or in windows-1252, `;` separators and
// quoted names with commas or line breaks all work.
import type { ProspectInput } from '../store/prospects.js';
import { readCsvCells } from './csv-file.js';

const EMAIL = /^[^\s"'<>()[\]\\,;:%!@]+@[a-z0-9.-]+\.[a-z]{2,}$/i;

/** Rows of a prospect file; `line` is the spreadsheet row. Throws CsvUnreadable for a file that is not CSV. */
export function parseProspectCsv(file: Uint8Array | string): { rows: (ProspectInput & { line: number })[]; invalid: { line: number; reason: string }[] } {
  const rows: (ProspectInput & { line: number })[] = [];
  const invalid: { line: number; reason: string }[] = [];
  for (const { row: line, cells } of readCsvCells(file)) {
    const email = (cells[0] ?? '').toLowerCase();
    if (line === 1 && !email.includes('@')) continue; // a header
    if (!EMAIL.test(email)) {
      invalid.push({ line, reason: `not an email address: ${email.slice(0, 60)}` });
      continue;
    }
    rows.push({ email, name: (cells[1] ?? '').replace(/\s+/g, ' ').slice(0, 200), line });
  }
  return { rows, invalid };
}
