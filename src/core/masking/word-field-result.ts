// Owns what one Word field shows once Word updates it (fieldShows): each field's kind by its first
// word, its arguments and switches, date and number pictures, SYMBOL; a field whose text nothing here
// can know is refused (NotWhatItClaims). Read by fieldsShown (word-fields.ts).
import { decodeXML } from 'entities';
import { NotWhatItClaims } from './not-what-it-claims.js';
import type { FieldSources } from './word-field-sources.js';

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
export function fieldShows(
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
