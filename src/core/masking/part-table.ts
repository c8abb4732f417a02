// Owns which MIME part types can cross the wall and which handler understands each: one table,
// data rather than branches. A type that is not here is removed with a note; a declared type that
// says nothing (application/octet-stream) is read by its first bytes. docs/masking.md lists the
// same table (a test keeps them in step).

export type PartKind = 'text' | 'html' | 'calendar' | 'vcard' | 'message' | 'report' | 'image' | 'pdf' | 'ooxml' | 'ole' | 'signature';

export interface PartRow {
  readonly type: string;
  readonly kind: PartKind;
}

const row = (kind: PartKind, ...types: string[]): PartRow[] => types.map((type) => ({ type, kind }));

export const PART_TABLE: readonly PartRow[] = [
  ...row('text', 'text/plain', 'text/csv', 'text/tab-separated-values', 'text/markdown'),
  ...row('html', 'text/html'),
  ...row('calendar', 'text/calendar', 'application/ics'),
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
  ...row('image', 'image/jpeg', 'image/pjpeg', 'image/png', 'image/gif'),
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
  if (startsWith(b, [0xff, 0xd8, 0xff]) || startsWith(b, [0x89, 0x50, 0x4e, 0x47]) || startsWith(b, [0x47, 0x49, 0x46, 0x38])) return 'image';
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
