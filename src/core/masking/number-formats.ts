// Owns reading a spreadsheet's number formats (xl/styles.xml) as Excel shows them: the literal text a
// format puts around a cell's number or text (ECMA-376 Part 1 §18.8.31, numFmt; Excel's "Number
// format codes").
import { decodeXML } from 'entities';
import { NotWhatItClaims } from './not-what-it-claims.js';

// Either quote (XML 1.0 §2.3 AttValue): `formatCode='"anna.weber@"@'` is as valid as with `"`.
const NUMBER_FORMAT = /<(?:\w+:)?numFmt\b[^<>]*?\bformatCode\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
/** Where a format shows the cell's text (`@`) in formatShown's reading. */
export const CELL = '\u0000';
// Text formats with literal text around the cell's text read against every cell text: a sheet with
// more of them, or whose readings would pass 32 MiB, is refused rather than read at length.
const MAX_TEXT_FORMATS = 16;
const MAX_FORMATTED = 32 << 20;

/**
 * A spreadsheet number format as Excel shows it: quoted text and `\x` as they stand, `_x` as a
 * blank, `*x` as x, a colour or condition (`[Red]`, `[>100]`) as nothing, a currency (`[$€-407]`,
 * `[$text]`) as its text, digit placeholders and `General` as 0 (a number's digits), sections on
 * lines of their own, and CELL where the text section shows the cell's text (`@`).
 * `"anna.weber@"@` shows `anna.weber@` before whatever the cell holds; `"anna.weber"0"@buyer.example"`
 * on 7 shows `anna.weber7@buyer.example`, read `anna.weber0@buyer.example` (an address all the same).
 * Date and time codes (`mmm`, `dddd`) are read as their letters.
 */
export function formatShown(code: string): string {
  let out = '';
  for (let k = 0; k < code.length; k++) {
    const c = code[k] as string;
    if (c === '"') {
      const end = code.indexOf('"', k + 1);
      out += code.slice(k + 1, end < 0 ? code.length : end);
      k = end < 0 ? code.length : end;
    } else if (c === '\\' || c === '*') out += code[++k] ?? '';
    else if (c === '_') {
      k++;
      out += ' ';
    } else if (c === '[') {
      const end = code.indexOf(']', k + 1);
      const inside = code.slice(k + 1, end < 0 ? code.length : end);
      // [$text-lcid]: the currency symbol (any text) shown before or after the number.
      if (inside.startsWith('$')) {
        const dash = inside.lastIndexOf('-');
        out += inside.slice(1, dash > 0 ? dash : inside.length);
      }
      k = end < 0 ? code.length : end;
    } else if (c === '@') out += CELL;
    else if (c === ';') out += '\n';
    else if (c === '#' || c === '?') out += '0';
    else if ((c === 'G' || c === 'g') && code.slice(k, k + 7).toLowerCase() === 'general') {
      out += '0';
      k += 6;
    } else out += c;
  }
  return out;
}

/**
 * The texts a spreadsheet shows through its number formats (xl/styles.xml as text, cell formats and the
 * differential ones conditional formatting applies): each format's literal text alone (as on a
 * number), and each text format with literal text around `@` around every cell text, so a format
 * `"anna.weber@"@` on a cell holding `buyer.example` reads `anna.weber@buyer.example`. A text
 * section on a number is never shown: a format without one shows a text cell as it is.
 * Throws NotWhatItClaims past MAX_TEXT_FORMATS such formats or MAX_FORMATTED characters.
 */
export function formattedCells(styles: string | undefined, cellTexts: readonly string[]): string[] {
  if (!styles) return [];
  const out: string[] = [];
  const around = new Set<string>();
  for (const m of styles.matchAll(NUMBER_FORMAT)) {
    const shown = formatShown(decodeXML(m[1] ?? m[2] ?? ''));
    out.push(shown.replaceAll(CELL, '\n'));
    for (const section of shown.split('\n')) if (section.includes(CELL) && section !== CELL) around.add(section);
  }
  if (around.size === 0) return out;
  const all = cellTexts.join('\n');
  if (around.size > MAX_TEXT_FORMATS || around.size * all.length > MAX_FORMATTED)
    throw new NotWhatItClaims('shows its cells through more text formats with text of their own than are read');
  const cells = all.split('\n');
  for (const section of around) out.push(cells.map((cell) => section.replaceAll(CELL, cell)).join('\n'));
  return out;
}
