// Owns reading the formulas of a text file a spreadsheet opens (.csv, .tsv): Excel and LibreOffice
// compute a cell that starts with `=` (or `+`, `-`, `@` before a name) when they open the file, so
// `="anna.weber"&"@"&"buyer.example"` shows an address that the text itself does not hold.
import { extensionOf } from './part-table.js';
import { formulaShows } from './sheet-formulas.js';

/** True when a text part is one a spreadsheet opens: declared text/csv or tab-separated values, or named `.csv`/`.tsv` (trailing dots and blanks dropped, as Windows saves it). */
export function opensInSpreadsheet(type: string, filename: string | null | undefined): boolean {
  const ext = extensionOf(filename);
  return /^text\/(csv|tab-separated-values)\b/i.test(type.trim()) || ext === 'csv' || ext === 'tsv';
}

/** The texts read from one file's formulas, at most (sheet-formulas.ts reads a workbook's within the same): past it, null. */
const MAX_READ = 32 << 20;

/** A cell Excel reads as a formula: `=…`, or `+`, `-`, `@` before a letter, `(`, `"` or `=` (a number such as `+49 30` or `-5` is not one). */
const FORMULA_START = /^\s*(?:=|[+\-@](?=\s*[A-Za-z_("=]))/;

/**
 * The texts the formula cells of a CSV or TSV text can show (sheet-formulas.ts `formulaShows`), or
 * null when one may show text built from what it does not hold, or cannot be read, or when they show more than 32 MiB of text. Cells are split at
 * each of `,`, `;` and tab (the separator depends on the reader's locale, so every split is taken:
 * a formula cut by one reads as unreadable, never as less than it shows), a cell that starts with `"`
 * unquoted as RFC 4180 §2 says (`""` is `"`; line ends inside it are its own). Linear in the text.
 */
export function csvFormulaTexts(text: string): string[] | null {
  const out: string[] = [];
  let left = MAX_READ;
  let i = 0;
  const n = text.length;
  while (i <= n) {
    // One cell from i.
    let cell: string;
    if (text.charCodeAt(i) === 0x22) {
      let s = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) {
          s += text.slice(j);
          j = n;
          break;
        }
        s += text.slice(j, q);
        if (text.charCodeAt(q + 1) === 0x22) {
          s += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      // Anything after the closing quote up to the separator is the cell's too (as Excel reads it).
      const end = nextSeparator(text, j);
      cell = s + text.slice(j, end);
      i = end + 1;
    } else {
      const end = nextSeparator(text, i);
      cell = text.slice(i, end);
      i = end + 1;
    }
    const m = FORMULA_START.exec(cell);
    if (!m) continue;
    const shows = formulaShows(cell.slice(m[0].length - (m[0].endsWith('=') ? 1 : 0)).replace(/^\s*/, ''));
    if (shows === null) return null;
    for (const s of shows)
      if (s && s !== '0') {
        out.push(s);
        left -= s.length;
      }
    if (left < 0) return null;
  }
  return out;
}

/** The index of the next `,`, `;`, tab or line end from `i`, or the text's length. */
function nextSeparator(text: string, i: number): number {
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x2c || c === 0x3b || c === 0x09 || c === 0x0a || c === 0x0d) return j;
  }
  return text.length;
}
