// Owns checking that a PDF or Office file is what it claims, and removing who wrote it: the PDF
// document information (Author, Creator, Producer, any custom key) and XMP metadata, via pdf-lib;
// OOXML (docx, xlsx, pptx) core and app properties (creator, last modified by, company, manager)
// and comment authors, via fflate; legacy OLE files (doc, xls, ppt) lose their summary information
// streams, via cfb. An Outlook message (.msg) or TNEF in an OLE container is not a Word file.
// The PDF cleaner is document-pdf.ts and the OLE one document-ole.ts; this module keeps OOXML and
// the shapes (CleanDocument) and entry points the part handlers import; a package's members are
// read in package-members.ts.
import CFB from 'cfb';
import { decodeXML } from 'entities';
import { strFromU8, unzipSync, zipSync, type Unzipped } from 'fflate';
import { imageFormat, stripImageMetadata, type CleanPicture } from './image-metadata.js';
import { formattedCells } from './number-formats.js';
import { NotWhatItClaims } from './not-what-it-claims.js';
import type { BinaryData } from './binary-readings.js';
import { isIsoMedia } from './video-metadata.js';
import { carriesMacros, MACROS_REMOVED } from './ole-text.js';
import { formulaBudget, sheetFormulaTexts, withoutCommentsAndPIs } from './part-formulas.js';
import { docxNoteMarks, fieldSources, hasNoteMarks, noteFormats, pagesAsLetters, pagesAsRoman, type NoteFormats } from './word-field-sources.js';
import { bookmarkTexts, docxFieldMarks, fieldsShown, withoutDeletions } from './word-fields.js';
import { wordBindings } from './word-bindings.js';
import { wordNumbering } from './word-numbering.js';
import { styleTexts } from './word-styles.js';
import { attributeOf, TAG_BODY } from './xml-attributes.js';
import { cdataAsText } from './xml-cdata.js';
import { binaryPart, cleanMedia, countEntry, OOXML_TEXT, xmlPartText, xmlUnderAnotherName } from './package-members.js';

export { NotWhatItClaims };
// Written in their own modules; imported from here by the part handlers and the tests.
export { cleanPdf, looksLikePdf } from './document-pdf.js';
export { cleanOle, fieldResults } from './document-ole.js';
export { memberTexts, utf16WithoutMark } from './package-members.js';

export interface CleanDocument {
  readonly bytes: Uint8Array;
  /** Readings of the document's text for a final search for the writer (XML, stream bytes). */
  readonly readings: readonly string[];
  /**
   * Binary data searched for the writer as its readings are, in pieces (binary-readings.ts
   * binaryHolds): an Office package's binary parts, a PDF's bytes, an OLE stream without fields.
   */
  readonly binary: readonly BinaryData[];
  /**
   * OOXML: each XML part as its application shows it, for the masking searches (the fold decodes
   * its entities): tags read as nothing, so a word split across runs (`<w:t>anna</w:t></w:r><w:r>
   * <w:t>@shop.example</w:t>`) reads whole; paragraph, row, cell, line-break and tab tags as a line
   * break; and each part's XML as it is, for what stands in attributes (a hyperlink's target).
   * OLE (.doc, .xls, .ppt): the text its main stream's structure shows (ole-text.ts); absent when
   * no main stream is in its format.
   */
  readonly texts?: readonly string[];
  /**
   * OOXML: its pictures (JPEG, PNG, GIF parts, in a zipped theme too) as kept, cleaned as an
   * attached picture is (stripImageMetadata), for the same search for the writer (part-handlers.ts).
   * OLE: its bitmap blips' pictures as cleaned in place (picture-same-length.ts), before padding.
   */
  readonly pictures?: readonly CleanPicture[];
}

// OOXML tags after which the application shows a break (WordprocessingML paragraphs, breaks, tabs
// and cells; DrawingML paragraphs; SpreadsheetML cells, rows and shared strings).
// Tags of any length (a hyperlink's tooltip attribute is free text): `[^<>]*` stops at the next
// `<`, so each `<` is looked at once and the search stays linear.
const OOXML_BREAK = /<(?:\/(?:w:p|w:tc|a:p|c|si|row)|w:br|w:cr|w:tab|a:br)\b[^<>]*>/g;
const XML_TAG = /<[^<>]*>/g;
// A symbol Word shows in place of the tag: `<w:sym w:font="Arial" w:char="0040"/>` shows `@` (in a
// symbol font a character F0xx is shown from xx).
// Either quote (XML 1.0 §2.3): `w:char='0040'` is as valid as `w:char="0040"`; under any prefix
// (Word reads the namespace: `<x:sym x:char="0040"/>` under another prefix shows `@` too).
// A value may hold `>` (TAG_BODY), and a `w:char` inside another attribute's value is not the symbol's.
const OOXML_SYMBOL = new RegExp(`<(?:\\w+:)?sym\\s${TAG_BODY}>`, 'g');

/** An OOXML part's XML as its application shows it (see CleanDocument.texts). */
export function ooxmlText(xml: string): string {
  return cdataAsText(xml)
    .replace(OOXML_SYMBOL, (tag: string) => {
      const hex = attributeOf(tag, 'char') ?? '';
      if (!/^[0-9A-Fa-f]{1,4}$/.test(hex)) return tag;
      const c = parseInt(hex, 16);
      return `&#x${(c >= 0xf000 ? c - 0xf000 : c).toString(16)};`;
    })
    .replace(OOXML_BREAK, '\n')
    .replace(XML_TAG, '');
}

const OOXML_MAIN: Readonly<Record<string, string>> = {
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'word/document.xml',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xl/workbook.xml',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'ppt/presentation.xml',
};

const PERSON_ELEMENTS = /<(dc:creator|cp:lastModifiedBy|Company|Manager|cp:contentStatus)>[^<]{0,10000}<\/\1>/g;
const PERSON_ATTRIBUTES = /\b(w:author|w:initials|author|authorId|userId|w15:userId|w15:providerId)="[^"]{0,10000}"/g;

// Its relationship (the type in either quote) or the element that places it.
const AF_CHUNK = /relationships\/aFChunk["'\s]|<(?:\w+:)?altChunk\b/i;

/** Files embedded in the document (OLE objects, whole documents, ActiveX controls): nothing here reads them. */
const OOXML_EMBEDDED = /(^|\/)(embeddings|activeX)\//i;

/** A VBA project (word/vbaProject.bin, xl/…, ppt/…, and its signature parts): macros, [MS-OVBA]. */
const OOXML_MACROS = /(^|\/)vbaProject[^/]*\.bin$/i;

/**
 * A VBA project under any part name: Office loads it by its relationship's type from the main part
 * (`…/office/2006/relationships/vbaProject`, [MS-OFFMACRO2]), not by its name or its content type
 * alone (a content type left declared for `bin` with no such part is not one). Tested on every
 * relationships part's text, character references decoded.
 */
const OOXML_MACROS_RELATED = /relationships\/vbaProject/i;

/** A compound file's signature ([MS-CFB] 2.2). */
const CFB_MAGIC = Buffer.from('d0cf11e0a1b11ae1', 'hex');

/** Whether a binary part is a compound file holding a VBA project (whatever its part name); false if it is no compound file. */
function partCarriesMacros(data: Uint8Array): boolean {
  if (data.length < 512 || !CFB_MAGIC.equals(data.subarray(0, 8))) return false;
  try {
    return carriesMacros(CFB.read(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { type: 'buffer' }));
  } catch {
    // Not a container that reads: its bytes are read as any other binary part's.
    return false;
  }
}

const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/**
 * A zip kept as a part of an Office package (a zipped theme): each XML, relationships and VML part's
 * text as the application shows it (ooxmlText: tags as nothing) and as written, into `texts` and
 * `readings`; its other entries as binary parts are read (binaryPart: a text file for any address); people removed from its properties as
 * from the package's (PERSON_ELEMENTS, PERSON_ATTRIBUTES). Counts its entries into the package's
 * `counts` (countEntry) and returns the part's bytes to keep (zipped again when a property was cleared).
 * NotWhatItClaims past MAX_UNZIPPED (package-members.ts) or MAX_XML_TEXT, when it does not unzip, when it holds a zip itself (not read a
 * level deeper), macros or an embedded file (refused as in the package).
 */
function nestedPackageTexts(
  data: Uint8Array,
  name: string,
  counts: { total: number; text: number },
  texts: string[],
  readings: string[],
  binary: BinaryData[],
  pictures: CleanPicture[],
): { bytes: Unzipped[string] } {
  let files: Unzipped;
  try {
    files = unzipSync(data, { filter: (f) => countEntry(counts, f) });
  } catch (err) {
    throw err instanceof NotWhatItClaims ? err : new NotWhatItClaims(`holds a package (${name}) that does not unzip, so it does not cross`);
  }
  let cleaned = false;
  for (const [inner, bytes] of Object.entries(files)) {
    if (isZip(bytes)) throw new NotWhatItClaims(`holds a package inside a package (${name}), which is not read, so it does not cross`);
    if (OOXML_EMBEDDED.test(inner)) throw new NotWhatItClaims(`carries an embedded file (${name}: ${inner}) that cannot be read, so it does not cross`);
    if (OOXML_MACROS.test(inner) || partCarriesMacros(bytes)) throw new NotWhatItClaims(MACROS_REMOVED);
    if (!OOXML_TEXT.test(inner) && !xmlUnderAnotherName(bytes, counts)) {
      // A picture (a theme's background) as the package's own.
      if (imageFormat(bytes)) {
        const img = stripImageMetadata(bytes);
        pictures.push(img);
        files[inner] = new Uint8Array(img.bytes);
        cleaned ||= img.removed > 0;
      } else if (isIsoMedia(bytes)) {
        files[inner] = cleanMedia(bytes, `${name}: ${inner}`, binary);
        cleaned = true;
      } else binaryPart(bytes, counts, texts, binary, inner);
      continue;
    }
    // Its people removed from its properties, as the package's own (the package keeps the copy).
    const part = xmlPartText(bytes);
    const written = part.text;
    const xml = written.replace(PERSON_ELEMENTS, '<$1></$1>').replace(PERSON_ATTRIBUTES, '$1=""');
    if (xml !== written) {
      files[inner] = part.encode(xml);
      cleaned = true;
    }
    texts.push(ooxmlText(xml), xml);
    readings.push(xml);
  }
  return { bytes: cleaned ? zipSync(files) : new Uint8Array(data) };
}

/**
 * OOXML: the main part must match the declared type; people removed from properties and comments;
 * every XML, VML and SVG part read for the name search; pictures without their metadata; every other
 * part (printer settings, fonts, binary properties) read as binary data (binaryReadings). A document
 * that embeds another file is refused (NotWhatItClaims): that file would cross unread.
 */
export function cleanOoxml(bytes: Uint8Array, declared: string, fileName?: string): CleanDocument {
  const counts = { total: 0, text: 0 };
  let files: Unzipped;
  try {
    files = unzipSync(bytes, { filter: (f) => countEntry(counts, f) });
  } catch (err) {
    throw err instanceof NotWhatItClaims ? err : new NotWhatItClaims('not a readable Office file');
  }
  const main = OOXML_MAIN[declared];
  const mains = main ? [main] : Object.values(OOXML_MAIN);
  if (!files['[Content_Types].xml'] || !mains.some((m) => files[m])) throw new NotWhatItClaims('not the Office document it claims to be');
  const readings: string[] = [];
  const binary: BinaryData[] = [];
  const texts: string[] = [];
  const pictures: CleanPicture[] = [];
  const cellTexts: string[] = [];
  const budget = formulaBudget();
  // Word parts with fields, read once the variables and properties their fields show are known.
  const fielded: string[] = [];
  const wordParts: string[] = [];
  // Word parts with data-bound content controls, read once the stores they show are cleaned.
  const bound: string[] = [];
  let pageLetters = false;
  let pageRoman = false;
  // Footnote and endnote formats, and the Word parts with note reference marks.
  const notes: NoteFormats = { lettered: new Set(), set: new Set() };
  const noted: string[] = [];
  // The parts that hold number formats (xl/styles.xml and any other spreadsheet part with one).
  const formats: string[] = [];
  // Each numbered paragraph with its list's label before it, as Word shows it (word-numbering.ts).
  const numbered = wordNumbering(files) ?? ((xml: string) => xml);
  for (const [name, data] of Object.entries(files)) {
    if (OOXML_EMBEDDED.test(name)) throw new NotWhatItClaims(`carries an embedded file (${name}) that cannot be read, so it does not cross`);
    if (OOXML_MACROS.test(name)) throw new NotWhatItClaims(MACROS_REMOVED);
    if (/\.rels$/i.test(name) && OOXML_MACROS_RELATED.test(decodeXML(xmlPartText(data).text))) throw new NotWhatItClaims(MACROS_REMOVED);
    if (!OOXML_TEXT.test(name) && !xmlUnderAnotherName(data, counts)) {
      if (partCarriesMacros(data)) throw new NotWhatItClaims(MACROS_REMOVED);
      // Pictures (word/media, the first page's thumbnail) lose their metadata as a photo attached on
      // its own does, and are searched for the writer as it is (part-handlers.ts): one cleaner, one check.
      if (imageFormat(data)) {
        const img = stripImageMetadata(data);
        pictures.push(img);
        files[name] = new Uint8Array(img.bytes);
      }
      // A video or sound (ppt/media, an inserted .mp4, .mov or .m4a): its title, artist, comment and
      // location removed in place, as an attached one's (video-metadata.ts).
      else if (isIsoMedia(data)) files[name] = cleanMedia(data, name, binary);
      // A package inside the package (a theme kept zipped, `.thmx`): compressed, so its text is not
      // in its bytes. Its XML read as the package's, within the same 100 MB.
      else if (isZip(data)) {
        const nested = nestedPackageTexts(data, name, counts, texts, readings, binary, pictures);
        files[name] = nested.bytes;
        binary.push({ bytes: nested.bytes, utf16: true });
      }
      // Any other binary part (a sheet's printer settings, a font, a custom property, macros) is
      // read as an OLE stream is, so a name or an address kept in it is seen.
      else {
        // A text file kept in the package is searched for any address (binaryPart); other binary
        // parts only for the writer.
        binaryPart(data, counts, texts, binary, name);
      }
      continue;
    }
    const part = xmlPartText(data);
    let xml = part.text;
    // A document imported whole (altChunk: HTML, MHT, RTF, another docx), which Word shows in place
    // and nothing here reads as shown (its entities, RTF escapes): refused as an embedded file is.
    if (AF_CHUNK.test(xml)) throw new NotWhatItClaims(`imports a document (${name} names an altChunk) that cannot be read, so it does not cross`);
    if (name === 'docProps/custom.xml') xml = xml.replace(/(<vt:lpwstr>)[^<]{0,10000}(<\/vt:lpwstr>)/g, '$1$2');
    xml = xml.replace(PERSON_ELEMENTS, '<$1></$1>').replace(PERSON_ATTRIBUTES, '$1=""');
    // Written back in its own encoding (a UTF-16 part stays UTF-16).
    files[name] = part.encode(xml);
    readings.push(xml);
    const sheet = SHEET_PART.test(name);
    const word = WORD_PART.test(name);
    // A spreadsheet part with _xHHHH_ read: Excel shows _x0040_ as @ in its strings and in many
    // attributes (ST_Xstring: a sheet's or a table column's name, a validation's prompt, a pivot
    // item, a link's display text). Read once, for every reading below.
    const escaped = sheet ? xstringAsEntities(xml) : xml;
    const shown = ooxmlText(escaped);
    texts.push(shown, xml);
    if (word) wordParts.push(xml);
    if (word && WORD_FIELD.test(xml)) fielded.push(xml);
    if (word && xml.includes('dataBinding')) bound.push(xml);
    const labelled = word ? numbered(xml) : xml;
    if (labelled !== xml) texts.push(ooxmlText(labelled));
    // A section's page numbers as letters, in the body (its sectPr), which may hold no field itself.
    if (word && pagesAsLetters(xml)) pageLetters = true;
    if (word && pagesAsRoman(xml)) pageRoman = true;
    if (word && /(?:footnote|endnote)Pr/.test(xml)) noteFormats(xml, notes);
    if (word && !WORD_FIELD.test(xml) && hasNoteMarks(xml)) noted.push(xml);
    if (CELL_TEXT_PART.test(name)) cellTexts.push(shown);
    if (sheet) {
      if (escaped !== xml) texts.push(escaped);
      // What its formulas show as Excel computes them (the value kept beside them may be a decoy),
      // with _xHHHH_ read and as written: a formula is judged on both.
      const raw = cdataAsText(xml);
      const decoded = xstringAsEntities(raw);
      let formulas = sheetFormulaTexts(raw, budget);
      if (decoded !== raw) formulas += `\n${sheetFormulaTexts(decoded, budget)}`;
      cellTexts.push(formulas);
      texts.push(formulas);
      // Number formats kept outside xl/styles.xml: a conditional format's in the sheet (Excel 2010's
      // x14:dxf), a chart's axis and data labels (<c:numFmt>), a pivot table's.
      if (NUMBER_FORMAT_HINT.test(xml)) formats.push(escaped);
      // A header or footer as printed: its &-codes (font, size, colour, bold) show nothing.
      // CDATA read as text, comments and processing instructions as nothing.
      texts.push(...headersFooters(withoutCommentsAndPIs(raw)));
    }
  }
  // What a data-bound content control shows (its custom XML part's value, not its stored text).
  const binding = bound.length ? wordBindings(files) : null;
  const shownBound = binding ?? ((xml: string) => xml);
  for (const xml of bound) texts.push(ooxmlText(numbered(shownBound(xml))));
  // Notes numbered in letters or roman numerals (endnotes are, unless a format is given): their
  // marks are read where a domain goes on, as a roman page number is (fieldsShown).
  const lettered = new Set(notes.lettered);
  if (!notes.set.has('endnote')) lettered.add('endnote');
  if (noted.some((xml) => [...lettered].some((kind) => xml.includes(`${kind}Ref`)))) fielded.push(...noted);
  if (fielded.length) {
    // What Word shows once it updates the fields (it does on print, on F9, when the document asks)
    // and its tracked changes are accepted:
    // SYMBOL 64 as `@`, QUOTE's literal, a variable's value. A field whose text cannot be known
    // (INCLUDETEXT, IF…) and that Word may update removes the document (NotWhatItClaims).
    const part = (n: string) => (files[n] ? strFromU8(files[n]) : '');
    const sources = fieldSources(part('word/settings.xml'), part('docProps/core.xml'), part('docProps/app.xml'), part('docProps/custom.xml'));
    // STYLEREF's texts, from every Word part (the styled paragraph may be in one without fields).
    const styles = fielded.some((xml) => /styleref/i.test(xml)) ? styleTexts(part('word/styles.xml'), wordParts, ooxmlText) : null;
    const withBookmarks = {
      ...sources,
      bookmarks: bookmarkTexts(fielded, sources, ooxmlText),
      pageLetters,
      pageRoman,
      noteLetters: lettered.size > 0,
      styles,
      fileName: fileName ?? '',
      template: attachedTemplate(part('word/_rels/settings.xml.rels')),
    };
    for (const xml of fielded)
      texts.push(fieldsShown(ooxmlText(docxNoteMarks(docxFieldMarks(withoutDeletions(numbered(shownBound(xml)))), lettered)), withBookmarks, true));
  }
  texts.push(...formattedCells(formats.join('\n'), cellTexts));
  return { bytes: zipSync(files, { level: 1 }), readings, binary, texts, pictures };
}

/**
 * The attached template a TEMPLATE field shows: the target of settings.xml's `attachedTemplate`
 * relationship (ECMA-376 Part 1 §17.15.1.6), character references decoded; `Normal.dotm` (Word's
 * own) without one.
 */
function attachedTemplate(rels: string): string {
  for (const [tag] of rels.matchAll(RELATIONSHIP)) {
    const type = attributeOf(tag, 'Type');
    const target = attributeOf(tag, 'Target');
    if (type !== undefined && target !== undefined && /\/attachedTemplate$/i.test(decodeXML(type))) return decodeXML(target);
  }
  return 'Normal.dotm';
}
const RELATIONSHIP = new RegExp(`<(?:[\\w.-]+:)?Relationship\\b${TAG_BODY}>`, 'g');

// WordprocessingML parts (the body, headers, footers, notes, comments, glossary), their fields,
// tracked deletions and bookmarks (what a REF shows).
const WORD_PART = /^word\/.*\.xml$/i;
const WORD_FIELD = /fldSimple|fldChar|delText|delInstrText|bookmarkStart/;

const NUMBER_FORMAT_HINT = /numFmt\b/;

// A header's or footer's text (ECMA-376 Part 1 §18.3.1.39 headerFooter; a chart's too).
const HEADER_FOOTER = /<((?:\w+:)?(?:odd|even|first)(?:Header|Footer))\b[^<>]*>([^<]*)<\/\1\s*>/g;
// Its codes (§18.3.1.39): &"font,style", &K and a colour (RRGGBB, or a theme's `ttSnnn`/`tt+nnn`),
// &nn a font size, and the one-letter codes (&L &C &R sections, &B &I &U &E &S &X &Y &O &H styles,
// &P &N &D &T &Z &F &A &G fields). `&&` is one `&`.
const SECTION: ReadonlySet<string> = new Set(['&L', '&C', '&R']);
const HEADER_CODE = /&(?:"[^"]*"|K(?:[0-9A-Fa-f]{6}|\d\d[-+S]\d{3})|\d+|[LCRBIUESXYOHPNDTZFAG&])/g;

/**
 * The headers and footers of a spreadsheet part (XML, entities not yet read) as Excel prints them:
 * entities read, each code left out (`&&` as `&`), so `anna.weber@&12buyer.example` reads whole;
 * a section's code (&L, &C, &R) as a blank, which the address search reads past beside an `@` or a dot.
 */
export function headersFooters(xml: string): string[] {
  const out: string[] = [];
  for (const m of xml.matchAll(HEADER_FOOTER))
    out.push(decodeXML(m[2] as string).replace(HEADER_CODE, (code) => (code === '&&' ? '&' : SECTION.has(code) ? ' ' : '')));
  return out;
}

// Parts that hold a spreadsheet's cell texts: shared strings and the sheets' inline strings.
const CELL_TEXT_PART = /^xl\/(sharedStrings\.xml|worksheets\/[^/]+\.xml)$/i;
const XSTRING_ESCAPE = /_x([0-9A-Fa-f]{4})_/g;

/**
 * A spreadsheet part with each `_xHHHH_` (ECMA-376 Part 1 §22.9.2.19 ST_Xstring: a UTF-16 code
 * unit, which Excel shows as its character in shared strings, cells, formulas and formats: ClosedXML
 * #608) as the XML character reference `&#xHHHH;`, which the fold and decodeXML read. Left to right,
 * not overlapping, as Excel reads it: `_x005F_x0040_` is `_` then `x0040_`.
 */
export function xstringAsEntities(xml: string): string {
  return xml.replace(XSTRING_ESCAPE, '&#x$1;');
}

// Parts of a spreadsheet that may hold formulas: sheets (macro and dialog sheets too), the
// workbook's defined names, charts, tables, pivot caches, drawings (VML too: legacy form controls).
const SHEET_PART = /^xl\/.*\.(xml|vml)$/i;
