// Owns reading Word's fields as Word computes them. Word updates a field when the document asks
// (`<w:updateFields/>` in settings.xml, a field marked `w:dirty`), when it prints (every field not
// locked) and on F9, and DATE and TIME on every opening: the result a file keeps beside the field
// proves nothing, as a spreadsheet's cached value does not (sheet-formulas.ts).
// What one field shows is word-field-result.ts; where its text comes from, word-field-sources.ts.
import { decodeXML } from 'entities';
import { fieldShows } from './word-field-result.js';
import { NotWhatItClaims } from './not-what-it-claims.js';
import { NOTE_MARK, ON, type FieldSources } from './word-field-sources.js';
import { attributeOf, TAG_BODY } from './xml-attributes.js';

/** Nesting deeper than Word's own limit (20 levels) is not followed. */
const MAX_DEPTH = 32;

const BEGIN = 0x13;
const SEPARATE = 0x14;
const END = 0x15;
/** Marks a locked field (docx `w:fldLock`) as its instruction's first character: Word never updates it. */
export const LOCKED = '\ufdd0';
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
// Quotes, brackets and emphasis a blank may hold (fold-blanks.ts blankBack/blankAfter).
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
