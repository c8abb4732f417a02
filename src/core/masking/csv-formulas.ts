// Owns reading the formulas of a text file a spreadsheet opens (.csv, .tsv): Excel and LibreOffice
// compute a cell that starts with `=` (or `+`, `-`, `@` before a name) when they open the file, so
// `="anna.weber"&"@"&"buyer.example"` shows an address that the text itself does not hold.
import { EXCEL_TEXT_NAMES, extensionOf } from './part-table.js';
import { formulaShows } from './sheet-formulas.js';

/** True when a text part is one a spreadsheet opens: declared text/csv or tab-separated values, or named `.csv`/`.tsv`/`.xls`/`.xlt`/`.xlw` (trailing dots and blanks dropped, as Windows saves it). */
export function opensInSpreadsheet(type: string, filename: string | null | undefined): boolean {
  const ext = extensionOf(filename);
  // `.xls` (`.xlt`, `.xlw`) too: Excel opens text so named (a web page aside: part-table.ts reads that as HTML) as tab-separated.
  return /^text\/(csv|tab-separated-values)\b/i.test(type.trim()) || ext === 'csv' || ext === 'tsv' || EXCEL_TEXT_NAMES.has(ext ?? '');
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
      let end = nextSeparator(text, i);
      cell = text.slice(i, end);
      // A formula cut inside its brackets or a string by a `,` or `;` (`=ROUND(B2;2)`: the other
      // locale's separator, or its arguments'): read whole, as the reader whose separator it is not
      // reads it, while the pieces after it are no formula; the reader that cuts it there shows a
      // formula it cannot read, which is its own text (masked as text already).
      if (FORMULA_START.test(cell)) {
        const open = new Nesting();
        open.feed(cell);
        let whole = cell;
        let j = end;
        while (open.cut() && j < n && (text.charCodeAt(j) === 0x2c || text.charCodeAt(j) === 0x3b)) {
          const next = nextSeparator(text, j + 1);
          if (FORMULA_START.test(text.slice(j + 1, next))) break;
          open.feed(text.slice(j, next));
          whole += text.slice(j, next);
          j = next;
        }
        if (!open.cut()) {
          cell = whole;
          end = j;
        }
      }
      i = end + 1;
    }
    const m = FORMULA_START.exec(cell);
    if (!m) continue;
    const shows = formulaShows(localeReading(cell.slice(m[0].length - (m[0].endsWith('=') ? 1 : 0)).replace(/^\s*/, '')));
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

/** Brackets and strings open in a formula read piece by piece (each character looked at once). */
class Nesting {
  private depth = 0;
  private quoted = false;
  feed(piece: string): void {
    for (let k = 0; k < piece.length; k++) {
      const c = piece.charCodeAt(k);
      if (c === 0x22) this.quoted = !this.quoted;
      else if (!this.quoted && c === 0x28) this.depth++;
      else if (!this.quoted && c === 0x29) this.depth--;
    }
  }
  /** True while a bracket or a string is open. */
  cut(): boolean {
    return this.quoted || this.depth > 0;
  }
}

/**
 * A formula written in a locale whose argument separator is `;` (German, French, … Excel and
 * LibreOffice: `=ROUND(B2*1,19;2)`, a decimal comma) in the notation formulaShows reads (`,`
 * between arguments, `.` in numbers); a formula without `;` outside its strings as it is.
 */
export function localeReading(formula: string): string {
  let semis = false;
  let quoted = false;
  for (let k = 0; k < formula.length && !semis; k++) {
    const c = formula.charCodeAt(k);
    if (c === 0x22) quoted = !quoted;
    else if (c === 0x3b && !quoted) semis = true;
  }
  if (!semis) return formula;
  let out = '';
  quoted = false;
  for (const ch of formula) {
    if (ch === '"') quoted = !quoted;
    out += quoted ? ch : ch === ';' ? ',' : ch === ',' ? '.' : ch;
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
