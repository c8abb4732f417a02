// Owns reading Word's fields as Word computes them. Word updates a field when the document asks
// (`<w:updateFields/>` in settings.xml, a field marked `w:dirty`), when it prints (every field not
// locked) and on F9, and DATE and TIME on every opening: the result a file keeps beside the field
// proves nothing, as a spreadsheet's cached value does not (sheet-formulas.ts).
import { decodeXML } from 'entities';
import { NotWhatItClaims } from './not-what-it-claims.js';
import type { StyleTexts } from './word-styles.js';
import { attributeOf, TAG_BODY } from './xml-attributes.js';

/** Where a field's text can come from besides the field itself: `w:docVars` and the document's properties. */
export interface FieldSources {
  /** DOCVARIABLE: settings.xml's `<w:docVar w:name w:val>`, by name lowercased. */
  readonly variables: ReadonlyMap<string, string>;
  /** DOCPROPERTY, AUTHOR, TITLE…: core, app and custom properties (as cleaned), by name lowercased. */
  readonly properties: ReadonlyMap<string, string>;
  /** A section numbers its pages as letters or words (`<w:pgNumType w:fmt="lowerLetter"/>`): PAGE shows them. */
  readonly pageLetters?: boolean;
  /** A section numbers its pages in roman numerals (`w:fmt="lowerRoman"`): PAGE and page references show them. */
  readonly pageRoman?: boolean;
  /** Footnotes or endnotes are numbered in letters or roman numerals (noteFormats): NOTEREF shows their number so. */
  readonly noteLetters?: boolean;
  /**
   * REF: each bookmark's text as Word shows it (its fields read), by name lowercased; null when the
   * bookmarks are not read (a .doc whose piece table or bookmark tables cannot be read: REF is
   * refused). `partial`: some were not read (past the budget), so a REF to a name not here is refused.
   */
  readonly bookmarks?: { readonly texts: ReadonlyMap<string, string>; readonly partial: boolean } | null;
  /** FILENAME: the file's name as it is attached (what the reader saves it as); absent: not known, read as nothing of the writer's. */
  readonly fileName?: string;
  /** TEMPLATE: a docx's attached template as its settings relationship names it (`Normal.dotm` without one); absent: not read (a .doc), so the field is refused. */
  readonly template?: string;
  /** A .doc: its variables, styles, note and page formats and list levels are not read (fieldsShown refuses what shows them). */
  readonly word97?: boolean;
  /** STYLEREF: the texts in each style (word-styles.ts); null or absent when not read (a .doc). */
  readonly styles?: StyleTexts | null;
}

// A field's kind, by its first word ([MS-DOC] 2.9.90 flt, ECMA-376 Part 1 §17.16.5). RESULT: Word
// shows its stored result, or a number, a date or a page's text nothing in the field writes (a
// bookmark's text — REF, PAGEREF, a bare bookmark name — is in the document already; MERGEFIELD
// updates only in a merge, from its data source). UNKNOWABLE: text from a file, a web address, a
// prompt, a merge's data source, a condition or a bookmark the field sets, which nothing here reads.
const RESULT: ReadonlySet<string> = new Set(
  (
    'ADDIN ADVANCE AUTONUM AUTONUMLGL AUTONUMOUT BARCODE BIBLIOGRAPHY BIDIOUTLINE CITATION COMPARE DISPLAYBARCODE EMBED ' +
    'FILENAME FILESIZE FORMCHECKBOX FORMDROPDOWN FORMTEXT HYPERLINK INDEX LISTNUM MERGEBARCODE MERGEREC MERGESEQ NEXT NEXTIF ' +
    'NOTEREF NUMCHARS NUMPAGES NUMWORDS PAGE PAGEREF PRINT PRIVATE RD REF REVNUM SECTION SECTIONPAGES SEQ SHAPE SKIPIF ' +
    'STYLEREF TA TC TEMPLATE TOA TOC XE CONTROL HTMLCONTROL DATA'
  ).split(' '),
);
const DATES: ReadonlySet<string> = new Set(['DATE', 'TIME', 'CREATEDATE', 'SAVEDATE', 'PRINTDATE', 'EDITTIME']);
// The reader's own name, initials and address, or the literal the field sets them to (and shows).
const USER: ReadonlySet<string> = new Set(['USERNAME', 'USERINITIALS', 'USERADDRESS']);
// A property's value Word reads as a date (`2026-11-30T10:00:00Z`) or a number: its picture shows instead.
const DATE_VALUE = /^\d{4}-\d\d-\d\d/;
const NUMBER_VALUE = /^[-+]?[\d.,]+$/;
// Properties a field shows by its own name; each sets the property to a literal argument, and shows it.
const PROPERTIES: Readonly<Record<string, string>> = {
  AUTHOR: 'author',
  TITLE: 'title',
  SUBJECT: 'subject',
  KEYWORDS: 'keywords',
  COMMENTS: 'comments',
  LASTSAVEDBY: 'lastsavedby',
};
const UNKNOWABLE: ReadonlySet<string> = new Set(
  'ADDRESSBLOCK ASK AUTOTEXT AUTOTEXTLIST DATABASE DDE DDEAUTO EQ FILLIN GLOSSARY GREETINGLINE IF IMPORT INCLUDE INCLUDEPICTURE INCLUDETEXT LINK SET'.split(
    ' ',
  ),
);
// Fields read below by their own rule (not a bookmark's name).
const KNOWN: ReadonlySet<string> = new Set([
  ...DATES,
  ...USER,
  ...Object.keys(PROPERTIES),
  'SYMBOL',
  'QUOTE',
  'MACROBUTTON',
  'GOTOBUTTON',
  'MERGEFIELD',
  'DOCVARIABLE',
  'DOCPROPERTY',
  'INFO',
  'LISTNUM',
  'AUTONUMOUT',
]);
// Word reads a first word that names no field as a bookmark's name (a REF).
const BOOKMARK = /^[\p{L}_][\p{L}\p{N}_]{0,39}$/u;

/** Nesting deeper than Word's own limit (20 levels) is not followed. */
const MAX_DEPTH = 32;

interface Token {
  readonly text: string;
  readonly switch: boolean;
}

// A quoted argument (`\"` and `\\` escaped inside), a switch (`\@`, `\*`), or a bare word.
const FIELD_TOKEN = /"((?:[^"\\]|\\.)*)"?|(\\\S)|([^\s"]+)/gs;

function tokens(instruction: string): Token[] {
  const out: Token[] = [];
  for (const m of instruction.matchAll(FIELD_TOKEN)) {
    if (m[2] !== undefined) out.push({ text: m[2], switch: true });
    else out.push({ text: m[1] !== undefined ? m[1].replace(/\\(.)/gs, '$1') : (m[3] as string), switch: false });
  }
  return out;
}

/** The arguments before the first switch, and each switch's argument by the switch (`\@`, `\b`). */
function parts(list: readonly Token[]): { args: string[]; switches: Map<string, string>; formats: string[] } {
  const args: string[] = [];
  const switches = new Map<string, string>();
  // Every `\*` format (a field may carry several: `\* alphabetic \* MERGEFORMAT`), lowercased.
  const formats: string[] = [];
  for (let k = 1; k < list.length; k++) {
    const t = list[k] as Token;
    if (t.switch) {
      const next = list[k + 1];
      const value = next && !next.switch ? next.text : '';
      switches.set(t.text.toLowerCase(), value);
      if (t.text === '\\*') formats.push(value.toLowerCase());
      if (next && !next.switch) k++;
    } else if (switches.size === 0) args.push(t.text);
  }
  return { args, switches, formats };
}

// Formats that show a number as letters (ECMA-376 Part 1 §17.16.4.3: 18 `\* alphabetic` is r,
// `\* CardText` eighteen): a piece of a name from a number Word computes (a formula, SEQ \r, a page).
const LETTERS: ReadonlySet<string> = new Set(['alphabetic', 'roman', 'cardtext', 'ordtext', 'dollartext', 'hex']);
// Fields that list page numbers (PAGEREF's one, an index's, a table of contents' or authorities').
const PAGE_LISTS: ReadonlySet<string> = new Set(['PAGEREF', 'INDEX', 'TOC', 'TOA']);
// What an index's separators may hold: nothing that can be part of an address.
const SEPARATOR = /^[\s,;:\p{Pd}]*$/u;
// Roman page numbers (a report's front matter) are kept.
const PAGES: ReadonlySet<string> = new Set(['PAGE', 'NUMPAGES', 'SECTIONPAGES', 'SECTION']);

/** A date or number picture (`\@ "d MMMM yyyy"`, `\# "0.00 'EUR'"`) as the text it shows: its quoted text as it is. */
const picture = (p: string): string => p.replace(/'/g, '');

// In a number picture's section, what shows no text of its own: digit placeholders, the thousands
// separator, signs, parentheses, percent, currency, dashes and blanks (ECMA-376 Part 1 §17.16.4.2),
// in quotes or not. None of these completes an address where the first section shows a digit.
const NUMBER_MARKS = /[0#x,+()%\s\p{Sc}\p{Pd}]/gu;

/**
 * A number picture (`\#`) as the text it shows: its first section's (`;` outside quotes parts the
 * positive, negative and zero sections), quotes dropped. Null when another section shows other text
 * (`0;0;'@'`: the zero section's `@`, shown by `SEQ x \c` before any x, or `= 0`), which one reading
 * cannot hold beside the first; a section with no text (`#,##0.00;(#,##0.00);'—'`) agrees with any.
 * Linear in the picture.
 */
function numberPicture(p: string): string | null {
  const sections = [''];
  let quoted = false;
  for (const c of p) {
    if (c === "'") quoted = !quoted;
    if (c === ';' && !quoted) sections.push('');
    else sections[sections.length - 1] += c;
  }
  const text = (section: string) => section.replace(/'/g, '').replace(NUMBER_MARKS, '');
  const first = sections[0] as string;
  // A section with no text of its own shows only marks, as the first section's reading shows digits.
  return sections.every((section) => text(section) === '' || text(section) === text(first)) ? picture(first) : null;
}

/** SYMBOL n: decimal or 0x hexadecimal; a symbol font's F0xx shows xx. */
function symbol(arg: string | undefined): string {
  if (!arg) return '';
  const n = /^0x[0-9a-f]+$/i.test(arg) ? parseInt(arg.slice(2), 16) : /^\d+$/.test(arg) ? parseInt(arg, 10) : NaN;
  if (!(n >= 0 && n <= 0x10ffff)) return '';
  return String.fromCodePoint(n >= 0xf000 && n <= 0xf0ff ? n - 0xf000 : n);
}

/**
 * What one field shows once Word updates it: its instruction (nested fields already read), its
 * stored result. Throws NotWhatItClaims for a field whose text nothing here can know; `strict`
 * (a docx, whose instructions are text) also for an instruction that names no field.
 */
function fieldShows(
  instruction: string,
  result: string,
  sources: FieldSources | null,
  strict: boolean,
  inDomain: () => boolean,
  glued: () => boolean,
  pieces: boolean,
): string {
  const list = tokens(decodeXML(instruction));
  const first = list[0];
  if (!first) return result;
  const name = first.switch ? '' : first.text.toUpperCase();
  const { args, switches, formats } = parts(list);
  const refuse = () => {
    throw new NotWhatItClaims(`a Word field (${name || 'unreadable'}) shows text Word computes from what nothing here can read, so it does not cross`);
  };
  if (formats.some((f) => LETTERS.has(f) && !(f === 'roman' && PAGES.has(name)))) refuse();
  // A list number inline (LISTNUM, AUTONUMOUT) shows its level's format: letters or roman numerals as often as digits.
  if (name === 'LISTNUM' || name === 'AUTONUMOUT') refuse();
  if (name === 'PAGE' && sources?.pageLetters && !formats.some((f) => f === 'arabic')) refuse();
  // Page numbers in a cross-reference, an index or a table of contents show the section's format too.
  if (PAGE_LISTS.has(name) && sources?.pageLetters) refuse();
  // Roman numerals are letters too (vi, mx, cd, li: top-level domains): a page number shown so
  // right where a domain after an @ goes on (`anna.weber @ buyer.{PAGE \* roman}` on page 6) removes the document.
  const roman =
    (PAGES.has(name) && formats.includes('roman')) || (!!sources?.pageRoman && ((name === 'PAGE' && !formats.includes('arabic')) || PAGE_LISTS.has(name)));
  if ((roman || (name === 'NOTEREF' && !!sources?.noteLetters)) && inDomain()) refuse();
  // A .doc (no sources, or `word97`): its styles, note and page formats and list levels are not
  // read, its bookmarks only when its tables are. STYLEREF and NOTEREF show text from elsewhere or
  // a note's number as letters, REF (a bare bookmark name too, where the marks are Word's own:
  // `pieces`) a bookmark not read; a paragraph's number (`\r`) shows its list's format. A page
  // number may be letters or roman numerals: where a domain goes on, or glued to a Latin letter or
  // a digit (`Anna Webe` + page 18 in letters), it removes the document.
  const word97 = !sources || !!sources.word97;
  if (word97) {
    const paragraphNumber = ['\\n', '\\r', '\\w'].some((n) => switches.has(n));
    const bare = pieces && !RESULT.has(name) && !UNKNOWABLE.has(name) && !KNOWN.has(name) && BOOKMARK.test(name);
    // A bookmark's text when its tables are read (below), else refused.
    if ((name === 'REF' || bare) && ((paragraphNumber && inDomain()) || (!paragraphNumber && !sources?.bookmarks))) refuse();
    if (name === 'STYLEREF' && (!paragraphNumber || inDomain())) refuse();
    if (name === 'NOTEREF') refuse();
    if ((PAGES.has(name) || PAGE_LISTS.has(name)) && !formats.includes('arabic') && (inDomain() || glued())) refuse();
  }
  // An index entry shows its text, the index's separator, then its pages or a cross-reference's
  // text (`XE "anna.weber" \t "buyer.example"` with `INDEX \e "@"`), which this reading does not build:
  // a cross-reference, or a separator with more than blanks, commas and dashes, removes the document.
  if (name === 'XE' && switches.has('\\t')) refuse();
  if ((name === 'INDEX' || name === 'TOA') && ['\\e', '\\l', '\\g'].some((k) => !SEPARATOR.test(switches.get(k) ?? ''))) refuse();
  // An index's headings (`\h "—A—"`: before each letter's entries, the letter in its place) show the
  // heading's text: more than a letter and blanks, commas and dashes removes the document.
  if (name === 'INDEX' && switches.has('\\h') && !SEPARATOR.test((switches.get('\\h') ?? '').replace(/\p{L}/u, ''))) refuse();
  // ADVANCE moves the text after it and shows nothing once Word updates it, whatever result it keeps.
  if (name === 'ADVANCE') return '';
  // FILENAME shows the file's name as the reader saved it: the attachment's name (with `\p`, after
  // a folder of the reader's, here a backslash); TEMPLATE the attached template's name (with `\p`
  // its path), which a .doc keeps where it is not read.
  if (name === 'FILENAME') return `${switches.has('\\p') ? '\\' : ''}${sources?.fileName ?? ''}`;
  if (name === 'TEMPLATE') {
    if (word97 || sources?.template === undefined) refuse();
    const template = sources?.template ?? '';
    return switches.has('\\p') ? template : template.replace(/^.*[\\/]/s, '');
  }
  // A number (a formula's, a page's, a sequence's, a merged value's) shown through its picture.
  const numbered = first.text.startsWith('=') || RESULT.has(name) || name === 'MERGEFIELD';
  const number = switches.get('\\#');
  const pictured = number === undefined || !numbered ? undefined : (numberPicture(number) ?? refuse());
  if (first.text.startsWith('=') && !first.switch) return pictured ?? '0';
  if (name === 'SYMBOL') return symbol(args[0]);
  if (name === 'QUOTE') return args.join('');
  // The text a button shows, after the macro's name or the destination.
  if (name === 'MACROBUTTON' || name === 'GOTOBUTTON') return args.slice(1).join(' ');
  if (DATES.has(name)) return switches.has('\\@') ? picture(switches.get('\\@') as string) : result;
  if (name === 'MERGEFIELD') return `${switches.get('\\b') ?? ''}${pictured ?? result}${switches.get('\\f') ?? ''}`;
  if (name === 'DOCVARIABLE') {
    if (word97) refuse();
    return sources?.variables.get((args[0] ?? '').toLowerCase()) ?? result;
  }
  const property = name === 'DOCPROPERTY' || name === 'INFO' ? (args[0] ?? '').toLowerCase() : PROPERTIES[name];
  if (property !== undefined) {
    const literal = name === 'DOCPROPERTY' || name === 'INFO' ? args[1] : args[0];
    if (literal !== undefined) return literal;
    // A date or a number (CreateTime, a custom property's filetime or i4), or one not read here,
    // through its picture (`\@ "'anna.weber@'"`): what Word shows then.
    const value = sources?.properties.get(property);
    const date = switches.get('\\@');
    if (date !== undefined && (value === undefined || DATE_VALUE.test(value))) return picture(date);
    if (number !== undefined && (value === undefined || NUMBER_VALUE.test(value))) return numberPicture(number) ?? refuse();
    return value ?? result;
  }
  if (USER.has(name)) return args[0] ?? result;
  // The text of a paragraph (or run) in a style, the one nearest the field: one to choose from is
  // read, several (which one Word finds is not followed) or a style not known refuse.
  if (name === 'STYLEREF' && sources?.styles && !['\\n', '\\r', '\\w'].some((n) => switches.has(n))) {
    const id = sources.styles.ids.get((args[0] ?? '').toLowerCase());
    const texts = id === undefined ? undefined : sources.styles.texts.get(id);
    if (id === undefined || sources.styles.partial || (texts?.size ?? 0) > 1) refuse();
    return texts?.size ? ([...texts][0] as string) : result;
  }
  // A bookmark's text (REF, or a bare name), unless a switch shows its paragraph's number instead.
  // (A .doc's streams read whole hold binary data between marks: a bare name there is read as stored.)
  const bookmark = name === 'REF' ? args[0] : RESULT.has(name) || UNKNOWABLE.has(name) || !BOOKMARK.test(name) || (word97 && !pieces) ? undefined : first.text;
  if (bookmark !== undefined && sources?.bookmarks && !['\\n', '\\r', '\\w'].some((n) => switches.has(n))) {
    const text = sources.bookmarks.texts.get(bookmark.toLowerCase());
    // A number or a date in the bookmark shows through the field's picture (`\# "'@'0"`).
    const date = switches.get('\\@');
    if (text !== undefined && number !== undefined && NUMBER_VALUE.test(text.trim())) return numberPicture(number) ?? refuse();
    if (text !== undefined && date !== undefined && /\d/.test(text)) return picture(date);
    if (text !== undefined) return text;
    if (sources.bookmarks.partial) refuse();
    return result;
  }
  if (RESULT.has(name)) return pictured ?? result;
  if (UNKNOWABLE.has(name)) refuse();
  if (BOOKMARK.test(name) || !strict) return result;
  return refuse();
}

const BEGIN = 0x13;
const SEPARATE = 0x14;
const END = 0x15;
/** Marks a locked field (docx `w:fldLock`) as its instruction's first character: Word never updates it. */
export const LOCKED = '\ufdd0';
/** Where a note reference mark shows its number as letters or roman numerals (docxNoteMarks). */
export const NOTE_MARK = '\ufdd1';
const NOTE = 0xfdd1;

interface Frame {
  /** The character shown right before the field (a page number glued to a Latin letter or a digit may complete a word). */
  readonly prev: string;
  /** The last character of its instruction or result so far (a string's own end is not read: V8 would flatten it). */
  last: string;
  instruction: string;
  result: string;
  inResult: boolean;
  /** Where the text shown so far in this field stands in a domain, and where the text before it stood. */
  domain: DomainState;
  readonly before: DomainState;
}

// Where a text stands in a domain after an @, as address-finder.ts reads one (a blank, comments,
// quotes and brackets may stand around the @ and before a dot): OUT in none; AFTER_AT, LABEL in a
// label, SPACED a label and a blank (a dot may follow: `shop .vi`), DOT right after a label
// (`shop.`), DOT_BLANK that dot and blanks (`shop. vi` is a sentence's end, `shop. (x)vi` is not),
// DOT_OPEN a dot with a blank before it or marks or a comment after it.
const OUT = 0;
const AFTER_AT = 1;
const LABEL = 2;
const SPACED = 3;
const DOT = 4;
const DOT_OPEN = 5;
const DOT_BLANK = 6;
interface DomainState {
  at: number;
  /** Open `(` comments. */
  depth: number;
}
const AT_SIGN = /[@\uff20\ufe6b]/;
const DOTS = /[.\u3002\uff0e\uff61]/;
const DOMAIN_CHAR = /[\p{L}\p{N}-]/u;
// Quotes, brackets and emphasis a blank may hold (fold.ts blankBack/blankAfter).
const MARK = /[\s"'<>[\]{}*_~“”„‟«»‹›「」『』‘’‚‛〈〉《》【】]/u;
// Marks the fold drops or keeps with the letter before: no change.
const IGNORED = /[\p{Cf}\p{M}]/u;

/** Moves `d` over `s` (XML entities read). Linear in `s`. */
function advance(d: DomainState, s: string): void {
  let text = s.includes('&') ? decodeXML(s) : s;
  // Out of a domain, nothing before the next @ counts.
  if (d.at === OUT) {
    const k = text.search(AT_SIGN);
    if (k < 0) return;
    text = text.slice(k);
  }
  for (const c of text) {
    if (AT_SIGN.test(c)) {
      d.at = AFTER_AT;
      d.depth = 0;
    } else if (d.at === OUT || IGNORED.test(c)) continue;
    else if (c === '(') {
      d.depth++;
      if (d.at === DOT || d.at === DOT_BLANK) d.at = DOT_OPEN;
    } else if (c === ')' && d.depth > 0) d.depth--;
    else if (d.depth > 0) continue;
    else if (DOMAIN_CHAR.test(c)) d.at = d.at === SPACED || d.at === DOT_BLANK ? OUT : LABEL;
    else if (DOTS.test(c)) d.at = d.at === LABEL ? DOT : DOT_OPEN;
    else if (MARK.test(c)) {
      const blank = /\s/.test(c);
      if (d.at === LABEL) d.at = SPACED;
      else if (d.at === DOT || d.at === DOT_BLANK) d.at = blank ? DOT_BLANK : DOT_OPEN;
    } else d.at = OUT;
  }
}

/** True when letters shown next go on with a domain after an @ (`nested`: in an instruction, which may show a dot first). */
const continues = (d: DomainState, nested: boolean): boolean => d.at !== OUT && ((d.at !== SPACED && d.at !== DOT_BLANK) || nested);

/**
 * A text with Word's field marks (U+0013 begin, U+0014 separate, U+0015 end: a .doc's stream as
 * it is, a docx's through docxFieldMarks) as Word shows it once it updates its fields: each field
 * replaced by what it computes (SYMBOL 64 → `@`, QUOTE "x" → `x`, DOCVARIABLE → the variable,
 * a date's picture), nested fields inside out; a field showing what it stores (PAGE, REF, TOC,
 * HYPERLINK, MERGEFIELD, a locked field) as that result. An addition to the readings of the
 * results as stored (fieldResults). `sources` null or `word97` (a .doc, whose variables, styles,
 * note and page formats are not read) refuses DOCVARIABLE, STYLEREF, NOTEREF, REF unless its
 * bookmarks are read (`bookmarks`, from its tables) and a page number where a domain goes on or
 * glued to a Latin letter or a digit; `strict` refuses an instruction that names no field (a docx:
 * its instructions are text; a .doc's streams are read whole, binary data too, so there it is read
 * as stored); `pieces` (a .doc's text through its piece table, word97-text.ts, where every mark is
 * Word's own) reads a bare bookmark name as a REF.
 * Throws NotWhatItClaims for a field whose text nothing here can know (INCLUDETEXT, IF, SET…).
 * One pass; each character copied at most once a nesting level (at most MAX_DEPTH).
 */
export function fieldsShown(text: string, sources: FieldSources | null, strict: boolean, pieces = false): string {
  const stack: Frame[] = [];
  let out = '';
  let from = 0;
  // Where each text stands after an @ (a roman page number there may end a domain); followed only
  // when a roman numeral may show (`roman` in an instruction, maybe as entities, or a roman section).
  const track =
    !sources ||
    !!sources.word97 ||
    !!sources.pageRoman ||
    /roman|&#/i.test(text) ||
    text.includes(NOTE_MARK) ||
    (!!sources?.noteLetters && /noteref/i.test(text));
  const outDomain: DomainState = { at: OUT, depth: 0 };
  let outLast = '';
  const add = (s: string) => {
    const top = stack[stack.length - 1];
    if (track && s) advance(top ? top.domain : outDomain, s);
    if (s) {
      const last = s.charAt(s.length - 1);
      if (top) top.last = last;
      else outLast = last;
    }
    if (!top) out += s;
    else if (top.inResult) top.result += s;
    else top.instruction += s;
  };
  // A field's text goes on from where the text before it stands (a result is shown as it is).
  // Inside an instruction, a blank after a label may still meet a dot the field shows before the number.
  const here = () => (stack.length ? (stack[stack.length - 1] as Frame).domain : outDomain);
  const inDomain = () => {
    const shownAs = stack.some((f) => !f.inResult);
    return continues(outDomain, shownAs) || stack.some((f) => continues(f.domain, shownAs));
  };
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c !== BEGIN && c !== SEPARATE && c !== END && c !== NOTE) continue;
    add(text.slice(from, k));
    from = k + 1;
    // A note's number as letters or roman numerals (the sixth in lowerRoman: vi) where a domain goes on.
    if (c === NOTE) {
      if (inDomain()) throw new NotWhatItClaims('a footnote or endnote mark shows letters where an address goes on, so it does not cross');
    } else if (c === BEGIN) {
      if (stack.length >= MAX_DEPTH) {
        if (strict) throw new NotWhatItClaims('Word fields nested too deeply to be read, so it does not cross');
        continue;
      }
      const before = { ...here() };
      const top = stack[stack.length - 1];
      stack.push({ prev: top ? top.last : outLast, last: '', instruction: '', result: '', inResult: false, domain: { ...before }, before });
    } else if (c === SEPARATE) {
      const top = stack[stack.length - 1];
      if (top) {
        top.inResult = true;
        top.last = '';
        top.domain = { ...top.before };
      }
    } else {
      const f = stack.pop();
      if (!f) continue;
      // Glued where it stands, or inside a field that is (`Anna Webe{ QUOTE "{ PAGE }" }`).
      const glued = () => WORD_CHAR.test(f.prev) || GLUED_AFTER.test(text.charAt(k + 1)) || stack.some((o) => WORD_CHAR.test(o.prev));
      add(f.instruction.startsWith(LOCKED) ? f.result : fieldShows(f.instruction, f.result, sources, strict, inDomain, glued, pieces));
    }
  }
  add(text.slice(from));
  // Fields never closed: what they hold as it stands.
  while (stack.length) {
    const f = stack.pop() as Frame;
    add(f.instruction + f.result);
  }
  return out;
}

// A Latin letter or a digit a page number's letters would join (before it; after it also an @ or
// another field): an address or a Latin name. `第{ PAGE }页` (a Chinese footer) is kept.
const WORD_CHAR = /[\p{Script=Latin}0-9\uff10-\uff19]/u;
const GLUED_AFTER = /[\p{Script=Latin}0-9\uff10-\uff19@\uff20\ufe6b\u0013]/u;

const MARKS = /[\u0013-\u0015\ufdd0\ufdd1]/g;
// ST_OnOff (ECMA-376 Part 1 §22.9.2.7) as the schema spells it: a value Word might not read as on
// (`TRUE`) counts as unlocked, so the field is read as updated, never the other way round.
const ON = /^(?:true|1|on)$/;
// An attribute's value in either quote (XML 1.0 §2.3), under any prefix, `>` inside it read as text.
const attribute = attributeOf;
const FIELD_TAG = new RegExp(`<(\\/?)(?:\\w+:)?(fldSimple|fldChar)\\b(${TAG_BODY}?)(\\/?)>`, 'g');

/**
 * A WordprocessingML part with its fields as a .doc keeps them: `<w:fldSimple w:instr="…">result
 * </w:fldSimple>` and `<w:fldChar w:fldCharType="begin|separate|end"/>` as U+0013, the instruction,
 * U+0014, the result, U+0015 (ECMA-376 Part 1 §17.16.18, §17.16.19), a locked field's instruction
 * opening with LOCKED; any such character already in the XML (not allowed there) dropped. Other
 * tags stay for ooxmlText; the instruction of a simple field stays XML-escaped, as instrText's is.
 */
export function docxFieldMarks(xml: string): string {
  return xml.replace(MARKS, '').replace(FIELD_TAG, (tag: string, close: string, kind: string, attrs: string, empty: string) => {
    // Values as XML reads them: `w:fldCharType="&#98;egin"` is begin (XML 1.0 §3.3.3).
    const locked = ON.test(decodeXML(attribute(attrs, 'fldLock') ?? '')) ? LOCKED : '';
    if (kind === 'fldSimple') {
      if (close) return '\u0015';
      const open = `\u0013${locked}${(attribute(attrs, 'instr') ?? '').replace(/[<>]/g, ' ')}\u0014`;
      return empty ? `${open}\u0015` : open;
    }
    const type = decodeXML(attribute(attrs, 'fldCharType') ?? '').trim();
    if (type === 'begin') return `\u0013${locked}`;
    if (type === 'separate') return '\u0014';
    if (type === 'end') return '\u0015';
    return tag;
  });
}

// Text a tracked deletion removed (`<w:delText>`, `<w:delInstrText>`, ECMA-376 Part 1 §17.3.3.7, §17.16.13).
const DELETED = new RegExp(`<(?:\\w+:)?(delText|delInstrText)\\b${TAG_BODY}>[^<]*<\\/(?:\\w+:)?\\1>`, 'g');

/**
 * A WordprocessingML part as Word shows it once its tracked changes are accepted (or shown without
 * markup): deleted text and deleted pieces of an instruction dropped, so `anna.weber<del>,</del>@…`
 * and `SYMBOL 6<delInstrText>5</delInstrText>4` read as Word shows them. The reading with
 * deletions kept is ooxmlText's.
 */
export function withoutDeletions(xml: string): string {
  return xml.replace(DELETED, '');
}

const BOOKMARK_TAG = new RegExp(`<(?:\\w+:)?bookmark(Start|End)\\b${TAG_BODY}>`, 'g');
/** Characters of bookmark text read per character of the document, at most (bookmarks may overlap). */
const BOOKMARK_BUDGET = 4;

/**
 * Each bookmark's text in WordprocessingML parts (`<w:bookmarkStart w:name w:id/>` to the
 * `<w:bookmarkEnd w:id/>` of the same id, ECMA-376 Part 1 §17.13.6), read as Word shows it with
 * its fields updated (a REF inside reads as stored), by name lowercased: what a REF to it shows.
 * Overlapping bookmarks read their text each; past BOOKMARK_BUDGET characters per character of the
 * parts the rest are not read (`partial`), so hostile nesting stays linear. `shown`: a part's XML
 * as its text (document-metadata.ts ooxmlText).
 */
export function bookmarkTexts(parts: readonly string[], sources: FieldSources, shown: (xml: string) => string): NonNullable<FieldSources['bookmarks']> {
  const texts = new Map<string, string>();
  let left = BOOKMARK_BUDGET * parts.reduce((n, p) => n + p.length, 0);
  let partial = false;
  for (const xml of parts) {
    const open = new Map<string, { name: string; from: number }>();
    for (const m of xml.matchAll(BOOKMARK_TAG)) {
      const id = attribute(m[0], 'id');
      if (id === undefined) continue;
      if (m[1] === 'Start') {
        const name = attribute(m[0], 'name');
        if (name !== undefined) open.set(id, { name: decodeXML(name).toLowerCase(), from: m.index + m[0].length });
        continue;
      }
      const start = open.get(id);
      if (!start) continue;
      open.delete(id);
      left -= m.index - start.from;
      if (left < 0) {
        partial = true;
        continue;
      }
      const slice = withoutDeletions(xml.slice(start.from, m.index));
      texts.set(start.name, fieldsShown(shown(docxFieldMarks(slice)), { ...sources, bookmarks: null }, false));
    }
  }
  return { texts, partial };
}

// A section's page numbers in a format that shows letters or words (ECMA-376 Part 1 §17.18.59
// ST_NumberFormat: lowerLetter, upperLetter, cardinalText, ordinalText, hex, chicago…): anything
// but digits and roman numerals.
const PAGE_NUMBERS = new RegExp(`<(?:\\w+:)?pgNumType\\b${TAG_BODY}>`, 'g');
const DIGITS = /^(?:decimal\w*|lowerRoman|upperRoman|numberInDash|none)$/i;

/** True when a part numbers its pages in roman numerals (ST_NumberFormat lowerRoman, upperRoman). */
export const pagesAsRoman = (xml: string): boolean => [...xml.matchAll(PAGE_NUMBERS)].some((m) => /^(?:lower|upper)Roman$/i.test(attribute(m[0], 'fmt') ?? ''));

// Footnote and endnote properties (settings.xml for the document, a section's sectPr) and their
// numFmt (ECMA-376 Part 1 §17.11.11, §17.11.17, §17.11.18); the reference marks that show a note's number.
const NOTE_PROPERTIES = new RegExp(`<(\\/?)(?:\\w+:)?(footnotePr|endnotePr|numFmt)\\b(${TAG_BODY}?)(\\/?)>`, 'g');
const NOTE_REFERENCE = new RegExp(`<(?:\\w+:)?(footnote|endnote)(Reference|Ref)\\b${TAG_BODY}>`, 'g');
// Note numbers without letters: digits (Word shows bullet as decimal, MS-OI29500 2.1.306), chicago's *, †, ‡, §.
const NOTE_DIGITS = /^(?:decimal\w*|numberInDash|none|chicago|bullet)$/i;

/** How notes are numbered, as a part sets them: `lettered` kinds in letters or roman numerals somewhere, `set` kinds given any format. */
export interface NoteFormats {
  readonly lettered: Set<'footnote' | 'endnote'>;
  readonly set: Set<'footnote' | 'endnote'>;
}

/** Adds to `into` the note formats a WordprocessingML part sets (`<w:footnotePr><w:numFmt w:val="lowerRoman"/>`). One pass. */
export function noteFormats(xml: string, into: NoteFormats): void {
  let open: 'footnote' | 'endnote' | null = null;
  for (const m of xml.matchAll(NOTE_PROPERTIES)) {
    const [tag, close, name, , empty] = m as unknown as [string, string, string, string, string];
    if (name !== 'numFmt') open = close || empty ? null : name === 'footnotePr' ? 'footnote' : 'endnote';
    else if (open) {
      into.set.add(open);
      if (!NOTE_DIGITS.test(decodeXML(attribute(tag, 'val') ?? '').trim())) into.lettered.add(open);
    }
  }
}

/** True when a part holds a footnote or endnote reference mark. */
export const hasNoteMarks = (xml: string): boolean => /(?:footnote|endnote)Ref/.test(xml);

/**
 * A WordprocessingML part with each footnote and endnote reference mark of a `lettered` kind
 * (`<w:footnoteReference w:id/>` in the text, `<w:footnoteRef/>` opening the note) as NOTE_MARK,
 * for fieldsShown. Word shows endnotes in lowerRoman unless told otherwise (MS-OI29500 2.1.306).
 * A custom mark (`w:customMarkFollows`) shows the run's own text, read already: left as it is.
 */
export function docxNoteMarks(xml: string, lettered: ReadonlySet<string>): string {
  if (!lettered.size) return xml;
  return xml.replace(NOTE_REFERENCE, (tag: string, kind: string, which: string) =>
    lettered.has(kind) && !(which === 'Reference' && ON.test(decodeXML(attribute(tag, 'customMarkFollows') ?? '').trim())) ? NOTE_MARK : tag,
  );
}

/** True when a part numbers its pages with letters or words (PAGE then shows them). */
export const pagesAsLetters = (xml: string): boolean =>
  [...xml.matchAll(PAGE_NUMBERS)].some((m) => {
    const fmt = attribute(m[0], 'fmt');
    return fmt !== undefined && !DIGITS.test(fmt);
  });

const DOC_VAR = new RegExp(`<(?:\\w+:)?docVar\\b${TAG_BODY}>`, 'g');
const PROPERTY_ELEMENT = /<(?:\w+:)?(\w+)>([^<]*)<\/(?:\w+:)?\1>/g;
// A custom property's value: the text of its one child (`<vt:lpwstr>…</vt:lpwstr>`); no lazy scan to a close that may never come.
const CUSTOM_PROPERTY = new RegExp(`<(?:\\w+:)?property\\b(${TAG_BODY})>\\s*<${TAG_BODY}>([^<]*)<`, 'g');
// Core properties under the names Word's fields use.
const PROPERTY_ALIASES: Readonly<Record<string, string>> = { creator: 'author', description: 'comments', lastmodifiedby: 'lastsavedby' };

/** The variables (settings.xml) and properties (docProps core, app and custom, as cleaned) Word's fields read. */
export function fieldSources(settings: string, core: string, app: string, custom: string): FieldSources {
  const variables = new Map<string, string>();
  for (const [tag] of settings.matchAll(DOC_VAR)) {
    const name = attribute(tag, 'name');
    if (name !== undefined) variables.set(decodeXML(name).toLowerCase(), attribute(tag, 'val') ?? '');
  }
  const properties = new Map<string, string>();
  for (const xml of [core, app])
    for (const m of xml.matchAll(PROPERTY_ELEMENT)) {
      const key = (m[1] as string).toLowerCase();
      properties.set(PROPERTY_ALIASES[key] ?? key, m[2] as string);
    }
  for (const m of custom.matchAll(CUSTOM_PROPERTY)) {
    const name = attribute(m[1] as string, 'name');
    if (name !== undefined) properties.set(decodeXML(name).toLowerCase(), m[2] as string);
  }
  return { variables, properties };
}
