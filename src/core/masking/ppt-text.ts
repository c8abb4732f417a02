// Owns the text a PowerPoint 97–2003 presentation (.ppt) shows: the text atoms and strings of its
// `PowerPoint Document` stream, found by walking its record tree ([MS-PPT] 2.3.1 RecordHeader) and
// the records its persist directory points at:
// slides, notes, masters, comments, hyperlinks, headers and footers, each edit a save appended.
import { strFromU8, unzipSync } from 'fflate';
import { MAX_XML_TEXT, NotWhatItClaims, TOO_MUCH_TEXT } from './not-what-it-claims.js';
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

const USER_EDIT_ATOM = 0x0ff5;
// [MS-PPT] 2.9.1 FontEntityAtom: lfFaceName, 32 UTF-16 units ending at a NUL (the font box shows it).
const FONT_ENTITY_ATOM = 0x0fb7;
// A zip's local file header ("PK\3\4"), little-endian.
const ZIP_LOCAL_HEADER = 0x04034b50;
const MAX_UNZIPPED = 100 * 1024 * 1024;
const PERSIST_DIRECTORY_ATOM = 0x1772;

/**
 * The texts of a presentation's `PowerPoint Document` stream, given its `Current User` stream.
 * PowerPoint reaches its slides by offsets ([MS-PPT] 2.1.2: Current User → UserEditAtom →
 * PersistDirectoryAtom → each persist object), not by walking the stream, so both are read: the
 * record tree from the start, then each record those offsets point at that the walk did not reach
 * (one hidden inside an atom's data), as a tree of its own; an offset past the stream is passed
 * over (PowerPoint shows nothing there). Throws NotWhatItClaims for an encrypted presentation (its
 * Current User says so) or one that embeds a file (an ExOleObjStg record: nothing here reads it,
 * so it would cross unread) and BrokenText when a tree does not add up: a record longer than its
 * container, or a container ending inside a header, or the records looked at and persist entries
 * read add up to more than half the stream's bytes (offsets made to walk one region again and
 * again; an honest file's add up to at most three eighths). Without a PowerPoint 97 Current User
 * (not a file PowerPoint 97 opens) the tree is read all the same, and a tree that does not add up
 * returns null (not the format). Linear (an explicit stack of container ends, no recursion).
 */
export function pptText(doc: Uint8Array, currentUser: Uint8Array | undefined): string[] | null {
  const token = currentUser && currentUser.length >= 16 ? u32(currentUser, 12) : undefined;
  if (token === TOKEN_ENCRYPTED) throw new NotWhatItClaims('an encrypted PowerPoint presentation: its text cannot be read, so it does not cross');
  try {
    const walk = new Walk(doc);
    walk.range(0, doc.length, true);
    if (currentUser && currentUser.length >= 20) walk.follow(u32(currentUser, 16));
    walk.followAll();
    return walk.out;
  } catch (err) {
    if (token !== TOKEN_PLAIN && err instanceof BrokenText) return null;
    throw err;
  }
}

class Walk {
  readonly out: string[] = [];
  // Where a record header was looked at; offsets still to follow.
  readonly #seen = new Set<number>();
  readonly #queue: number[] = [];
  #budget: number;
  #unzipped = 0;
  #text = 0;

  constructor(readonly doc: Uint8Array) {
    this.#budget = doc.length / 2 + 4096;
  }

  follow(at: number): void {
    this.#queue.push(at);
  }

  /** Each offset followed, a record the walk did not reach read as a tree of its own. */
  followAll(): void {
    for (let at = this.#queue.pop(); at !== undefined; at = this.#queue.pop()) {
      if (this.#seen.has(at) || at + 8 > this.doc.length) continue;
      const length = u32(this.doc, at + 4);
      if (length > this.doc.length - at - 8) continue;
      this.range(at, at + 8 + length, false);
    }
  }

  #spend(n: number): void {
    this.#budget -= n;
    if (this.#budget < 0) throw new BrokenText('persist offsets walking the stream again and again');
  }

  /** The records in [from, to): the stream's top level when `top` (a few bytes after the last record are not one). */
  range(from: number, to: number, top: boolean): void {
    const { doc, out } = this;
    const ends: number[] = [];
    for (let at = from; ;) {
      while (ends.length > 0 && at === ends[ends.length - 1]) ends.pop();
      const limit = ends[ends.length - 1] ?? to;
      if (ends.length === 0 && (top ? to - at < 8 : at >= to)) break;
      if (limit - at < 8) throw new BrokenText('a container ending inside a record header');
      this.#seen.add(at);
      this.#spend(1);
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
      else if (type === FONT_ENTITY_ATOM) out.push(utf16(bytesAt(doc, body, Math.min(length, 64))).replace(/\0[^]*$/, ''));
      else if (length >= 4 && u32(doc, body) === ZIP_LOCAL_HEADER) this.#package(bytesAt(doc, body, length));
      else if (type === USER_EDIT_ATOM && length >= 16) {
        // [MS-PPT] 2.3.3: offsetLastEdit, offsetPersistDirectory.
        this.follow(u32(doc, body + 8));
        this.follow(u32(doc, body + 12));
      } else if (type === PERSIST_DIRECTORY_ATOM) this.#persist(body, body + length);
      at = body + length;
    }
  }

  /**
   * An Office Open XML package kept in an atom (PowerPoint 2007 and later: [MS-PPT] 2.11
   * RoundTripContentMasterInfo12, RoundTripTheme12, … a slide layout with its shapes, a theme):
   * each XML part's text, its tags read as nothing, and the part as it is (attributes). Compressed,
   * so not in the stream's bytes. At most MAX_UNZIPPED bytes for all of a stream's packages (BrokenText),
   * and MAX_XML_TEXT of their XML (NotWhatItClaims: reading holds ~5–6× it); one that does not unzip is BrokenText.
   */
  #package(zip: Uint8Array): void {
    let files: Record<string, Uint8Array>;
    try {
      files = unzipSync(zip, {
        filter: (f) => {
          this.#unzipped += f.originalSize;
          if (this.#unzipped > MAX_UNZIPPED) throw new BrokenText('packages unpacking to more than 100 MB');
          if (!/\.(xml|rels|vml)$/i.test(f.name)) return false;
          this.#text += f.originalSize;
          if (this.#text > MAX_XML_TEXT) throw new NotWhatItClaims(TOO_MUCH_TEXT);
          return true;
        },
      });
    } catch (err) {
      throw err instanceof BrokenText || err instanceof NotWhatItClaims ? err : new BrokenText('a package that does not unzip');
    }
    for (const xml of Object.values(files)) {
      const text = strFromU8(xml);
      this.out.push(text.replace(/<[^>]*>/g, ''), text);
    }
  }

  /** [MS-PPT] 2.3.5 PersistDirectoryEntry: persistId (20 bits) and cPersist (12 bits), then cPersist offsets. */
  #persist(from: number, to: number): void {
    for (let at = from; at + 4 <= to;) {
      const count = u32(this.doc, at) >>> 20;
      at += 4;
      this.#spend(count + 1);
      for (let k = 0; k < count && at + 4 <= to; k++, at += 4) this.follow(u32(this.doc, at));
    }
  }
}
