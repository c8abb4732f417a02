// Owns finding the formulas an Office part keeps (cells, charts, tables, defined names, pivot
// tables, shapes and form controls) and reading what each can show (formulaShows,
// sheet-formulas.ts) under one budget a document.
import { decodeXML } from 'entities';
import { NotWhatItClaims } from './not-what-it-claims.js';
import { formulaShows } from './sheet-formulas.js';

/** The texts read from a document's formulas, at most (one with more is refused, not read at length). */
const MAX_READ = 32 << 20;

// Where an Office part keeps a formula: a cell's (and a chart's, a data validation's: `<c:f>`,
// `<xm:f>`), a table's calculated column and totals row, a defined name (xl/workbook.xml), a pivot
// table's calculated field or item (`formula="…"`), a drawing's shape showing a cell (`textlink`),
// a form control's linked cell, list or text box (`fmlaLink`, `fmlaRange`, `fmlaTxbx`…).
// A legacy form control in a VML drawing keeps its links as elements (`<x:FmlaTxbx>`).
// Its start tag's attribute values may hold `>` and its end tag a blank before `>` (XML 1.0 §3.1).
const FORMULA_ELEMENT = /<((?:\w+:)?(?:f|calculatedColumnFormula|totalsRowFormula|definedName|Fmla\w+))\b(?:[^<>"']|"[^"]*"|'[^']*')*>([^<]*)<\/\1\s*>/g;
const FORMULA_ATTRIBUTE = /\s(?:formula|textlink|fmla\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** Characters the formulas of one document may still show (shared by its parts). */
export interface FormulaBudget {
  left: number;
}
export const formulaBudget = (): FormulaBudget => ({ left: MAX_READ });

/**
 * What the formulas of one spreadsheet part (its XML, CDATA sections already read as text) show:
 * their known texts, one a line. Throws NotWhatItClaims when one may show text built from what it
 * does not hold (formulaShows), or when what all the parts sharing `budget` show passes its characters (MAX_READ).
 */
export function sheetFormulaTexts(xml: string, budget: FormulaBudget = formulaBudget()): string {
  const out: string[] = [];
  const read = (written: string) => {
    // A shared formula's other cells (`<f t="shared" si="0"></f>`) and a data table keep no text.
    if (!written.trim()) return;
    const shows = formulaShows(decodeXML(written));
    if (shows === null)
      throw new NotWhatItClaims('a formula makes text from other cells, which the application shows but nothing here can read, so it does not cross');
    for (const s of shows)
      if (s && s !== '0') {
        out.push(s);
        budget.left -= s.length;
      }
    if (budget.left < 0) throw new NotWhatItClaims('its formulas show more text than is read');
  };
  // A comment or a processing instruction inside a formula's element is no part of it (XML 1.0 §2.5,
  // §2.6): `"anna.weber@"&<!-- x -->A2` is one formula to Excel.
  const bare = withoutCommentsAndPIs(xml);
  for (const m of bare.matchAll(FORMULA_ELEMENT)) read(m[2] as string);
  for (const m of xml.matchAll(FORMULA_ATTRIBUTE)) read(m[1] ?? m[2] ?? '');
  return out.join('\n');
}

/**
 * `xml` without its comments (`<!--…-->`) and processing instructions (`<?…?>`), XML 1.0 §2.5 and
 * §2.6; one never closed is left as it is. CDATA sections must be read as text before (their `<`
 * escaped). Linear: two forward searches a comment.
 */
export function withoutCommentsAndPIs(xml: string): string {
  let out = '';
  let from = 0;
  for (let at = xml.indexOf('<', from); at >= 0; at = xml.indexOf('<', at + 1)) {
    const next = xml.charCodeAt(at + 1);
    const close = next === 0x3f ? '?>' : next === 0x21 && xml.startsWith('<!--', at) ? '-->' : '';
    if (!close) continue;
    const end = xml.indexOf(close, at + (next === 0x3f ? 2 : 4));
    if (end < 0) break;
    out += xml.slice(from, at);
    from = end + close.length;
    at = from - 1;
  }
  return from === 0 ? xml : out + xml.slice(from);
}
