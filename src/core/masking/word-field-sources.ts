// Owns where a Word field's text comes from besides the field itself: a docx's document variables
// and properties, and how its sections number pages and its notes (letters and roman numerals show
// where digits would not), read from its XML for fieldsShown (word-fields.ts).
import { decodeXML } from 'entities';
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

/** Where a note reference mark shows its number as letters or roman numerals (docxNoteMarks). */
export const NOTE_MARK = '\ufdd1';

// ST_OnOff (ECMA-376 Part 1 §22.9.2.7) as the schema spells it: a value Word might not read as on
// (`TRUE`) counts as unlocked, so the field is read as updated, never the other way round.
export const ON = /^(?:true|1|on)$/;
// An attribute's value in either quote (XML 1.0 §2.3), under any prefix, `>` inside it read as text.
const attribute = attributeOf;

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
