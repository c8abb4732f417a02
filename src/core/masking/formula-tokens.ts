// Owns cutting a spreadsheet formula, as a file stores it, into tokens: string literals, numbers,
// truth values, errors, references (sheet-, workbook- and table-qualified), names, function calls
// and operators (ECMA-376 Part 1 §18.17.2).
export interface Token {
  /** ext: a reference into another workbook (`[1]Sheet1!A1`, `'[2]Price list'!B2`). */
  readonly t: 'str' | 'num' | 'bool' | 'err' | 'ref' | 'ext' | 'param' | 'fn' | 'op';
  readonly v: string;
  /** Whitespace stood before it (Excel's intersection operator between two references). */
  readonly sp: boolean;
}

const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[Ee][+-]?\d+)?/y;
const WORD = /[\p{L}\p{M}\p{N}_.$\\?]+/uy;
const ERROR = /#(?:NULL!|DIV\/0!|VALUE!|REF!|NAME\?|NUM!|N\/A|GETTING_DATA|SPILL!|CALC!|FIELD!|BLOCKED!|UNKNOWN!|CONNECT!|BUSY!|PYTHON!)/iy;
const OPERATOR = /<>|<=|>=|[-+*/^&=<>%:@#,;(){}!]/y;

export class Unreadable extends Error {}

/** The end of a `[…]` group at `k` (a table's column, an external workbook's index): nested, `'` escaping. */
function bracketEnd(f: string, k: number): number {
  let depth = 0;
  for (; k < f.length; k++) {
    const c = f[k];
    if (c === "'") k++;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return k + 1;
  }
  throw new Unreadable();
}

/** The formula's tokens (ECMA-376 Part 1 §18.17.2 grammar, A1 references as files store them). */
export function tokenize(f: string): Token[] {
  const out: Token[] = [];
  let k = 0;
  let sp = false;
  const sticky = (re: RegExp): string | null => {
    re.lastIndex = k;
    const m = re.exec(f);
    return m ? m[0] : null;
  };
  while (k < f.length) {
    const c = f[k] as string;
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\u00a0') {
      k++;
      sp = true;
      continue;
    }
    if (c === '"') {
      let v = '';
      for (k++; ; k++) {
        if (k >= f.length) throw new Unreadable();
        if (f[k] === '"') {
          if (f[k + 1] !== '"') break;
          k++;
        }
        v += f[k];
      }
      k++;
      out.push({ t: 'str', v, sp });
    } else if (c === '#' && sticky(ERROR)) {
      const v = sticky(ERROR) as string;
      k += v.length;
      out.push({ t: 'err', v, sp });
    } else if (/\d/.test(c) || (c === '.' && /\d/.test(f[k + 1] ?? ''))) {
      const v = sticky(NUMBER) as string;
      k += v.length;
      out.push({ t: 'num', v, sp });
    } else if (c === "'" || c === '[' || sticky(WORD)) {
      // A reference or a name, a sheet's (quoted or not) and a workbook's before it, a table's columns after it.
      const start = k;
      let plain = true;
      for (;;) {
        if (f[k] === "'") {
          const end = f.indexOf("'", k + 1);
          if (end < 0) throw new Unreadable();
          k = end + 1;
          if (f[k] === "'") continue; // '' inside a quoted sheet name
          plain = false;
        } else if (f[k] === '[') {
          k = bracketEnd(f, k);
          plain = false;
        } else if (f[k] === '!') {
          k++;
          plain = false;
          const e = sticky(ERROR);
          if (e) k += e.length;
        } else {
          const w = sticky(WORD);
          if (!w) break;
          k += w.length;
        }
      }
      if (k === start) throw new Unreadable();
      const v = f.slice(start, k);
      // A name then `(` is a call, also with blanks between (LibreOffice reads `CONCAT (A2,A3)` as one;
      // Excel's intersection of a name and a bracketed reference is rare enough to read as a call).
      let next = k;
      while (f[next] === ' ' || f[next] === '\n' || f[next] === '\r' || f[next] === '\t') next++;
      const t = !plain
        ? /^'?\[[1-9]\d*\]/.test(v)
          ? 'ext'
          : 'ref'
        : f[next] === '('
          ? 'fn'
          : /^(TRUE|FALSE)$/i.test(v)
            ? 'bool'
            : /^_xlpm\./i.test(v)
              ? 'param'
              : 'ref';
      out.push({ t, v, sp });
    } else {
      const v = sticky(OPERATOR);
      if (!v) throw new Unreadable();
      k += v.length;
      out.push({ t: 'op', v, sp });
    }
    sp = false;
  }
  return out;
}
