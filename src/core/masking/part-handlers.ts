// Owns the handler for each kind of part in the part table: it returns the part masked (and what
// it changed), or says why the part is removed. Handlers are data looked up by kind; every part of
// a message, at any depth, goes through exactly one of them or is removed.
import type { MailAddress, MailAttachment, OutgoingMail, ParsedMail } from '../types.js';
import { maskCalendar } from './calendar-part.js';
import { charsetKey, charsetNamed, isUndeclared, readCharset, UNICODE_NOT_UTF8 } from './charsets.js';
import { plainHeaderText, withoutEncodedWords } from './encoded-words.js';
import { cp1252 } from './ole-bytes.js';
import { csvFormulaTexts, opensInSpreadsheet } from './csv-formulas.js';
import { cleanOle, cleanOoxml, cleanPdf, NotWhatItClaims, type CleanDocument } from './document-metadata.js';
import { NotAnImage, stripImageMetadata } from './image-metadata.js';
import { isIsoMedia, NotAVideo, stripVideoMetadata } from './video-metadata.js';
import { baseType, EXCEL_TEXT_NAMES, extensionOf, partReading, type PartKind } from './part-table.js';
import { pdfReadings, UnreadablePdf } from './pdf-text.js';
import { maskReport } from './report-part.js';
import { maskVcard } from './vcard-part.js';
import { binaryNamesWriter, pictureNamesWriter } from './writer-in-bytes.js';

export interface PartEnv {
  /** Text masked and filtered like the body; `where` names the part in the change list. */
  readonly text: (s: string, where: string) => string;
  readonly html: (s: string, where: string) => string;
  /** True when the text still names the writer: one of their addresses or full names. */
  readonly namesWriter: (s: string) => boolean;
  /** An identifier (a calendar UID) with the writer's addresses in it as the alias, nothing else changed. */
  readonly identifier: (s: string, where: string) => string;
  /** True when the text holds an email address outside our domains (the writer's or anyone's). */
  readonly holdsAddress: (s: string) => boolean;
  /** The writer's addresses and full-name spellings, folded, for searching binary data. */
  readonly writerNeedles: readonly string[];
  readonly isAlias: (address: string) => boolean;
  readonly alias: MailAddress;
  readonly recipient: MailAddress;
  /** An attached message rebuilt with the same rules (headers, parts), one level deeper. */
  readonly message: (m: ParsedMail, where: string) => Promise<OutgoingMail>;
  readonly note: (rule: string, detail: string, count?: number) => void;
}

export type PartOutcome = { readonly part: MailAttachment } | { readonly removed: string };

type Handler = (part: MailAttachment, env: PartEnv, where: string) => Promise<PartOutcome> | PartOutcome;

const encoder = new TextEncoder();

const WINDOWS_1252 = /^(windows-1252|cp1252|x-cp1252|latin1|iso-8859-1|iso8859-1|iso_8859-1|l1|us-ascii|ascii|cp819|ibm819)$/;

/** Windows-1252 bytes as text (ole-bytes.ts `cp1252`: Node reads 0x80–0x9F as C1 controls, so a German invoice's euro sign would be lost). */
export const decodeWindows1252 = cp1252;

/**
 * A text part's characters: a declared Unicode charset (UTF-16, UTF-32, UTF-7) by its label, else a
 * byte-order mark, else the declared charset (charsets.ts readCharset: what mail programs read,
 * UTF-7, UTF-32 and the DOS and Mac code pages too), else, undeclared, UTF-8, else Windows-1252 (a
 * wrong Latin-1 or ASCII declaration never leaves bytes undecoded). Null when the declared charset
 * is one no decoder here knows (EBCDIC, ISO-2022-KR, a made-up name): the reader's program may
 * read it, so the part does not cross unread.
 */
export function decodeText(bytes: Uint8Array, charset: string | null | undefined): string | null {
  const declared = isUndeclared(charset) ? null : charsetKey(charset as string);
  if (declared && UNICODE_NOT_UTF8.test(declared)) return readCharset(bytes, declared);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  if (declared && WINDOWS_1252.test(declared) && bytes.some((b) => b >= 0x80)) {
    // Declared Latin-1 or ASCII but valid UTF-8: the declaration is wrong, the bytes are UTF-8.
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return decodeWindows1252(bytes);
    }
  }
  if (declared && !/^(us-)?ascii$|^utf-?8$/.test(declared) && !WINDOWS_1252.test(declared)) return readCharset(bytes, declared);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return decodeWindows1252(bytes);
  }
}

/** Why a text part in a charset not read here is removed (decodeText gave null). */
export const unreadCharset = (charset: string | null | undefined): string =>
  `text in ${charsetNamed(charset ?? '')}, which is not read here, so it does not cross unread`;

/** The part's text, or the outcome that removes it when its charset is not read here. */
function partText(p: MailAttachment): { readonly text: string } | { readonly removed: string } {
  const text = decodeText(p.content, p.charset);
  return text === null ? { removed: unreadCharset(p.charset) } : { text };
}

/**
 * What a program opening a saved text file reads its charset from, inside the file: an escape
 * sequence (ISO-2022-JP, which Chrome's and Firefox's detectors guess from it), `<meta charset>` or
 * `http-equiv` (HTML), `<?xml … encoding=…?>`, CSS `@charset`, an Emacs `coding:` cookie.
 */
const CHARSET_INSIDE = /\x1b|charset|coding/i;

/**
 * A text file's characters, with a UTF-8 byte-order mark first when its own text could name another
 * charset (CHARSET_INSIDE): the mark decides before anything inside the file (WHATWG Encoding,
 * "decode": a BOM wins over `<meta charset>` and over detection), so a browser or editor reads the
 * UTF-8 the masking read, never `ESC $ B #a#n#n#a!w` as `ａｎｎａ＠`. Mail programs show the part without it.
 */
export function settledCharset(text: string): string {
  return CHARSET_INSIDE.test(text) && !text.startsWith('\ufeff') ? `\ufeff${text}` : text;
}

const textPart = (p: MailAttachment, text: string, type: string): MailAttachment => ({
  filename: p.filename,
  contentType: `${type}; charset=utf-8`,
  content: encoder.encode(text),
  contentId: p.contentId,
  disposition: p.disposition,
  charset: 'utf-8',
});

/** A document kept only when no reading of it, and none of its pictures, still names the writer. */
function keepDocument(p: MailAttachment, doc: CleanDocument, env: PartEnv, where: string, type: string): PartOutcome {
  if (binaryNamesWriter(doc.readings, doc.binary, env.writerNeedles, true))
    return { removed: 'the document names the writer, which cannot be masked inside it' };
  if (doc.pictures?.some((img) => pictureNamesWriter(img, env.writerNeedles))) return { removed: 'a picture inside the document names the writer' };
  env.note('mask.metadata', `${where}: author and company details removed`);
  return { part: { ...bare(p), contentType: type, content: doc.bytes } };
}

function bare(p: MailAttachment): MailAttachment {
  return { filename: p.filename, contentType: p.contentType, content: p.content, contentId: p.contentId, disposition: p.disposition };
}

/**
 * A file its library could not read is removed, never passed on unread and never a reason to refuse
 * or defer the whole message: damaged or cut-off files and files that are not what they claim.
 */
const notWhat = (err: unknown): PartOutcome => {
  if (err instanceof NotWhatItClaims || err instanceof NotAnImage || err instanceof NotAVideo || err instanceof UnreadablePdf) return { removed: err.message };
  return { removed: 'a file that could not be read: damaged, or not what its type says' };
};

/**
 * A cell's text as Excel's HTML import reads a formula (csv-formulas.ts FORMULA_START after a tag):
 * `=…`, or `+`, `-`, `@` before a letter, `(`, `"` or `=`, blanks and no-break spaces before it.
 */
const WEB_FORMULA_CELL = />(?:\s|&nbsp;|&#160;)*(?:=|[+\-@](?=(?:\s|&nbsp;)*[A-Za-z_("=]))/;

export const PART_HANDLERS: Readonly<Record<PartKind, Handler>> = {
  text: (p, env, where) => {
    const read = partText(p);
    if ('removed' in read) return read;
    const masked = env.text(read.text, where);
    if (!opensInSpreadsheet(p.contentType, p.filename)) return { part: textPart(p, settledCharset(masked), 'text/plain') };
    // Text beginning `ID;` Excel opens as SYLK whatever its name, computing its formula cells (`E…`, no `=`).
    if (/^\ufeff?ID;/.test(masked))
      return { removed: 'a SYLK sheet sent as text: Excel computes its formula cells, which are not read here, so it does not cross' };
    // A .csv or .tsv: the spreadsheet that opens it computes its formula cells (csv-formulas.ts).
    const shown = csvFormulaTexts(masked);
    if (shown === null) return { removed: 'a formula makes text that the spreadsheet shows but nothing here can read, so it does not cross' };
    if (shown.some((t) => env.namesWriter(t) || env.holdsAddress(t)))
      return { removed: "a formula's text holds an email address, which cannot be masked inside it" };
    // Excel reads a .csv without a byte-order mark in the system's 8-bit code page: the UTF-8 copy keeps one.
    return { part: textPart(p, /[^\x00-\x7f]/.test(masked) ? `\ufeff${masked.replace(/^\ufeff/, '')}` : settledCharset(masked), 'text/plain') };
  },
  html: (p, env, where) => {
    const read = partText(p);
    if ('removed' in read) return read;
    const html = env.html(read.text, where);
    // A page named `.xls` Excel opens as a sheet, computing a cell whose text is a formula (not read here).
    if (EXCEL_TEXT_NAMES.has(extensionOf(p.filename) ?? '') && WEB_FORMULA_CELL.test(html))
      return { removed: 'a web page Excel opens as a sheet, with formula cells that are not read here, so it does not cross' };
    return { part: textPart(p, settledCharset(html), 'text/html') };
  },
  calendar: (p, env, where) => {
    const read = partText(p);
    if ('removed' in read) return read;
    try {
      const c = maskCalendar(read.text, {
        text: (s) => env.text(s, where),
        html: (s) => env.html(s, where),
        identifier: (s) => env.identifier(s, where),
        isAlias: env.isAlias,
        alias: env.alias,
        recipient: env.recipient,
      });
      if (c.removedAttendees) env.note('mask.calendar', `${where}: other attendees removed`, c.removedAttendees);
      if (c.removedFiles) env.note('mask.calendar', `${where}: files inside the invitation removed`, c.removedFiles);
      env.note('mask.calendar', `${where}: organizer shown as the alias`);
      return { part: textPart(p, c.text, `text/calendar${c.method ? `; method=${c.method}` : ''}`) };
    } catch {
      return { removed: 'calendar data that could not be read' };
    }
  },
  vcard: (p, env, where) => {
    const read = partText(p);
    if ('removed' in read) return read;
    try {
      const v = maskVcard(read.text, {
        text: (s) => env.text(s, where),
        namesWriter: env.namesWriter,
        isAlias: env.isAlias,
        alias: env.alias,
      });
      if (v.removed) env.note('mask.vcard', `${where}: addresses, photos or keys removed from the contact card`, v.removed);
      return { part: textPart(p, v.text, 'text/vcard') };
    } catch {
      return { removed: 'a contact card that could not be read' };
    }
  },
  message: async (p, env, where) => {
    if (!p.parsed) return { removed: 'an attached message that could not be read, or nested too deeply' };
    const nested = await env.message(p.parsed, where);
    return { part: { ...bare(p), contentType: 'message/rfc822', content: new Uint8Array(0), nested } };
  },
  report: (p, env, where) => {
    const read = partText(p);
    if ('removed' in read) return read;
    // A returned Subject or From keeps its encoded words, which a mail program showing the part may decode: read decoded.
    return {
      part: textPart(p, settledCharset(maskReport(read.text, (s) => withoutEncodedWords(env.text(plainHeaderText(s), where)))), baseType(p.contentType)),
    };
  },
  image: (p, env, where) => {
    try {
      const img = stripImageMetadata(p.content);
      if (img.removed) env.note('mask.metadata', `${where}: photo metadata removed (location, camera, author)`);
      if (pictureNamesWriter(img, env.writerNeedles)) return { removed: 'the image names the writer' };
      return { part: { ...bare(p), contentType: img.contentType, content: img.bytes } };
    } catch (err) {
      return notWhat(err);
    }
  },
  // A video or sound (MP4, MOV, 3GP, M4A) by the cleaner the ones inside an Office file go through,
  // then searched for the writer as a photo is (its media data is all bytes).
  media: (p, env, where) => {
    try {
      if (!isIsoMedia(p.content)) return { removed: 'not an MP4, MOV, 3GP or M4A file, though its type says it is one' };
      const media = stripVideoMetadata(p.content);
      if (media.removed) env.note('mask.metadata', `${where}: video metadata removed (title, artist, comment, location, subtitles)`);
      if (binaryNamesWriter([], [{ bytes: media.bytes, utf16: true }], env.writerNeedles, false)) return { removed: 'the video names the writer' };
      return { part: { ...bare(p), content: media.bytes } };
    } catch (err) {
      return notWhat(err);
    }
  },
  pdf: async (p, env, where) => {
    try {
      const doc = await cleanPdf(p.content, (s) => env.text(s, where));
      // The text the PDF shows (inflated, through its fonts' encodings): a name or an address in it
      // cannot be masked inside the PDF, so the PDF does not cross.
      const shown = await pdfReadings(doc.bytes);
      if (shown.some((t) => env.namesWriter(t))) return { removed: "the PDF's text names the writer, which cannot be masked inside a PDF" };
      // The strings it keeps too (doc.readings: a comment's text, a form value), compressed or not.
      if ([...shown, ...doc.readings].some((t) => env.holdsAddress(t)))
        return { removed: "the PDF's text holds an email address, which cannot be masked inside a PDF" };
      return keepDocument(p, doc, env, where, 'application/pdf');
    } catch (err) {
      return notWhat(err);
    }
  },
  ooxml: (p, env, where) => {
    try {
      const declared = baseType(p.contentType);
      const doc = cleanOoxml(p.content, declared, p.filename ?? '');
      // The text the application shows (runs joined, entities decoded by the fold) and the XML as
      // it is (a hyperlink's mailto: target): as a PDF's, it cannot be masked inside the file.
      const shown = doc.texts ?? [];
      if (shown.some((t) => env.namesWriter(t))) return { removed: "the document's text names the writer, which cannot be masked inside it" };
      if (shown.some((t) => env.holdsAddress(t))) return { removed: "the document's text holds an email address, which cannot be masked inside it" };
      return keepDocument(p, doc, env, where, declared.startsWith('application/vnd.openxml') ? declared : p.contentType);
    } catch (err) {
      return notWhat(err);
    }
  },
  ole: (p, env, where) => {
    try {
      const doc = cleanOle(p.content, baseType(p.contentType), p.filename ?? '');
      // The text the application shows (a .doc's pieces, its fields' stored results and what they
      // show once Word updates them; a workbook's strings; a presentation's text atoms): as a
      // docx's, it cannot be masked inside the file.
      const shown = doc.texts ?? [];
      if (shown.some((t) => env.namesWriter(t))) return { removed: "the document's text names the writer, which cannot be masked inside it" };
      if (shown.some((t) => env.holdsAddress(t))) return { removed: "the document's text holds an email address, which cannot be masked inside it" };
      return keepDocument(p, doc, env, where, p.contentType);
    } catch (err) {
      return notWhat(err);
    }
  },
  signature: () => ({ removed: 'a digital signature or key: it cannot stay valid after masking, and it names its signer' }),
};

/**
 * The handler's outcome for one part, or removal when its type is not in the table or its bytes are
 * not what its type or name says (part-table.ts `partReading`). A part read as another type than it
 * declares (an Office file under a type mail programs use, or sent as the other container) goes to
 * its handler, and out, as the type it was read as.
 */
export function handlePart(p: MailAttachment, env: PartEnv, where: string): Promise<PartOutcome> | PartOutcome {
  const reading = partReading(p.contentType, p.content, p.filename);
  if (reading === null) return { removed: `file type not allowed (${baseType(p.contentType) || 'unknown'})` };
  if ('removed' in reading) return reading;
  return PART_HANDLERS[reading.kind](reading.type === baseType(p.contentType) ? p : { ...p, contentType: reading.type }, env, where);
}
