// Owns the text a legacy Office file (.doc, .xls, .ppt) shows, read through its main stream's
// structure (doc-text.ts, xls-text.ts, ppt-text.ts) rather than as the stream's bytes: a docx's
// shown text is searched for any address, and whole-stream readings cannot be (random bytes read as
// Latin-1 or UTF-16 hold something shaped like an address in about one megabyte in four).
import type CFB from 'cfb';
import { docAuthors, docFormFieldTexts, docText } from './doc-text.js';
import { NotWhatItClaims } from './not-what-it-claims.js';
import { officeArtPictureTexts, officeArtTexts } from './office-art.js';
import { pptText } from './ppt-text.js';
import { xlsPivotCacheTexts, xlsText } from './xls-text.js';

/**
 * The texts a legacy Office container shows, from each main stream it holds (`WordDocument` with
 * its table stream, `Workbook` or `Book`, `PowerPoint Document` with `Current User`); undefined
 * when none of them is in its format (no Word 97 FIB, no BOF record, a PowerPoint record tree that
 * does not add up and no PowerPoint 97 current user): such a file keeps the whole-stream search
 * for the writer only. Throws NotWhatItClaims, its message the reason to remove the file, when a
 * stream is in its format but its text cannot be read: encrypted, older than Office 97, or a
 * structure that does not add up; or when it embeds another file (a stream under Word's
 * `ObjectPool` or an Excel `MBD…` storage, a PowerPoint ExOleObjStg): nothing reads it, so it
 * would cross unread, as a docx's `embeddings/` would. Never any other error. `wordText` is given a
 * Word document's text as read (its piece table), for readers that need it too (cleanOle).
 */
export function oleShownTexts(cfb: CFB.CFB$Container, wordText?: (text: string) => void): string[] | undefined {
  if (cfb.FullPaths.some((p, k) => cfb.FileIndex[k]?.type === 2 && EMBEDDED.test(p)))
    throw new NotWhatItClaims('carries an embedded file (an OLE object) that cannot be read, so it does not cross');
  if (carriesMacros(cfb)) throw new NotWhatItClaims(MACROS_REMOVED);
  // null: the stream is not in its format (or absent).
  const read: (string | null)[] = [];
  const word = topStream(cfb, 'WordDocument');
  if (word) {
    const text = guarded('a Word document', () => docText(word, (name) => topStream(cfb, name)));
    if (text !== null) wordText?.(text);
    read.push(text);
    const authors = guarded('a Word document', () => docAuthors(word, (name) => topStream(cfb, name)));
    if (authors?.length) read.push(authors.join('\n'));
    // Its form fields' drop-down entries, help and status-bar texts, in the Data stream.
    const data = topStream(cfb, 'Data');
    const fields = data ? guarded('a Word document', () => docFormFieldTexts(data)) : [];
    if (fields.length > 0) read.push(fields.join('\n'));
    // Its drawings' texts (WordArt, alternative text), in the table stream's OfficeArtContent.
    for (const name of ['0Table', '1Table']) {
      const table = topStream(cfb, name);
      const art = table ? guarded('a Word document', () => officeArtTexts(table)) : [];
      if (art.length > 0) read.push(art.join('\n'));
    }
    // The text its EMF and WMF pictures draw: inline ones in the Data stream, floating ones in WordDocument.
    for (const stream of [word, data]) {
      const drawn = stream ? guarded('a Word document', () => officeArtPictureTexts(stream)) : [];
      if (drawn.length > 0) read.push(drawn.join('\n'));
    }
  }
  for (const name of ['Workbook', 'Book']) {
    const book = topStream(cfb, name);
    if (book) read.push(guarded('an Excel workbook', () => xlsText(book))?.join('\n') ?? null);
  }
  // Its pivot caches' strings (the `_SX_DB_CUR` storage's streams, name without case): what a pivot
  // table shows when Excel refreshes it from the cache.
  cfb.FullPaths.forEach((path, k) => {
    const e = cfb.FileIndex[k];
    if (e?.type !== 2 || !PIVOT_CACHE.test(path) || !e.content) return;
    const bytes = e.content instanceof Uint8Array ? e.content : Uint8Array.from(e.content as ArrayLike<number>);
    const strings = guarded('an Excel workbook', () => xlsPivotCacheTexts(bytes));
    if (strings.length > 0) read.push(strings.join('\n'));
  });
  const slides = topStream(cfb, 'PowerPoint Document');
  if (slides) {
    const texts = guarded('a PowerPoint presentation', () => pptText(slides, topStream(cfb, 'Current User')));
    // Its drawings' texts (WordArt, alternative text): when the stream is a presentation at all.
    read.push(texts && [...texts, ...guarded('a PowerPoint presentation', () => officeArtTexts(slides))].join('\n'));
    // The text its EMF and WMF pictures draw (the Pictures stream's blips).
    const pictures = topStream(cfb, 'Pictures');
    const drawn = pictures ? guarded('a PowerPoint presentation', () => officeArtPictureTexts(pictures)) : [];
    if (drawn.length > 0) read.push(drawn.join('\n'));
  }
  const texts = read.filter((t) => t !== null);
  return texts.length > 0 ? texts : undefined;
}

// A pivot cache stream of an Excel workbook ([MS-XLS] 2.1.7.3), at the top level's `_SX_DB_CUR`.
const PIVOT_CACHE = /^[^/]*\/_SX_DB_CUR\/./iu;

// A stream inside Word's ObjectPool storage ([MS-DOC] 2.1.4) or an Excel embedding's MBD storage
// ([MS-XLS] 2.1.2), at the container's top level (`Root Entry/…`).
const EMBEDDED = /^[^/]*\/(?:ObjectPool|MBD[0-9A-F]{8})\/./i;

// A VBA project: Word's `Macros` storage ([MS-DOC] 2.1.9), Excel's `_VBA_PROJECT_CUR` ([MS-XLS]
// 2.1.7.21), or the project's own `VBA` storage ([MS-OVBA] 2.2.1: an OOXML vbaProject part's, or
// one at a legacy file's top level), at the top level. Storage names compare without case, by
// Unicode simple case folding as [MS-CFB] 2.6.4 compares them (`Macroſ` is `MACROS`): the `u` flag.
const MACROS = /^[^/]*\/(?:Macros|_VBA_PROJECT_CUR|VBA)\/./iu;

/**
 * Whether a compound file holds a VBA project (a stream under a top-level `Macros`,
 * `_VBA_PROJECT_CUR` or `VBA` storage, names without case): [MS-OVBA] 2.2.1, [MS-DOC] 2.1.9,
 * [MS-XLS] 2.1.7.21. Its modules' source is compressed (MS-OVBA 2.4.1), so nothing here reads it.
 */
export function carriesMacros(cfb: CFB.CFB$Container): boolean {
  return cfb.FullPaths.some((p, k) => cfb.FileIndex[k]?.type === 2 && MACROS.test(p));
}

/**
 * Why a file with macros is removed (OOXML's vbaProject.bin, a legacy file's `Macros` or
 * `_VBA_PROJECT_CUR` storage): their source is compressed ([MS-OVBA] 2.4.1), so an address or a
 * name in a message box or a string crosses unseen, even the writer's; and a marketplace's
 * customers do not need macros from each other (they are the commonest way malware comes by mail).
 */
export const MACROS_REMOVED = 'carries macros (a VBA project), whose compressed source nothing here reads, so it does not cross';

function guarded<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof NotWhatItClaims) throw err;
    // BrokenText, or anything unforeseen on a hostile file: never past the handler.
    throw new NotWhatItClaims(`${what} whose text could not be read (its structure does not add up), so it does not cross`);
  }
}

/**
 * A stream at the container's top level (`Root Entry/<name>`), as bytes, its name compared without
 * case as Office opens it ([MS-CFB] 2.6.4: names compare case-insensitively): `workbook` is
 * Excel's `Workbook`. Throws NotWhatItClaims when two entries have that name (which of them the
 * application opens is not known).
 */
export function topStream(cfb: CFB.CFB$Container, name: string): Uint8Array | undefined {
  const wanted = name.toLowerCase();
  const ks = cfb.FullPaths.flatMap((p, k) => (p.slice(p.indexOf('/') + 1).toLowerCase() === wanted ? [k] : []));
  if (ks.length > 1) throw new NotWhatItClaims(`holds two streams named ${name}, so what it shows is not known and it does not cross`);
  const e = cfb.FileIndex[ks[0] ?? -1];
  if (!e || e.type !== 2 || !e.content) return undefined;
  return e.content instanceof Uint8Array ? e.content : Uint8Array.from(e.content as ArrayLike<number>);
}
