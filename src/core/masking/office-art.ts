// Owns the text a legacy Office file's drawings keep as shape properties rather than as text:
// WordArt (gtextUNICODE), a shape's name, alternative text, tooltip and hyperlink, a picture's file
// name ([MS-ODRAW] 2.3 property sets, in an OfficeArtFOPT record). The application shows them (on
// the slide, in the selection pane, the alt-text box, a hover), in .doc (the table stream's
// OfficeArtContent), .xls (MsoDrawing records) and .ppt (PPDrawing containers) alike.
import { unzlibSync } from 'fflate';
import { metafileTexts, RAW_LIMIT } from './metafile-text.js';
import { BrokenText, u16, u32, utf16 } from './ole-bytes.js';

// OfficeArtFOPT, OfficeArtSecondaryFOPT, OfficeArtTertiaryFOPT ([MS-ODRAW] 2.2.9–2.2.11): recVer 3.
const FOPT_TYPES = new Set([0xf00b, 0xf121, 0xf122]);
const FOPT_VER = 0x3;
// Complex properties whose data is UTF-16 text the application shows ([MS-ODRAW] 2.3, by id):
// pibName 0x0105, fillBlipName 0x0187, gtextUNICODE 0x00C0, wzName 0x0380, wzDescription 0x0381,
// pihlShape 0x0382 (an IHlink, [MS-OSHARED] 2.3.7.1, whose strings are UTF-16), wzTooltip 0x038D.
const TEXT_PROPS = new Set([0x0105, 0x0187, 0x00c0, 0x0380, 0x0381, 0x0382, 0x038d]);
const COMPLEX = 0x8000;
const ID = 0x3fff;

/**
 * The texts of every OfficeArtFOPT record in `bytes` (an OfficeArt stream or the concatenation of
 * a workbook's drawing records), found at any byte rather than by walking the drawing tree: the
 * application reaches a drawing by offsets kept elsewhere, so one hidden inside another record is
 * still found. Each text property as UTF-16LE (a hyperlink in both byte alignments). Throws
 * BrokenText when the property tables read add up to more than twice `bytes` (overlapping records
 * made to cost quadratic time; records that do not overlap add up to at most its length). Linear.
 */
export function officeArtTexts(bytes: Uint8Array): string[] {
  const out: string[] = [];
  let budget = 2 * bytes.length + 4096;
  for (let at = 0; at + 8 <= bytes.length; at++) {
    // recType's high byte 0xF0/0xF1 at +3 is rare: test it before anything else.
    const high = bytes[at + 3];
    if (high !== 0xf0 && high !== 0xf1) continue;
    if (!FOPT_TYPES.has(u16(bytes, at + 2))) continue;
    const head = u16(bytes, at);
    if ((head & 0x0f) !== FOPT_VER) continue;
    const count = head >>> 4;
    const length = u32(bytes, at + 4);
    const body = at + 8;
    if (length > bytes.length - body || count * 6 > length) continue;
    budget -= count * 6;
    if (budget < 0) throw new BrokenText('drawing property tables overlapping past any honest file');
    let data = body + count * 6;
    const end = body + length;
    for (let k = 0; k < count; k++) {
      const id = u16(bytes, body + k * 6);
      if (!(id & COMPLEX)) continue;
      const size = u32(bytes, body + k * 6 + 2);
      // A complex property past the record's end: not a record the application reads.
      if (size > end - data) break;
      if (TEXT_PROPS.has(id & ID)) {
        const text = bytes.subarray(data, data + size);
        out.push(utf16(text));
        if ((id & ID) === 0x0382) out.push(utf16(text.subarray(1)));
      }
      data += size;
    }
  }
  return out;
}

// OfficeArtBlipEMF, OfficeArtBlipWMF ([MS-ODRAW] 2.2.24, 2.2.25): recVer 0, recInstance 0x3D4/0x3D5
// (EMF) or 0x216/0x217 (WMF), the odd one with a second 16-byte UID.
const BLIP_INSTANCES: ReadonlyMap<number, ReadonlySet<number>> = new Map([
  [0xf01a, new Set([0x3d4, 0x3d5])],
  [0xf01b, new Set([0x216, 0x217])],
]);
/** OfficeArtMetafileHeader ([MS-ODRAW] 2.2.31): cbSize, rcBounds, ptSize, cbSave, compression, filter. */
const METAFILE_HEADER = 34;
const DEFLATE = 0x00;
const UNCOMPRESSED = 0xfe;

/**
 * The texts the EMF and WMF pictures (OfficeArt blips) in `bytes` draw (metafile-text.ts
 * metafileTexts), found at any byte as officeArtTexts finds its records: a .doc's `Data` and
 * `WordDocument` streams, a .ppt's `Pictures` stream, a workbook's drawing group records joined.
 * A compressed blip (DEFLATE, zlib-wrapped) is inflated up to its stated size, all of them together
 * at most `limit` bytes (BrokenText past it, so a picture cannot unpack without bound). A blip
 * that does not inflate or is no metafile is not read (its bytes stay in the search for the writer).
 * Linear in `bytes` plus what inflates.
 */
export function officeArtPictureTexts(bytes: Uint8Array, limit = 100 * 1024 * 1024): string[] {
  const out: string[] = [];
  let left = limit;
  // The raw data all its pictures keep, read as text (metafile-text.ts), shares one limit.
  const raw = { left: RAW_LIMIT };
  for (let at = 0; at + 8 <= bytes.length; at++) {
    if (bytes[at + 3] !== 0xf0) continue;
    const instances = BLIP_INSTANCES.get(u16(bytes, at + 2));
    const head = u16(bytes, at);
    if (!instances || (head & 0x0f) !== 0 || !instances.has(head >>> 4)) continue;
    const length = u32(bytes, at + 4);
    const body = at + 8;
    if (length > bytes.length - body) continue;
    const meta = body + ((head >>> 4) & 1 ? 32 : 16);
    if (meta + METAFILE_HEADER > body + length) continue;
    const size = u32(bytes, meta);
    const saved = u32(bytes, meta + 28);
    const compression = bytes[meta + 32];
    const data = bytes.subarray(meta + METAFILE_HEADER, Math.min(body + length, meta + METAFILE_HEADER + saved));
    let picture: Uint8Array | null = null;
    if (compression === UNCOMPRESSED) picture = data;
    else if (compression === DEFLATE) {
      // DEFLATE unpacks at most ~1032 times its size: a larger stated size is not allocated.
      const most = Math.min(size, data.length * 1032 + 1024);
      left -= most;
      if (left < 0) throw new BrokenText('pictures that unpack past any honest file');
      try {
        picture = unzlibSync(data, { out: new Uint8Array(most) });
      } catch {
        picture = null;
      }
    }
    const texts = picture && metafileTexts(picture, raw);
    if (texts) out.push(...texts);
  }
  return out;
}
