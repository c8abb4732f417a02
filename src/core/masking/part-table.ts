// Owns which MIME part types can cross the wall and which handler understands each: one table,
// data rather than branches. A type that is not here is removed with a note; a declared type that
// says nothing (application/octet-stream) is read by its first bytes. docs/masking.md lists the
// same table (a test keeps them in step).
import { imageFormat } from './image-metadata.js';
import { isMetafile } from './metafile-text.js';
import { isIsoMedia } from './video-metadata.js';

export type PartKind = 'text' | 'html' | 'calendar' | 'vcard' | 'message' | 'report' | 'image' | 'media' | 'pdf' | 'ooxml' | 'ole' | 'signature';

export interface PartRow {
  readonly type: string;
  readonly kind: PartKind;
}

const row = (kind: PartKind, ...types: string[]): PartRow[] => types.map((type) => ({ type, kind }));

export const PART_TABLE: readonly PartRow[] = [
  ...row('text', 'text/plain', 'text/csv', 'text/tab-separated-values', 'text/markdown'),
  ...row('html', 'text/html'),
  ...row('calendar', 'text/calendar', 'application/ics', 'text/x-vcalendar'),
  ...row('vcard', 'text/vcard', 'text/x-vcard', 'text/directory'),
  ...row('message', 'message/rfc822', 'message/global'),
  ...row(
    'report',
    'message/delivery-status',
    'message/global-delivery-status',
    'message/disposition-notification',
    'message/global-disposition-notification',
    'text/rfc822-headers',
    'message/global-headers',
  ),
  ...row('image', 'image/jpeg', 'image/pjpeg', 'image/png', 'image/gif', 'image/tiff', 'image/webp', 'image/bmp', 'image/x-ms-bmp'),
  // HEIC (an iPhone's photos), HEIF and AVIF: ISO BMFF pictures, their items but the picture removed (pictures/heif.ts).
  ...row('image', 'image/heic', 'image/heif', 'image/avif'),
  // Video and sound in an ISO BMFF file (MP4, MOV, 3GP, M4A): cleaned as the ones inside an Office file (video-metadata.ts).
  ...row('media', 'video/mp4', 'video/quicktime', 'video/3gpp', 'video/3gpp2', 'video/x-m4v', 'audio/mp4', 'audio/x-m4a', 'audio/m4a'),
  ...row('pdf', 'application/pdf'),
  ...row(
    'ooxml',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  ),
  ...row('ole', 'application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint'),
  ...row(
    'signature',
    'application/pkcs7-signature',
    'application/x-pkcs7-signature',
    'application/pkcs7-mime',
    'application/x-pkcs7-mime',
    'application/pgp-signature',
    'application/pgp-keys',
    'application/pgp-encrypted',
  ),
];

const BY_TYPE: ReadonlyMap<string, PartKind> = new Map(PART_TABLE.map((r) => [r.type, r.kind]));

/** Declared types that name no format: the bytes decide. */
const GENERIC = new Set(['application/octet-stream', 'binary/octet-stream', 'application/x-download', 'application/download', 'application/unknown']);

const startsWith = (b: Uint8Array, sig: readonly number[]) => sig.every((v, i) => b[i] === v);

/** The kind a file's first bytes show, for parts declared with a generic type. */
export function sniffKind(b: Uint8Array): PartKind | null {
  if (startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf';
  if (imageFormat(b)) return 'image';
  if (isIsoMedia(b)) return 'media';
  if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole';
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) return 'ooxml';
  return null;
}

/** The base type of a Content-Type value, lowercased, without parameters. */
export function baseType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** Which handler a part goes to, or null: not in the table, so it is removed. */
export function partKind(contentType: string, content: Uint8Array): PartKind | null {
  const base = baseType(contentType);
  return BY_TYPE.get(base) ?? (GENERIC.has(base) || base === '' ? sniffKind(content) : null);
}

type OfficeApp = 'word' | 'excel' | 'powerpoint';

/**
 * Types an Office file is declared with, and the application each names (null: any of them). The
 * registered ones and those mail programs give them besides (Windows' registry, Outlook, old
 * browsers: `application/x-msexcel`, `application/vnd.ms-office`; a zip's type for a package).
 */
const OFFICE_TYPES: ReadonlyMap<string, OfficeApp | null> = new Map([
  ['application/msword', 'word'],
  ['application/x-msword', 'word'],
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'word'],
  ['application/vnd.ms-excel', 'excel'],
  ['application/x-msexcel', 'excel'],
  ['application/msexcel', 'excel'],
  ['application/x-excel', 'excel'],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'excel'],
  ['application/vnd.ms-powerpoint', 'powerpoint'],
  ['application/x-mspowerpoint', 'powerpoint'],
  ['application/mspowerpoint', 'powerpoint'],
  ['application/vnd.openxmlformats-officedocument.presentationml.presentation', 'powerpoint'],
  ['application/vnd.ms-office', null],
  ['application/x-zip-compressed', null],
  ['application/zip', null],
]);

/** The type each application's file is read and delivered as, by its container. */
const OFFICE_CANONICAL: Readonly<Record<OfficeApp, Readonly<Record<'ole' | 'ooxml', string>>>> = {
  word: { ole: 'application/msword', ooxml: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
  excel: { ole: 'application/vnd.ms-excel', ooxml: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  powerpoint: { ole: 'application/vnd.ms-powerpoint', ooxml: 'application/vnd.openxmlformats-officedocument.presentationml.presentation' },
};

type NameFamily = 'office' | 'pdf' | 'image' | 'media';

type Named = readonly [NameFamily, OfficeApp | null];
const named = (exts: readonly string[], as: Named): [string, Named][] => exts.map((e) => [e, as]);

/** File name extensions that say which program opens a file (and, for Office, which application). */
const EXTENSIONS: ReadonlyMap<string, Named> = new Map([
  ...named(['doc', 'dot', 'docx', 'docm', 'dotx', 'dotm'], ['office', 'word']),
  ...named(['xls', 'xlt', 'xla', 'xlsx', 'xlsm', 'xltx', 'xltm', 'xlsb'], ['office', 'excel']),
  ...named(['ppt', 'pot', 'pps', 'pptx', 'pptm', 'potx', 'ppsx', 'ppsm'], ['office', 'powerpoint']),
  ...named(['pdf'], ['pdf', null]),
  ...named(['jpg', 'jpeg', 'jpe', 'jfif', 'png', 'gif', 'tif', 'tiff', 'webp', 'bmp', 'dib', 'heic', 'heif', 'hif', 'avif'], ['image', null]),
  ...named(['mp4', 'm4v', 'mov', 'qt', '3gp', '3g2', 'm4a'], ['media', null]),
]);

const familyOf = (kind: PartKind): NameFamily | null =>
  kind === 'ole' || kind === 'ooxml' ? 'office' : kind === 'pdf' || kind === 'image' || kind === 'media' ? kind : null;

const ZIP_TYPES = new Set(['application/zip', 'application/x-zip-compressed']);

/** Windows metafile pictures' types ([MS-EMF], [MS-WMF]; what Windows and mail programs declare them as) and names. */
const METAFILE_TYPES = new Set(['image/emf', 'image/x-emf', 'image/wmf', 'image/x-wmf', 'application/x-msmetafile', 'image/x-emz', 'image/x-wmz']);
const METAFILE_NAMES = new Set(['emf', 'wmf', 'emz', 'wmz']);

/** Names a browser opens as a web page, and a mail program as a message. */
const PAGE_NAMES = new Set(['htm', 'html', 'xhtml', 'shtml']);
const MESSAGE_NAMES = new Set(['eml', 'mht', 'mhtml', 'msg']);
/** Text formats whose program computes or draws what it shows: SVG, SYLK and DIF sheets (formulas), Excel's web and database queries. */
const DATA_NAMES = new Set(['svg', 'slk', 'dif', 'iqy', 'dqy', 'rqy', 'oqy']);

/** Excel's own names that it opens text under (a web page as a sheet of its tables, other text as tab-separated): `.xls`, a template `.xlt`, a workspace `.xlw`. */
export const EXCEL_TEXT_NAMES: ReadonlySet<string> = new Set(['xls', 'xlt', 'xlw']);

/** Names of text files a spreadsheet program opens (and Windows declares with Excel's type). */
const TEXT_NAMES = new Set(['csv', 'tsv', 'txt']);

/**
 * True when the first 8 KiB hold no control byte but tab, line ends and form feed (no NUL: not a
 * binary), as text in any 8-bit charset or UTF-8 does, or in UTF-16 after its byte-order mark.
 */
export function looksLikeText(b: Uint8Array): boolean {
  // UTF-16 with its byte-order mark (Excel's 'Unicode Text' .txt, a .csv some exports write): the
  // same test on its characters (decodeText reads it by the mark).
  if (b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))) {
    const chars = new TextDecoder(b[0] === 0xff ? 'utf-16le' : 'utf-16be').decode(b.subarray(2, Math.min(b.length, 8194) & ~1));
    return chars.length > 0 && !/[\x00-\x08\x0b\x0e-\x1f]/.test(chars);
  }
  const n = Math.min(b.length, 8192);
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = b[i] as number;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) return false;
  }
  return true;
}

/**
 * True when `b` is an HTML page by its first 8 KiB: UTF-8 text (looksLikeText) whose first
 * character but blanks and a byte-order mark opens `<html`, `<!doctype html`, `<table` (a bare
 * table, as web exports write one) or a comment or `<meta` before `<html`; not an XML Spreadsheet
 * 2003 workbook (`<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">`, whose `<Table>`
 * Excel reads with its formulas).
 */
export function isWebPage(b: Uint8Array): boolean {
  if (!looksLikeText(b) || (b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) return false;
  const head = new TextDecoder()
    .decode(b.subarray(0, 8192))
    .replace(/^\ufeff/, '')
    .trimStart()
    .toLowerCase();
  if (head.includes('office:spreadsheet') || head.includes('<workbook') || head.startsWith('<?xml')) return false;
  return head.startsWith('<table') || head.startsWith('<!doctype html') || (head.startsWith('<') && /<html[\s>]/.test(head));
}

/**
 * A file name's extension, lowercased, as Windows saves the file: trailing dots and blanks dropped
 * (`prices.csv.` is saved as `prices.csv`), then the letters, digits, hyphens and underscores after
 * its last dot, of any length (`docx`, `ps1xml`, `settingcontent-ms`); undefined without one. The
 * one reading of a name's extension: masking's (which program opens it) and the content filter's
 * (one a desktop runs, filters/attachments.ts).
 */
export function extensionOf(filename: string | null | undefined): string | undefined {
  return /\.([a-z0-9_-]+)$/i.exec((filename ?? '').replace(/[.\s]+$/, ''))?.[1]?.toLowerCase();
}

/**
 * The extensions a file may be saved under (extensionOf, distinct): its name's and, when the name
 * holds a control character (a NUL), that of the name up to it, as a program that hands the name to
 * C calls saves it (`order.hta\0.txt` is saved `order.hta`: `['txt', 'hta']`). [] when none.
 */
export function extensionsOf(filename: string | null | undefined): string[] {
  const name = filename ?? '';
  const exts = [extensionOf(name), extensionOf(name.split(/[\x00-\x1f]/)[0])];
  return exts.filter((e, k): e is string => e !== undefined && exts.indexOf(e) === k);
}

export type PartReading = { readonly kind: PartKind; readonly type: string } | { readonly removed: string };

const METAFILE_REMOVED = 'a Windows metafile picture (EMF, WMF) on its own: the text it draws cannot be masked inside it, so it does not cross';

/**
 * partReading when the declared type alone decides it, whatever the bytes and the name: a type that
 * is neither generic, nor an Office type, nor text (whose name, and bytes, may read it as HTML or
 * remove it) reads as itself, or is removed (a metafile's, or one not in the table: null).
 * undefined when the bytes or the name may decide. The parse uses it to let go of a large part
 * masking will remove (relay/parse-collect.ts), so it must never say more than partReading would.
 */
export function readingByType(contentType: string): PartReading | null | undefined {
  const base = baseType(contentType);
  if (METAFILE_TYPES.has(base)) return { removed: METAFILE_REMOVED };
  if (GENERIC.has(base) || base === '' || OFFICE_TYPES.has(base)) return undefined;
  const kind = BY_TYPE.get(base);
  if (kind === 'text') return undefined;
  return kind ? { kind, type: base } : null;
}

/**
 * Which handler reads a part and as which type (what the cleaners check the file against and the
 * delivered copy is declared as), or why it is removed. A registered type reads as itself, but
 * plain text named `.htm(l)` reads as HTML and named `.eml`/`.mht`, `.svg`, `.slk`, `.iqy`… is removed (what opens it); an
 * Office type (registered or one mail programs use, OFFICE_TYPES) or a generic one
 * (`application/octet-stream`) is read as its bytes' container (OLE or ZIP signature: an `.xlsx` sent
 * as `application/vnd.ms-excel` is read as the workbook it is, as Excel opens it), as the
 * application its type or else its name names (`prices.xls`: Excel's main part is wanted), and
 * removed when the bytes are not what its name says (a PDF named `terms.docx`, a package named
 * `form.pdf`: which program opens it is not known), a package named as no Office file (`files.zip`:
 * a zip program shows all its files) or, under an Office type, not an Office container; a text file named `.csv`, `.tsv` or `.txt` under such a type is read as text. Looks at
 * the first bytes (8 KiB at most) and the name only: constant cost.
 */
export function partReading(contentType: string, content: Uint8Array, filename?: string | null): PartReading | null {
  const byType = readingByType(contentType);
  if (byType !== undefined) return byType;
  const base = baseType(contentType);
  const generic = GENERIC.has(base) || base === '';
  const office = OFFICE_TYPES.has(base);
  const ext = extensionOf(filename);
  // A Windows metafile on its own is removed, not masked (decided in round 17, docs/masking.md
  // "Metafile pictures on their own"): metafile-text.ts reads what it draws for a yes or no, not to
  // edit it. Text drawn as glyph numbers is not read, so a blanked copy could still draw an address;
  // an address drawn over several records, or kept in a comment, an escape, an EMF+ image or a font
  // name that another program draws, has no one record to blank. Inside an Office file the file
  // is kept only when none of it holds an address, as a picture among its text.
  if (METAFILE_TYPES.has(base) || (generic && (METAFILE_NAMES.has(ext ?? '') || isMetafile(content)))) return { removed: METAFILE_REMOVED };
  if (!office && !generic) {
    const kind = BY_TYPE.get(base);
    // Plain text named as a page or a message: a browser shows it as HTML (`<b></b>` inside an
    // address as nothing), a mail program as a message (its base64 body decoded).
    if (kind === 'text' && PAGE_NAMES.has(ext ?? '')) return { kind: 'html', type: 'text/html' };
    // A web page declared as text but named `.xls`: Excel opens it as a sheet of its tables (as
    // under a generic type, below); other text so named it opens as tab-separated (csv-formulas.ts).
    if (kind === 'text' && EXCEL_TEXT_NAMES.has(ext ?? '') && isWebPage(content)) return { kind: 'html', type: 'text/html' };
    if (kind === 'text' && MESSAGE_NAMES.has(ext ?? '')) return { removed: 'a message file sent as text: its parts are not read, so it does not cross' };
    if (kind === 'text' && DATA_NAMES.has(ext ?? ''))
      return { removed: 'a drawing, sheet or query file sent as text: its program shows more than its text, so it does not cross' };
    return kind ? { kind, type: base } : null;
  }
  const kind = sniffKind(content);
  const byName = ext ? EXTENSIONS.get(ext) : undefined;
  // A text file under an Office or generic type (Windows gives `.csv` Excel's type): Excel opens it
  // as text, so it is read and masked as text.
  if (kind === null && TEXT_NAMES.has(ext ?? '') && looksLikeText(content)) return { kind: 'text', type: ext === 'csv' ? 'text/csv' : 'text/plain' };
  // A web page named as a workbook (a web export's `orders.xls`): Excel opens it as a sheet of its
  // tables, so it is read as the HTML it is (part-handlers.ts removes one whose cells hold formulas).
  if (kind === null && EXCEL_TEXT_NAMES.has(ext ?? '') && isWebPage(content)) return { kind: 'html', type: 'text/html' };
  if (kind === null)
    return office
      ? { removed: ZIP_TYPES.has(base) ? 'a zip archive, not an Office file: its files are not read' : 'not an Office file, though its type says it is one' }
      : null;
  if (office && familyOf(kind) !== 'office')
    return { removed: `not an Office file, though its type says it is one (its bytes are a ${kind === 'image' ? 'picture' : kind.toUpperCase()})` };
  if (byName && byName[0] !== familyOf(kind)) return { removed: 'not what its name says: its bytes are another kind of file' };
  // A package named as no Office file (`files.zip`): a zip program opens it and shows every file it
  // holds, of which only what Office shows is read.
  if (kind === 'ooxml' && ext && !byName) return { removed: 'a zip archive by its name, not an Office file: its files are not read' };
  if (kind !== 'ole' && kind !== 'ooxml') return { kind, type: base };
  const app = (office ? OFFICE_TYPES.get(base) : null) ?? byName?.[1] ?? null;
  // A registered type that already names this container reads as itself (its delivered type kept).
  if (app && BY_TYPE.get(base) === kind) return { kind, type: base };
  return { kind, type: app ? OFFICE_CANONICAL[app][kind] : base };
}
