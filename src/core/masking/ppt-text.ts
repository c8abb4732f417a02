// Owns the text a PowerPoint 97–2003 presentation (.ppt) shows: the text atoms and strings of its
// `PowerPoint Document` stream, found by walking its record tree ([MS-PPT] 2.3.1 RecordHeader):
// slides, notes, masters, comments, hyperlinks, headers and footers, each edit a save appended.
import { NotWhatItClaims } from './not-what-it-claims.js';
import { BrokenText, bytesAt, latin1, u16, u32, utf16 } from './ole-bytes.js';

const TEXT_CHARS_ATOM = 0x0fa0; // UTF-16LE
const TEXT_BYTES_ATOM = 0x0fa8; // 8-bit: the low bytes of UTF-16 code units
const CSTRING = 0x0fba; // UTF-16LE
// An embedded OLE object or a VBA project, zlib-compressed or not ([MS-PPT] 2.10.34 ExOleObjStg).
const EX_OLE_OBJ_STG = 0x1011;
// [MS-PPT] 2.3.2 CurrentUserAtom.headerToken, at byte 12 of the `Current User` stream.
const TOKEN_PLAIN = 0xe391c05f;
const TOKEN_ENCRYPTED = 0xf3d1c4df;

// Read as atoms whatever their recVer says: a text atom marked as a container would hide its text.
const ATOMS = new Set([TEXT_CHARS_ATOM, TEXT_BYTES_ATOM, CSTRING, EX_OLE_OBJ_STG]);

/**
 * The texts of a presentation's `PowerPoint Document` stream, given its `Current User` stream.
 * Throws NotWhatItClaims for an encrypted presentation (its Current User says so) or one that
 * embeds a file (an ExOleObjStg record: nothing here reads it, so it would cross unread) and
 * BrokenText when the tree does not add up: a record longer than its container, or a container
 * ending inside a header. Without a PowerPoint 97 Current User (not a file PowerPoint 97 opens)
 * the tree is read all the same, and a tree that does not add up returns null (not the format).
 * Every record is looked at once (an explicit stack of container ends, no recursion): linear.
 */
export function pptText(doc: Uint8Array, currentUser: Uint8Array | undefined): string[] | null {
  const token = currentUser && currentUser.length >= 16 ? u32(currentUser, 12) : undefined;
  if (token === TOKEN_ENCRYPTED) throw new NotWhatItClaims('an encrypted PowerPoint presentation: its text cannot be read, so it does not cross');
  try {
    return recordTexts(doc);
  } catch (err) {
    if (token !== TOKEN_PLAIN && err instanceof BrokenText) return null;
    throw err;
  }
}

function recordTexts(doc: Uint8Array): string[] {
  const out: string[] = [];
  const ends: number[] = [];
  for (let at = 0; ;) {
    while (ends.length > 0 && at === ends[ends.length - 1]) ends.pop();
    const limit = ends[ends.length - 1] ?? doc.length;
    // A few bytes after the last record are not one.
    if (ends.length === 0 && doc.length - at < 8) break;
    if (limit - at < 8) throw new BrokenText('a container ending inside a record header');
    const recVer = u16(doc, at) & 0x0f;
    const type = u16(doc, at + 2);
    const length = u32(doc, at + 4);
    const body = at + 8;
    if (length > limit - body) throw new BrokenText('a record longer than its container');
    if (recVer === 0x0f && !ATOMS.has(type)) {
      ends.push(body + length);
      at = body;
      continue;
    }
    if (type === EX_OLE_OBJ_STG) throw new NotWhatItClaims('carries an embedded file (an OLE object) that cannot be read, so it does not cross');
    if (type === TEXT_CHARS_ATOM || type === CSTRING) out.push(utf16(bytesAt(doc, body, length)));
    else if (type === TEXT_BYTES_ATOM) out.push(latin1(bytesAt(doc, body, length)));
    at = body + length;
  }
  return out;
}
