// Owns which attachments may cross: text, PDF, Word, JPEG/GIF/PNG, decided by the bytes (content
// sniffing), never by the file name or the declared type; at most a configured size each.
import type { MailAttachment } from '../types.js';

export type SniffedType = 'text' | 'pdf' | 'doc' | 'docx' | 'jpeg' | 'png' | 'gif';

const startsWith = (b: Uint8Array, sig: readonly number[]) => sig.every((v, i) => b[i] === v);

function looksLikeText(b: Uint8Array): boolean {
  const sample = b.subarray(0, 8192);
  // Text has no control bytes but tab, line ends, form feed and escape: binaries (an .exe starts
  // "MZ" and soon has NULs and other control bytes) are not text, whatever they are named.
  for (const byte of sample) if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c && byte !== 0x1b) return false;
  try {
    // A multi-byte character cut at the sample's end is fine: decode a little less.
    new TextDecoder('utf-8', { fatal: true }).decode(sample.length === 8192 ? sample.subarray(0, 8188) : sample);
    return true;
  } catch {
    return false;
  }
}

function zipHasWordPart(b: Uint8Array): boolean {
  const head = new TextDecoder('latin1').decode(b.subarray(0, 65536));
  return head.includes('word/') && head.includes('[Content_Types].xml');
}

export function sniffType(b: Uint8Array): SniffedType | null {
  if (startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf'; // %PDF-
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(b, [0x47, 0x49, 0x46, 0x38])) return 'gif'; // GIF8
  if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'doc'; // OLE2 (Word 97-2003)
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) return zipHasWordPart(b) ? 'docx' : null;
  if (b.length > 0 && looksLikeText(b)) return 'text';
  return null;
}

export const IMAGE_TYPES: ReadonlySet<SniffedType> = new Set(['jpeg', 'png', 'gif']);

export interface AttachmentRules {
  readonly maxBytes: number;
  readonly stripImages: boolean;
}

export interface AttachmentVerdict {
  readonly attachment: MailAttachment;
  readonly type: SniffedType | null;
  /** Why it may not cross; null when it may. */
  readonly reason: string | null;
  /** An allowed image that config says to strip (never a reason to refuse a message). */
  readonly strip: boolean;
}

export function judgeAttachment(att: MailAttachment, rules: AttachmentRules): AttachmentVerdict {
  const type = sniffType(att.content);
  let reason: string | null = null;
  if (att.content.byteLength > rules.maxBytes) reason = `larger than ${Math.floor(rules.maxBytes / 1048576)} MB`;
  else if (type === null) reason = 'file type not allowed (only text, PDF, Word, JPEG, GIF and PNG)';
  const strip = reason === null && type !== null && rules.stripImages && IMAGE_TYPES.has(type);
  return { attachment: att, type, reason, strip };
}
