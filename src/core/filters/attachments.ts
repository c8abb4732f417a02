// Owns which attachments may cross seller → buyer: text, PDF, Word, JPEG/GIF/PNG, at most a
// configured size each. What a file is, is masking's one reading of it (masking/part-table.ts
// `partReading`: its bytes, declared type and name together), so a file called Word here is the file
// masking reads as Word; the bytes then confirm the reading (a PDF's signature, an image's, a Word
// file's main part inside its container, text without control bytes).
import { unzipSync } from 'fflate';
import { readOle } from '../masking/ole-container.js';
import { topStream } from '../masking/ole-text.js';
import { extensionsOf, partReading, sniffKind, type PartKind } from '../masking/part-table.js';
import type { MailAttachment } from '../types.js';

/** What the content filter sees an attachment as; `signature` is a signature or key the rewrite removes (never judged). */
export type FileType = 'text' | 'pdf' | 'word' | 'jpeg' | 'png' | 'gif' | 'signature';

/** An attachment as the filter needs it: its size in bytes and what its one reading is (null: none the filter allows). */
export interface AttachmentFacts {
  readonly size: number;
  readonly type: FileType | null;
}

export const IMAGE_TYPES: ReadonlySet<FileType> = new Set(['jpeg', 'png', 'gif']);

const startsWith = (b: Uint8Array, sig: readonly number[]) => sig.every((v, i) => b[i] === v);

/** Kinds whose handler reads the part as text (masking/part-handlers.ts). */
const TEXT_KINDS: ReadonlySet<PartKind> = new Set(['text', 'html', 'calendar', 'vcard', 'report', 'message']);

/** Declared types that name Excel or PowerPoint: the reading's own type for those files. */
const OTHER_OFFICE = new Set([
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
]);

/**
 * True when the first 8 KiB hold no control byte but tab, line ends, form feed and escape (ISO-2022
 * charsets, ANSI colours), or are UTF-16 after its byte-order mark: a text part's bytes, whatever
 * its charset. An empty file is not text. Binaries (an .exe starts "MZ" and soon has NULs) are not.
 */
function textBytes(b: Uint8Array): boolean {
  if (b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))) {
    const chars = new TextDecoder(b[0] === 0xff ? 'utf-16le' : 'utf-16be').decode(b.subarray(2, Math.min(b.length, 8194) & ~1));
    return chars.length > 0 && !/[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]/.test(chars);
  }
  const n = Math.min(b.length, 8192);
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = b[i] as number;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1b) return false;
  }
  return true;
}

/**
 * Extensions of the files Windows, macOS or a desktop runs or follows when opened, rather than shows
 * (scripts, HTML applications, shortcuts, registry files, installers; Microsoft's "Blocked
 * attachments in Outlook" list, the text ones among them): a text file so named is a program.
 */
const RUNS = new Set([
  'bat',
  'cmd',
  'com',
  'exe',
  'scr',
  'pif',
  'cpl',
  'msi',
  'msp',
  'mst',
  'vb',
  'vbs',
  'vbe',
  'js',
  'jse',
  'wsf',
  'wsh',
  'wsc',
  'ws',
  'hta',
  'sct',
  'ps1',
  'ps1xml',
  'ps2',
  'ps2xml',
  'psc1',
  'psc2',
  'psd1',
  'psm1',
  'msh',
  'msh1',
  'msh2',
  'mshxml',
  'msh1xml',
  'msh2xml',
  'reg',
  'url',
  'lnk',
  'scf',
  'inf',
  'ins',
  'isp',
  'chm',
  'hlp',
  'application',
  'appref-ms',
  'gadget',
  'jar',
  'jnlp',
  'settingcontent-ms',
  'library-ms',
  'searchconnector-ms',
  'shb',
  'shs',
  'xbap',
  'command',
  'tool',
  'sh',
  'csh',
  'ksh',
  'desktop',
  'terminal',
  'scpt',
  'applescript',
  'workflow',
  'py',
  'pyw',
  'pl',
  'htc',
  'website',
  'bas',
  'msc',
  // Text a desktop follows: a Remote Desktop connection (opens a session to the server it names), an
  // App Installer file (installs the package its link names), a theme (fetches what it names).
  'rdp',
  'appinstaller',
  'ms-appinstaller',
  'theme',
  'search-ms',
]);

/**
 * Whether a file's name (its extension as masking reads it, part-table.ts extensionOf: trailing dots
 * and blanks dropped as Windows saves it) is one RUNS holds; the name up to a control character (a
 * NUL) is judged too, as a program that hands the name to C calls saves it (`order.hta\0.txt` is
 * saved `order.hta`; extensionsOf).
 */
function runsByName(filename: string | null | undefined): boolean {
  return extensionsOf(filename).some((ext) => RUNS.has(ext));
}

/** Thrown to end a package's directory walk once Word's parts are seen. */
const BOTH_SEEN = new Error('both seen');

/**
 * Whether an Office container holds Word's main part: an OLE file's
 * top-level `WordDocument` stream ([MS-DOC] 2.1), a package's `word/document.xml` beside
 * `[Content_Types].xml` (ECMA-376 part 2), as masking's cleaners look for them. Unreadable: false.
 */
function holdsWord(kind: 'ole' | 'ooxml', b: Uint8Array): boolean {
  try {
    // Masking cleans this container next (ole-container.ts takeOle): the bytes are read once.
    if (kind === 'ole') return topStream(readOle(b), 'WordDocument') !== undefined;
    // Only the names in the central directory: nothing is inflated, nothing kept, and the walk
    // stops once both are seen (a package of many entries costs no memory).
    let types = false;
    let main = false;
    unzipSync(b, {
      filter: (f) => {
        if (f.name === '[Content_Types].xml') types = true;
        else if (f.name === 'word/document.xml') main = true;
        if (types && main) throw BOTH_SEEN;
        return false;
      },
    });
    return false;
  } catch (err) {
    return err === BOTH_SEEN;
  }
}

/**
 * What the filter sees an attachment as, by masking's reading (`partReading` on its declared type,
 * bytes and name), none when its name is one a desktop runs (RUNS: `setup.msi`, `order.hta`); text
 * when read as text, HTML, a calendar, a card, a report or a message and its bytes are text; PDF,
 * JPEG, PNG or GIF when read as that and its bytes begin so; Word when read as an Office file whose
 * type (declared, or given by its name) is not Excel's or PowerPoint's and whose container holds
 * Word's main part (a workbook declared Word is not Word: masking removes it). An Excel or
 * PowerPoint file, OLE or OOXML alike, is not Word; nor is a part masking removes or has no handler
 * for (null). Constant cost but for an Office file (its directory is read, nothing inflated).
 */
export function seeAttachment(att: Pick<MailAttachment, 'contentType' | 'content' | 'filename'>): AttachmentFacts {
  const size = att.content.byteLength;
  const reading = partReading(att.contentType, att.content, att.filename);
  if (reading === null || 'removed' in reading) return { size, type: null };
  const b = att.content;
  const type = ((): FileType | null => {
    if (reading.kind === 'signature') return 'signature';
    // A file named as a program (`setup.msi` holding a Word stream, `order.hta` of text) is opened
    // by the program its name says, whatever its bytes are read as here.
    if (runsByName(att.filename)) return null;
    if (TEXT_KINDS.has(reading.kind)) return textBytes(b) ? 'text' : null;
    if (reading.kind === 'pdf') return sniffKind(b) === 'pdf' ? 'pdf' : null;
    if (reading.kind === 'image') {
      if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
      if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
      if (startsWith(b, [0x47, 0x49, 0x46, 0x38])) return 'gif';
      return null;
    }
    // Word by its main part whatever its type or name says: a workbook declared or named Word is
    // removed by masking (document-metadata.ts wants the main part its type names), so refused here.
    if (reading.kind === 'ole' || reading.kind === 'ooxml') return !OTHER_OFFICE.has(reading.type) && holdsWord(reading.kind, b) ? 'word' : null;
    return null;
  })();
  return { size, type };
}

export interface AttachmentRules {
  readonly maxBytes: number;
  readonly stripImages: boolean;
}

export interface AttachmentVerdict {
  readonly attachment: MailAttachment;
  readonly type: FileType | null;
  /** Why it may not cross; null when it may. */
  readonly reason: string | null;
  /** An allowed image that config says to strip (never a reason to refuse a message). */
  readonly strip: boolean;
}

/** An attachment's facts: those its reading gave where its bytes were (`seen`), else read from its bytes here. */
export function factsOf(att: MailAttachment): AttachmentFacts {
  return att.seen ?? seeAttachment(att);
}

export const TYPE_NOT_ALLOWED = 'file type not allowed (only text, PDF, Word, JPEG, GIF and PNG)';

export function judgeAttachment(att: MailAttachment, rules: AttachmentRules): AttachmentVerdict {
  const { size, type } = factsOf(att);
  let reason: string | null = null;
  if (size > rules.maxBytes) reason = `larger than ${Math.floor(rules.maxBytes / 1048576)} MB`;
  else if (type === null || type === 'signature') reason = TYPE_NOT_ALLOWED;
  const strip = reason === null && type !== null && rules.stripImages && IMAGE_TYPES.has(type);
  return { attachment: att, type, reason, strip };
}
