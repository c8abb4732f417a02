// Owns reading a spreadsheet's formulas for the text they can show. Excel and LibreOffice compute
// a formula when they open the file (fullCalcOnLoad, or a file another engine saved), so the value
// a file keeps beside it proves nothing: what a formula shows is judged from the formula alone.
// Where an Office part keeps its formulas, and the budget a document's share, is part-formulas.ts.
import { formatShown, CELL } from './number-formats.js';
import { JOINS, NUMERIC, SAME_READING, SELECTORS } from './formula-functions.js';
import { tokenize, Unreadable, type Token } from './formula-tokens.js';

/**
 * What an expression can show. `texts`: the texts it shows that are known from the formula alone
 * (its string literals, CHAR(64) as `@`, a number as `0`, a truth value as TRUE and FALSE), each
 * a possible reading. `verbatim`: it may show another cell's (or name's) value as it stands, which
 * is read where that value is. `built`: it may show text made from something the formula does not
 * hold (another cell joined, rewritten or cut), which nothing here can read. `array`: several values
 * at once (an array constant), which CONCAT and TEXTJOIN join into one.
 */
interface Kind {
  readonly texts: readonly string[];
  readonly verbatim: boolean;
  readonly built: boolean;
  readonly array: boolean;
}

const text = (texts: readonly string[], array = false): Kind => ({ texts, verbatim: false, built: false, array });
const BUILT: Kind = { texts: [], verbatim: false, built: true, array: false };
const VERBATIM: Kind = { texts: [], verbatim: true, built: false, array: false };
const NUM = text(['0']);
const BOOL = text(['TRUE', 'FALSE']);
const EMPTY = text(['']);

/** Readings of one expression past this many are not followed: the formula counts as building text. */
const MAX_READINGS = 64;
/** Excel's longest text (32 767 characters): a longer reading is not built (the formula counts as building). */
const MAX_TEXT = 32767;
/** Excel's own limits: 8 192 characters a formula, 64 levels of nested calls. */
const MAX_FORMULA = 8192;
const MAX_DEPTH = 100;
// Windows-1252's 0x80–0x9F (the rest is Latin-1); 0x81, 0x8D, 0x8F, 0x90 and 0x9D show nothing.
const WINDOWS_1252_C1 = '€\u0000‚ƒ„…†‡ˆ‰Š‹Œ\u0000Ž\u0000\u0000‘’“”•–—˜™š›œ\u0000žŸ';

/** Every reading of `a` followed by one of `b` (Excel's `&`), or BUILT when either is not known. */
function join(a: Kind, b: Kind): Kind {
  if (a.built || b.built || a.verbatim || b.verbatim) return BUILT;
  if (a.texts.length * b.texts.length > MAX_READINGS) return BUILT;
  if (longest(a) + longest(b) > MAX_TEXT) return BUILT;
  return text(
    a.texts.flatMap((x) => b.texts.map((y) => x + y)),
    a.array || b.array,
  );
}

const longest = (k: Kind): number => k.texts.reduce((n, t) => Math.max(n, t.length), 0);

/** What one of several expressions shows (a selector's possible results). */
function either(kinds: readonly Kind[]): Kind {
  const texts = new Set<string>();
  let verbatim = false;
  let array = false;
  for (const k of kinds) {
    if (k.built) return BUILT;
    for (const t of k.texts) texts.add(t);
    verbatim ||= k.verbatim;
    array ||= k.array;
  }
  if (texts.size > MAX_READINGS) return BUILT;
  return { texts: [...texts], verbatim, built: false, array };
}

const COMPARISONS: ReadonlySet<string> = new Set(['=', '<>', '<', '>', '<=', '>=']);
const ARITHMETIC: readonly ReadonlySet<string>[] = [new Set(['+', '-']), new Set(['*', '/']), new Set(['^'])];

/** A recursive-descent reading of one formula's tokens, by Excel's operator precedence. */
class Reader {
  #k = 0;
  #depth = 0;
  readonly #scopes: Map<string, Kind>[] = [];
  constructor(readonly tokens: readonly Token[]) {}

  #peek(): Token | undefined {
    return this.tokens[this.#k];
  }
  #isOp(v: string): boolean {
    return this.#op() === v;
  }
  /** The next token's operator, or '' when it is not one. */
  #op(): string {
    const t = this.tokens[this.#k];
    return t?.t === 'op' ? t.v : '';
  }
  #expect(v: string): void {
    if (!this.#isOp(v)) throw new Unreadable();
    this.#k++;
  }

  formula(): Kind {
    const kind = this.expr();
    if (this.#k !== this.tokens.length) throw new Unreadable();
    return kind;
  }

  expr(): Kind {
    if (++this.#depth > MAX_DEPTH) throw new Unreadable();
    let left = this.#concat();
    while (COMPARISONS.has(this.#op())) {
      this.#k++;
      this.#concat();
      left = BOOL;
    }
    this.#depth--;
    return left;
  }

  #concat(): Kind {
    let left = this.#arith(0);
    while (this.#isOp('&')) {
      this.#k++;
      left = join(left, this.#arith(0));
    }
    return left;
  }

  // Levels: + -, then * /, then ^; their result is a number.
  #arith(level: number): Kind {
    const ops = ARITHMETIC[level] as ReadonlySet<string>;
    let left = level < 2 ? this.#arith(level + 1) : this.#unary();
    while (ops.has(this.#op())) {
      this.#k++;
      if (level < 2) this.#arith(level + 1);
      else this.#unary();
      left = NUM;
    }
    return left;
  }

  #unary(): Kind {
    // Unary + and @ (implicit intersection) leave the value as it is; unary - makes a number.
    if (this.#isOp('-') || this.#isOp('+') || this.#isOp('@')) {
      const minus = this.#isOp('-');
      this.#k++;
      if (++this.#depth > MAX_DEPTH) throw new Unreadable();
      const kind = this.#unary();
      this.#depth--;
      return minus ? NUM : kind;
    }
    let kind = this.#range();
    for (;;) {
      if (this.#isOp('%')) kind = NUM;
      else if (this.#isOp('#'))
        kind = VERBATIM; // a spilled range, A1#
      else break;
      this.#k++;
    }
    return kind;
  }

  // `:` (a range) and a blank between two references (their intersection) make a reference.
  #range(): Kind {
    let kind = this.#primary();
    for (;;) {
      const t = this.#peek();
      if (t?.t === 'op' && t.v === ':') this.#k++;
      else if (!(t?.sp && (t.t === 'ref' || t.t === 'fn' || (t.t === 'op' && t.v === '(')))) break;
      this.#primary();
      kind = VERBATIM;
    }
    return kind;
  }

  #primary(): Kind {
    const t = this.tokens[this.#k++];
    if (!t) throw new Unreadable();
    let kind: Kind;
    if (t.t === 'str') kind = text([t.v]);
    else if (t.t === 'num') kind = NUM;
    else if (t.t === 'bool') kind = BOOL;
    else if (t.t === 'err') kind = EMPTY;
    else if (t.t === 'ref') kind = VERBATIM;
    // Another workbook's cell: the file keeps its last value, but Excel updates it from that
    // workbook (a path or a URL the writer chose) when the reader lets it, so it cannot be read here.
    else if (t.t === 'ext') kind = BUILT;
    else if (t.t === 'param') kind = this.#lookup(t.v);
    else if (t.t === 'fn') kind = this.#call(t.v);
    else if (t.v === '(') {
      kind = this.expr();
      // (A1,B1): a union of references.
      while (this.#isOp(',')) {
        this.#k++;
        this.expr();
        kind = VERBATIM;
      }
      this.#expect(')');
    } else if (t.v === '{') kind = this.#arrayConstant();
    else throw new Unreadable();
    // A call of what an expression returns (a LAMBDA's result, `LAMBDA(x,x&"@")(A1)`): unknown.
    if (this.#isOp('(')) {
      this.#args();
      return BUILT;
    }
    return kind;
  }

  #lookup(name: string): Kind {
    const key = name.toLowerCase();
    for (let s = this.#scopes.length - 1; s >= 0; s--) {
      const kind = this.#scopes[s]?.get(key);
      if (kind) return kind;
    }
    return VERBATIM; // a LAMBDA's parameter: any value
  }

  /** `{1,"a";2,"b"}`: constants only (ECMA-376 Part 1 §18.17.2.2). */
  #arrayConstant(): Kind {
    const texts: string[] = [];
    for (;;) {
      if (this.#isOp('-') || this.#isOp('+')) this.#k++;
      const t = this.tokens[this.#k++];
      if (!t) throw new Unreadable();
      if (t.t === 'str') texts.push(t.v);
      else if (t.t === 'num') texts.push('0');
      else if (t.t === 'bool') texts.push('TRUE', 'FALSE');
      else if (t.t !== 'err') throw new Unreadable();
      if (this.#isOp('}')) break;
      if (!this.#isOp(',') && !this.#isOp(';')) throw new Unreadable();
      this.#k++;
    }
    this.#k++;
    const unique = [...new Set(texts)];
    return unique.length > MAX_READINGS ? BUILT : text(unique, texts.length > 1);
  }

  /** A call's arguments up to its `)`: an omitted one (`IF(A1,,"x")`) shows nothing. */
  #args(bind?: (index: number, kind: Kind) => void): Kind[] {
    this.#expect('(');
    const args: Kind[] = [];
    if (this.#isOp(')')) {
      this.#k++;
      return args;
    }
    for (;;) {
      const kind = this.#isOp(',') || this.#isOp(')') ? EMPTY : this.expr();
      args.push(kind);
      bind?.(args.length - 1, kind);
      if (this.#isOp(')')) break;
      this.#expect(',');
    }
    this.#k++;
    return args;
  }

  #call(written: string): Kind {
    const name = written.toUpperCase().replace(/^(?:_XLFN\.)?(?:_XLWS\.)?/, '');
    if (name === 'LET') return this.#let();
    const args = this.#args();
    if (NUMERIC.has(name)) return NUM;
    const selects = SELECTORS[name];
    if (selects === 'cell') return VERBATIM;
    if (selects) {
      const picked = args.filter((_, i) => selects.includes(i) || (selects[0] === -1 && i > 0) || selects[0] === -2);
      // IF without its third argument shows FALSE when the condition fails.
      if (name === 'IF' && args.length < 3) picked.push(BOOL);
      return either(picked);
    }
    if (name === 'IFS') return either(args.filter((_, i) => i % 2 === 1));
    if (name === 'SWITCH') return either(args.filter((_, i) => (i > 0 && i % 2 === 0) || (i === args.length - 1 && args.length % 2 === 0)));
    if (JOINS.has(name)) return args.some((a) => a.array) ? BUILT : args.reduce(join, EMPTY);
    if (name === 'CHAR' || name === 'UNICHAR') return this.#char(name === 'UNICHAR', args);
    if (name === 'TEXT') return textOf(args[0] ?? EMPTY, args[1] ?? EMPTY);
    if (SAME_READING.has(name) && args.length === 1) return args[0] as Kind;
    // Everything else that shows text makes new text (SUBSTITUTE, MID, TEXTJOIN, REPT, LAMBDA, an
    // add-in's or an unknown function): what it shows cannot be told from the formula.
    return BUILT;
  }

  /**
   * CHAR(64) shows `@`: read as the literal it makes when its argument is a number written out.
   * CHAR is a byte of the system's code page (Windows-1252 on Windows: CHAR(154) is `š`), UNICHAR
   * a code point; anything else shows an error.
   */
  #char(unicode: boolean, args: readonly Kind[]): Kind {
    const before = this.tokens[this.#k - 2];
    const n = before?.t === 'num' && this.tokens[this.#k - 3]?.v === '(' ? Number(before.v) : NaN;
    if (args.length !== 1 || !Number.isInteger(n)) return BUILT;
    if (unicode) return text([n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '']);
    const c = n >= 0x80 && n <= 0x9f ? (WINDOWS_1252_C1[n - 0x80] as string) : n > 0 && n <= 255 ? String.fromCharCode(n) : '';
    return text([c === '\u0000' ? '' : c]);
  }

  /** LET(name, value, …, result): each name stands for what its value shows. */
  #let(): Kind {
    const scope = new Map<string, Kind>();
    this.#scopes.push(scope);
    let name = '';
    const args = this.#args((i, kind) => {
      const t = this.tokens[this.#k - 1];
      if (i % 2 === 0) name = t?.t === 'param' ? t.v.toLowerCase() : '';
      else if (name) scope.set(name, kind);
    });
    this.#scopes.pop();
    return args[args.length - 1] ?? EMPTY;
  }
}

/** TEXT(value, format): a number through the format's sections, a text as it is or through `@`. */
function textOf(value: Kind, format: Kind): Kind {
  if (value.built || format.built || format.verbatim) return BUILT;
  const texts = new Set<string>(value.texts);
  let usesText = false;
  const values = value.texts.length ? value.texts : [''];
  for (const f of format.texts)
    for (const section of formatShown(f).split('\n')) {
      const cells = section.split(CELL).length - 1;
      if (cells) usesText = true;
      if (section.length + cells * longest(value) > MAX_TEXT || texts.size + values.length > MAX_READINGS) return BUILT;
      for (const v of values) texts.add(section.replaceAll(CELL, v));
    }
  if (value.verbatim && usesText) return BUILT;
  if (texts.size > MAX_READINGS) return BUILT;
  return { texts: [...texts], verbatim: value.verbatim, built: false, array: value.array };
}

/**
 * What one formula (as a file stores it: no `=`, A1 references, `_xlfn.` prefixes) can show, as
 * Excel computes it: the texts known from the formula alone, or null when it may show text built
 * from what the formula does not hold — another cell's or a name's value joined (`A2&"@"&A3`,
 * `CONCAT(A2,CHAR(64),A3)`), rewritten or cut (`SUBSTITUTE(…)`, `MID(A2,…)`), or a function not
 * known here. A reference shown as it stands (`=A1`, `=VLOOKUP(…)`) and a number (`=SUM(A1:A3)`)
 * build nothing; a formula that cannot be read counts as building.
 */
export function formulaShows(formula: string): readonly string[] | null {
  if (formula.length > MAX_FORMULA) return null;
  try {
    const kind = new Reader(tokenize(formula.startsWith('=') ? formula.slice(1) : formula)).formula();
    return kind.built ? null : kind.texts;
  } catch (err) {
    if (err instanceof Unreadable || err instanceof RangeError) return null;
    throw err;
  }
}
