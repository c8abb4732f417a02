// Owns cleaning a legacy Office file (doc, xls, ppt: an OLE container) of who wrote it: its summary
// information streams removed, its pictures cleaned in place, and the text it shows read for the
// search (ole-text.ts), a Word file's fields and bookmarks as Word shows them. Via cfb.
import CFB from 'cfb';
import { NotAnImage, type CleanPicture } from './image-metadata.js';
import { NotWhatItClaims } from './not-what-it-claims.js';
import type { BinaryData } from './binary-readings.js';
import { BrokenText } from './ole-bytes.js';
import { oleShownTexts, topStream } from './ole-text.js';
import { takeOle } from './ole-container.js';
import { blipPicturesInPlace, workbookPicturesInPlace } from './picture-same-length.js';
import { xlsDrawingParts } from './xls-text.js';
import { NOTE_MARK, type FieldSources } from './word-field-sources.js';
import { fieldsShown } from './word-fields.js';
import { WORD97_NOTE_MARK, word97Bookmarks, word97Encrypted, word97LabelLetters } from './word97-text.js';
import type { CleanDocument } from './document-metadata.js';

const OLE_MAIN: Readonly<Record<string, readonly string[]>> = {
  'application/msword': ['WordDocument'],
  'application/vnd.ms-excel': ['Workbook', 'Book'],
  'application/vnd.ms-powerpoint': ['PowerPoint Document'],
};

/**
 * OLE: a Word, Excel or PowerPoint file as declared; summary information streams removed; its JPEG
 * and PNG pictures without their metadata, in place (olePicturesInPlace); `texts` the text it
 * shows (ole-text.ts; NotWhatItClaims when that text cannot be read).
 */
export function cleanOle(bytes: Uint8Array, declared: string, fileName?: string): CleanDocument {
  let cfb: CFB.CFB$Container;
  try {
    // The container the content filter read from these bytes, if it did (ole-container.ts): read once.
    cfb = takeOle(bytes);
  } catch {
    throw new NotWhatItClaims('not a readable Office file');
  }
  const names = cfb.FileIndex.map((e) => e.name);
  if (names.some((n) => n.startsWith('__substg1.0_') || n === '__properties_version1.0'))
    throw new NotWhatItClaims('an Outlook message file (.msg), not a document');
  // Its main stream at the top, named in any case (Office opens `workbook` as `Workbook`).
  const wanted = OLE_MAIN[declared] ?? Object.values(OLE_MAIN).flat();
  if (!wanted.some((w) => topStream(cfb, w))) throw new NotWhatItClaims('not the Office document it claims to be');
  for (const path of [...cfb.FullPaths]) {
    if (/\u0005(Document)?SummaryInformation$/i.test(path)) CFB.utils.cfb_del(cfb, path);
  }
  const pictures = olePicturesInPlace(cfb);
  const out = CFB.write(cfb, { type: 'buffer', fileType: 'cfb' }) as Uint8Array;
  const readings: string[] = [];
  // The text it shows (ole-text.ts; what cannot be read removes it); a .doc's text through its piece
  // table, read there once, is also read here as Word shows its fields.
  let wordText: string | null = null;
  const shown = oleShownTexts(cfb, (text) => (wordText = text));
  // A Word file (whatever its declared type: a generic one is sniffed as OLE) as Word reads it.
  const word = topStream(cfb, 'WordDocument');
  const wordShown: string[] = [];
  const sources = word
    ? wordFileReadings(word, { '0Table': topStream(cfb, '0Table'), '1Table': topStream(cfb, '1Table') }, wordText, wordShown, fileName ?? '')
    : null;
  readings.push(...wordShown);
  const binary: BinaryData[] = [];
  for (const e of cfb.FileIndex) {
    if (e.type !== 2 || !e.content) continue;
    const content = e.content instanceof Uint8Array ? e.content : Uint8Array.from(e.content as ArrayLike<number>);
    // A stream without a field's begin mark (no byte 0x13, so in neither reading) is only searched:
    // in pieces (binaryHolds). One with it is read whole, for its fields as Word shows them.
    if (!content.includes(0x13)) {
      binary.push({ bytes: content, utf16: true });
      continue;
    }
    for (const r of binaryReadings(content)) {
      readings.push(r);
      if (r.includes(FIELD_BEGIN)) {
        readings.push(fieldResults(r));
        // As Word shows it once it updates its fields (every field of a .doc counts as unlocked:
        // its flags are not read); a field whose text cannot be known removes it.
        readings.push(fieldsShown(r.replace(NOT_LOCKED, ''), sources, false));
      }
    }
  }
  // The text it shows (a .doc's pieces are among them) and, for a .doc, that text as Word shows its
  // fields, with their stored results and once updated (wordShown after its first, the pieces).
  return { bytes: out instanceof Uint8Array ? out : Uint8Array.from(out), readings, binary, texts: shown && [...shown, ...wordShown.slice(1)], pictures };
}

/** A stream at a container's top level named as a workbook's ([MS-XLS] 2.1.2), opening with a BOF record (0x0809). */
const isWorkbook = (path: string, content: Uint8Array) => /^[^/]*\/(?:workbook|book)$/i.test(path) && content[0] === 0x09 && content[1] === 0x08;

/**
 * A legacy Office container's JPEG and PNG pictures without their metadata, each in its place at
 * its length (picture-same-length.ts): the OfficeArt blips in each stream (a .doc's Data and
 * WordDocument streams, a .ppt's Pictures stream), a workbook's found in its drawing records joined
 * (a picture goes on across CONTINUE records, whose headers stay where they were). A changed stream
 * is replaced in `cfb` by a copy (cfb hands streams out as views of the message's bytes). Returns
 * the cleaned pictures, for the search for the writer (keepDocument). NotWhatItClaims when a
 * picture cannot be cleaned (it does not walk as its format says, its cleaned copy would not fit,
 * pictures nest past any honest file: blipPicturesInPlace), or its workbook's records do not add up.
 */
function olePicturesInPlace(cfb: CFB.CFB$Container): CleanPicture[] {
  const pictures: CleanPicture[] = [];
  cfb.FileIndex.forEach((e, k) => {
    if (e.type !== 2 || !e.content) return;
    const content = e.content instanceof Uint8Array ? e.content : Uint8Array.from(e.content as ArrayLike<number>);
    let cleaned: Uint8Array | null;
    try {
      cleaned = isWorkbook(cfb.FullPaths[k] ?? '', content)
        ? workbookPicturesInPlace(content, xlsDrawingParts(content), pictures)
        : blipPicturesInPlace(content, pictures);
    } catch (err) {
      if (err instanceof NotAnImage) throw new NotWhatItClaims(`a picture inside whose metadata cannot be removed (${err.message}), so it does not cross`);
      if (err instanceof BrokenText)
        throw new NotWhatItClaims('an Excel workbook whose text could not be read (its structure does not add up), so it does not cross');
      throw err;
    }
    if (cleaned) e.content = Buffer.from(cleaned.buffer, cleaned.byteOffset, cleaned.byteLength);
  });
  return pictures;
}

/**
 * A .doc's WordDocument stream and table streams read as Word reads them, into `readings`: its
 * `text` through its piece table (doc-text.ts docText, read once by oleShownTexts: pieces joined in
 * order, every field and note mark Word's own; null when it is not a Word 97 file), as stored and
 * with its fields shown; what its fields may read (oleSources), or null when its text cannot be
 * read. Throws NotWhatItClaims for an encrypted file (its text cannot be
 * checked) and for list levels whose letters may join an address or a name (word97LabelLetters:
 * which paragraph shows which label is not read).
 */
function wordFileReadings(
  word: Uint8Array,
  tables: { '0Table'?: Uint8Array; '1Table'?: Uint8Array },
  text: string | null,
  readings: string[],
  fileName: string,
): FieldSources | null {
  if (word97Encrypted(word)) throw new NotWhatItClaims('an encrypted Word document: its text cannot be read, so it does not cross');
  if (word97LabelLetters(word, tables))
    throw new NotWhatItClaims('a list label shows letters Word numbers where they may join an address or a name, which is not read, so it does not cross');
  if (text === null) return null;
  // A REF shows its bookmark's text, read from the bookmark tables when they can be (else it is refused).
  const ranges = word97Bookmarks(word, tables);
  // Without its bookmark tables a REF is refused (bookmarks: null), as without sources at all.
  const sources = { ...(ranges ? bookmarkSources(ranges, text) : { variables: new Map(), properties: new Map(), word97: true, bookmarks: null }), fileName };
  readings.push(text);
  if (text.includes(FIELD_BEGIN)) readings.push(fieldResults(text));
  if (text.includes(FIELD_BEGIN) || text.includes(WORD97_NOTE_MARK)) readings.push(fieldsShown(wordMarks(text), sources, false, true));
  return sources;
}

/** A .doc's text with its note marks as fieldsShown's and no lock marks of its own. */
const wordMarks = (text: string): string => text.replace(NOT_LOCKED, '').replaceAll(WORD97_NOTE_MARK, NOTE_MARK);

/**
 * What a .doc's fields may read besides themselves: each bookmark's text (its range of the text,
 * word97Bookmarks) as Word shows it, its fields read (a REF inside one not followed: that bookmark
 * counts as not read), up to BOOKMARK_BUDGET characters a character of the text (`partial` past
 * it). Variables, styles and formats are not read (`word97`).
 */
function bookmarkSources(ranges: ReadonlyMap<string, { from: number; to: number }>, text: string): FieldSources {
  const base: FieldSources = { variables: new Map(), properties: new Map(), word97: true, bookmarks: null };
  const texts = new Map<string, string>();
  let left = BOOKMARK_BUDGET * text.length;
  let partial = false;
  for (const [name, { from, to }] of ranges) {
    left -= to - from;
    if (left < 0 || to > text.length) {
      partial = true;
      continue;
    }
    try {
      texts.set(name, fieldsShown(wordMarks(text.slice(from, to)), base, false, true));
    } catch {
      partial = true;
    }
  }
  return { ...base, bookmarks: { texts, partial } };
}
const BOOKMARK_BUDGET = 4;

// A Word 97 field in the text of a .doc ([MS-DOC] 2.8.25 PlcFld): U+0013 begins it, U+0014
// separates its instruction from its result, U+0015 ends it; fields nest.
const FIELD_BEGIN = '\u0013';
// fieldsShown's mark of a locked field, which a .doc's own text cannot carry.
const NOT_LOCKED = /\ufdd0/g;

/**
 * A .doc stream's text as Word shows it: each field's result (between U+0014 and U+0015) kept and
 * its instruction (between U+0013 and U+0014, or U+0015 when there is no result) dropped, nested
 * fields too, so `anna.weber@<U+0013> QUOTE "x" <U+0014><U+0015>buyer.example` reads
 * `anna.weber@buyer.example`. An addition to the stream's other readings, never in place of them:
 * a U+0013 byte in binary data would hide what follows. One pass; a depth count for nesting.
 */
export function fieldResults(text: string): string {
  let out = '';
  let from = 0;
  // How many of the open fields are still in their instruction, of how many open.
  const inInstruction: boolean[] = [];
  let hidden = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c !== 0x13 && c !== 0x14 && c !== 0x15) continue;
    if (hidden === 0) out += text.slice(from, k);
    from = k + 1;
    if (c === 0x13) {
      inInstruction.push(true);
      hidden++;
    } else if (c === 0x14) {
      if (inInstruction.length > 0 && inInstruction[inInstruction.length - 1]) {
        inInstruction[inInstruction.length - 1] = false;
        hidden--;
      }
    } else if (inInstruction.length > 0 && inInstruction.pop()) hidden--;
  }
  return hidden === 0 ? out + text.slice(from) : out;
}

/**
 * Binary data as the name search reads it: as Latin-1 and as UTF-16LE (the two ways Office's binary
 * structures store text: a printer's DEVMODE, an OLE property, a VBA project's strings). Shapes:
 * two strings, each about as long as `bytes`.
 */
function binaryReadings(bytes: Uint8Array): [string, string] {
  return [new TextDecoder('latin1').decode(bytes), new TextDecoder('utf-16le').decode(bytes)];
}
