// Owns HEIC, HEIF and AVIF pictures (ISO/IEC 23008-12, the AV1 Image File Format; ISO BMFF boxes
// read with video-boxes.ts): the picture's image items and their properties kept, every other item
// (Exif, XMP, a `mime` or `uri ` item, a depth map) removed with its entries and its bytes, and
// every box but the picture's set to `free` with its bytes zero. Kept is listed, not removed, as
// for a video (video-metadata.ts), and nothing moves: the `meta` box is written anew in its own
// place with a `free` box after it, the media data's bytes no kept item takes are zeroed where they
// stand, so the kept items' offsets (`iloc`) stay as they were and no offset is rewritten.
import { concat } from '../concat-bytes.js';
import { ascii, be32, type Box, children, NotAVideo } from '../video-boxes.js';
import { decoderConfig } from '../video-sample-entries.js';
import { be32Bytes, freed, keptBrands, zeroOutside } from '../video-tables.js';
import { NotAnImage } from './bytes.js';
import { type Item, itemTables, type ItemTables, type Location, single } from './heif-items.js';

/** HEIF brands (ISO/IEC 23008-12: HEIC, HEIF image and sequence, AVIF): a file naming one is a picture, not a video. */
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'mif2', 'msf1', 'avif', 'avis']);

/**
 * True when `b` is a HEIC or AVIF picture: an ISO BMFF `ftyp` box whose major or a compatible brand
 * is a HEIF one (HEIF_BRANDS; an MP4 video names none).
 */
export function isHeif(b: Uint8Array): boolean {
  if (b.length < 16 || ascii(b, 4, 4) !== 'ftyp') return false;
  const size = Math.min(be32(b, 0), b.length, 4096);
  for (let at = 8; at + 4 <= size; at += at === 8 ? 8 : 4) if (HEIF_BRANDS.has(ascii(b, at, 4))) return true;
  return false;
}

/** Brands a HEIF reader knows (ISO/IEC 23008-12 §10, MIAF ISO/IEC 23000-22, AVIF §7, ISO BMFF's own); any other is dropped. */
const BRANDS = new Set([...HEIF_BRANDS, 'miaf', 'MiHE', 'MiHA', 'MiHB', 'MiAn', 'MiPr', 'MiCm', 'MiCs', 'ma1b', 'ma1a', 'iso8', 'isom', 'tmap']);

/** Image items kept: coded pictures (HEVC, AV1) and pictures derived from them (a grid of tiles, an overlay, a rotated identity). */
const CODED = new Set(['hvc1', 'av01']);
const DERIVED = new Set(['grid', 'iovl', 'iden']);

/** References kept between kept items: tiles (`dimg`), a thumbnail (`thmb`), an alpha plane (`auxl`), its premultiplication (`prem`). */
const KEPT_REFERENCES = new Set(['dimg', 'thmb', 'auxl', 'prem']);

/** Auxiliary pictures kept (`auxC` type): alpha planes, which a viewer draws. A depth map, a matte or a gain map is not drawn: removed. */
const ALPHA = new Set(['urn:mpeg:mpegB:cicp:systems:auxiliary:alpha', 'urn:mpeg:hevc:2015:auxid:1']);

/** Top-level boxes: the file type, the one `meta`, the media data; `free`/`skip` kept empty; any other freed. */
const TOP = new Set(['ftyp', 'meta', 'mdat', 'free', 'skip']);

/**
 * Item properties kept (ISO/IEC 23008-12 §6.5), by the bytes a reader takes: decoder configurations
 * and colour boxes as a video's sample entry keeps them (video-sample-entries.ts decoderConfig:
 * hvcC and av1C without SEI or metadata units, colr's ICC profile without its text); `ispe` its
 * size, `pixi` its channels' depths, `irot`/`imir` their 2 and 1 bits, `auxC` an alpha type's name
 * (ALPHA), `a1op` and `lsel` their layer. Any other property (`udes` a description, `altt` a text,
 * `crtt`/`mdft` times, a private one) is freed.
 */
const PROPERTIES: Readonly<Record<string, (c: PropertyCleaner, box: Box) => void>> = {
  hvcC: (c, box) => decoderConfig(c, box),
  av1C: (c, box) => decoderConfig(c, box),
  colr: (c, box) => decoderConfig(c, box),
  clap: (c, box) => decoderConfig(c, box),
  pasp: (c, box) => decoderConfig(c, box),
  clli: (c, box) => decoderConfig(c, box),
  mdcv: (c, box) => decoderConfig(c, box),
  ispe: (c, box) =>
    c.fields(box, 12, [
      [0, 1],
      [4, 12],
    ]),
  pixi: (c, box) =>
    c.fields(box, 5 + ((c.b[box.data + 4] as number) || 0), [
      [0, 1],
      [4, 5 + ((c.b[box.data + 4] as number) || 0)],
    ]),
  irot: (c, box) => c.bits(box, 3),
  imir: (c, box) => c.bits(box, 1),
  a1op: (c, box) => c.fields(box, 1, [[0, 1]]),
  lsel: (c, box) => c.fields(box, 2, [[0, 2]]),
  auxC: (c, box) => {
    const name = nulString(c.b, box, 4);
    if (name === null || !ALPHA.has(name)) return c.free(box);
    c.fields(box, 5 + name.length, [
      [0, 1],
      [4, 5 + name.length],
    ]);
  },
};

/** The file as cleaned (`out`, a copy of `b`): what decoderConfig needs to cut or free a property box in place. */
class PropertyCleaner {
  constructor(
    readonly b: Uint8Array,
    readonly out: Uint8Array,
  ) {}
  free(box: Box): void {
    freed(this.b, this.out, box);
  }
  kids(start: number, end: number): Box[] {
    const boxes = children(this.b, start, end);
    this.out.fill(0, boxes.length ? (boxes[boxes.length - 1] as Box).end : start, end);
    return boxes;
  }
  /** A box of at least `length` data bytes keeping `kept` of them (zeroOutside), or freed when shorter. */
  fields(box: Box, length: number, kept: readonly (readonly [number, number])[]): void {
    if (box.end - box.data < length) return this.free(box);
    zeroOutside(this.out, box, kept);
  }
  /** A one-byte property keeping the bits `mask` names (its reserved ones zero). */
  bits(box: Box, mask: number): void {
    if (box.end - box.data < 1) return this.free(box);
    this.out.fill(0, box.data, box.end);
    this.out[box.data] = (this.b[box.data] as number) & mask;
  }
}

/** The ASCII string at `from` in a box's data up to its NUL, or null without one. */
function nulString(b: Uint8Array, box: Box, from: number): string | null {
  const end = b.subarray(box.data + from, box.end).indexOf(0);
  return end < 0 ? null : String.fromCharCode(...b.subarray(box.data + from, box.data + from + end));
}

/**
 * A HEIC or AVIF picture without its metadata, as long as it was, and its type (`image/avif` when
 * its pictures are AV1, else `image/heic`). Kept: the primary item, the items it is derived from
 * (`dimg`: a grid's tiles), its thumbnails and alpha planes (keptItems); their entries in `iinf`
 * (names emptied), `iloc` (as they were), `iref` (KEPT_REFERENCES between kept items), `ipma` (to
 * properties kept, PROPERTIES); `idat` and the media data only where kept items' bytes are.
 * NotAnImage when its boxes or tables do not read (heif-items.ts), it is an image sequence
 * (`moov`), its primary item is not a picture read here, a kept item needs a property that is not
 * kept (marked essential), its bytes are not in a media data box or `idat`, or a grid or overlay
 * does not say exactly its tiles. Linear in its length and its items.
 */
export function stripHeif(b: Uint8Array): { bytes: Uint8Array; contentType: string } {
  try {
    return cleaned(b);
  } catch (err) {
    throw err instanceof NotAVideo ? new NotAnImage(`a HEIF picture whose boxes do not walk (${err.message})`) : err;
  }
}

function cleaned(b: Uint8Array): { bytes: Uint8Array; contentType: string } {
  const out = new Uint8Array(b);
  const top = children(b, 0, b.length);
  out.fill(0, top.length ? (top[top.length - 1] as Box).end : 0, b.length);
  const metas = top.filter((x) => x.type === 'meta');
  const mdats = top.filter((x) => x.type === 'mdat');
  if (top.some((x) => x.type === 'moov' || x.type === 'moof')) throw new NotAnImage('a HEIF image sequence, whose tracks are not read here');
  if (metas.length !== 1) throw new NotAnImage(metas.length ? 'a HEIF picture with two meta boxes' : 'a HEIF picture without its meta box');
  const meta = metas[0] as Box;
  if (meta.end - meta.data < 4 || b[meta.data] !== 0) throw new NotAnImage('a HEIF meta box of a version not read here');
  const byType = single(children(b, meta.data + 4, meta.end), 'meta box');
  const hdlr = byType.get('hdlr');
  if (!hdlr || hdlr.end - hdlr.data < 12 || ascii(b, hdlr.data + 8, 4) !== 'pict') throw new NotAnImage('a HEIF meta box whose handler is not a picture');
  const t = itemTables(b, byType);
  const kept = keptItems(b, t);
  const props = new PropertyCleaner(b, out);
  const keptProperties = cleanProperties(t, kept, props);

  // The bytes kept items take: in a media data box (method 0), or in `idat` (method 1).
  const idat = byType.get('idat');
  const inFile: [number, number][] = [];
  const inIdat: [number, number][] = [];
  for (const id of kept) {
    const item = t.items.get(id) as Item;
    const where = t.locations.get(id);
    derivation(b, t, item, where?.method === 1 && idat ? idat.data : 0);
    if (!where) {
      if (item.type === 'iden') continue;
      throw new NotAnImage(`a HEIF ${item.type} item without its bytes`);
    }
    for (const [from, to] of where.extents) {
      if (where.method === 1) inIdat.push([from, to]);
      else if (mdats.some((m) => m.data <= from && to <= m.end)) inFile.push([from, to]);
      else throw new NotAnImage('a HEIF picture whose image bytes are not in its media data');
    }
  }

  for (const box of top) {
    if (box.type === 'ftyp') {
      if (!keptBrands(b, out, box, BRANDS, 'mif1')) throw new NotAnImage('a HEIF picture whose file type box is not its first');
    } else if (box.type === 'mdat') zeroedBut(out, box.data, box.end, inFile, 0);
    else if (!TOP.has(box.type) || box.type === 'free' || box.type === 'skip') freed(b, out, box);
  }

  const written = writtenMeta(b, out, t, byType, kept, keptProperties, idat, inIdat);
  const left = meta.end - meta.at - written.length;
  if (left < 0) throw new NotAnImage('a HEIF meta box that does not fit its place once cleaned');
  out.fill(0, meta.at, meta.end);
  // The bytes the cleaned meta box no longer takes: a `free` box, or (fewer than 8, no box fits)
  // zeros inside the meta box after its handler's empty name, which readers skip.
  const meta2 = left > 0 && left < 8 ? writtenMeta(b, out, t, byType, kept, keptProperties, idat, inIdat, left) : written;
  out.set(meta2, meta.at);
  if (left >= 8) out.set([...be32Bytes(left), 0x66, 0x72, 0x65, 0x65], meta.at + written.length);
  const avif = [...kept].some((id) => t.items.get(id)?.type === 'av01');
  return { bytes: out, contentType: avif ? 'image/avif' : 'image/heic' };
}

/**
 * The items kept: the primary one (a coded or derived picture, else NotAnImage), every item a kept
 * one is derived from (`dimg`, each a picture read here, else NotAnImage), and every coded picture
 * that is the thumbnail (`thmb`) or an alpha plane (`auxl` with an ALPHA `auxC`) of a kept one.
 */
function keptItems(b: Uint8Array, t: ItemTables): Set<number> {
  const kept = new Set<number>();
  const keep = (id: number) => {
    if (kept.has(id)) return;
    const type = (t.items.get(id) as Item).type;
    if (!CODED.has(type) && !DERIVED.has(type)) throw new NotAnImage(`a HEIF picture made of a ${type} item, not read here`);
    kept.add(id);
    for (const r of t.references) if (r.type === 'dimg' && r.from === id) r.to.forEach(keep);
  };
  keep(t.primary);
  for (let grew = true; grew;) {
    grew = false;
    for (const r of t.references) {
      if (kept.has(r.from) || !CODED.has((t.items.get(r.from) as Item).type) || !r.to.some((id) => kept.has(id))) continue;
      if (r.type === 'thmb' || (r.type === 'auxl' && isAlpha(b, t, r.from))) {
        keep(r.from);
        grew = true;
      }
    }
  }
  return kept;
}

/** True when item `id` has an `auxC` property naming an alpha plane (ALPHA). */
function isAlpha(b: Uint8Array, t: ItemTables, id: number): boolean {
  for (const m of t.maps)
    for (const a of m.entries.get(id) ?? []) {
      const p = t.properties[a.index - 1] as Box;
      if (p.type !== 'auxC') continue;
      const name = nulString(b, p, 4);
      if (name !== null && ALPHA.has(name)) return true;
    }
  return false;
}

/**
 * Every property in `ipco` cleaned in place (PROPERTIES), or freed when no kept item has it or it
 * is not listed. Returns the indices kept; NotAnImage when a kept item marks essential a property
 * that is freed (a reader must not show the item without it).
 */
function cleanProperties(t: ItemTables, kept: ReadonlySet<number>, c: PropertyCleaner): Set<number> {
  const used = new Set<number>();
  for (const m of t.maps) for (const [id, list] of m.entries) if (kept.has(id)) for (const a of list) used.add(a.index);
  t.properties.forEach((box, k) => {
    const clean = PROPERTIES[box.type];
    if (used.has(k + 1) && clean) clean(c, box);
    else c.free(box);
  });
  const keptIndices = new Set([...used].filter((i) => ascii(c.out, (t.properties[i - 1] as Box).at + 4, 4) !== 'free'));
  for (const m of t.maps)
    for (const [id, list] of m.entries)
      if (kept.has(id) && list.some((a) => a.essential && !keptIndices.has(a.index)))
        throw new NotAnImage('a HEIF picture needing a property that is not kept');
  if (t.ipco) c.out.fill(0, t.properties.length ? (t.properties[t.properties.length - 1] as Box).end : t.ipco.data, t.ipco.end);
  return keptIndices;
}

/**
 * A derived picture's description (ISO/IEC 23008-12 §6.6.2): a grid's (rows × columns tiles, its
 * size in 16 or 32 bits) and an overlay's (fill colour, size, each tile's place) exactly as long as
 * their fields, with one `dimg` reference to as many tiles; an identity transform (`iden`) derived
 * from one picture. NotAnImage otherwise: bytes past the fields could carry text.
 */
function derivation(b: Uint8Array, t: ItemTables, item: Item, base: number): void {
  if (!DERIVED.has(item.type)) return;
  const refs = t.references.filter((r) => r.type === 'dimg' && r.from === item.id);
  const tiles = refs.length === 1 ? (refs[0] as { to: readonly number[] }).to.length : -1;
  if (item.type === 'iden') {
    if (tiles !== 1) throw new NotAnImage('a HEIF identity picture not derived from one picture');
    return;
  }
  const where = t.locations.get(item.id);
  const data = concat((where?.extents ?? []).map(([from, to]) => b.subarray(base + from, base + to)));
  const wide = ((data[1] as number) & 1) === 1;
  const size = wide ? 4 : 2;
  const expected = item.type === 'grid' ? 4 + 2 * size : 2 + 8 + 2 * size + Math.max(tiles, 0) * 2 * size;
  const count = item.type === 'grid' ? ((data[2] as number) + 1) * ((data[3] as number) + 1) : tiles;
  if (data[0] !== 0 || data.length !== expected || tiles !== count) throw new NotAnImage(`a HEIF ${item.type} picture that does not read as one`);
}

/** Bytes from `from` to `to` zeroed in `out` but those of the ranges `kept` (counted from `base`). */
function zeroedBut(out: Uint8Array, from: number, to: number, kept: readonly (readonly [number, number])[], base: number): void {
  const ranges = [...kept].map(([s, e]) => [base + s, base + e] as const).sort((x, y) => x[0] - y[0]);
  let pos = from;
  for (const [s, e] of ranges) {
    if (e <= pos || s >= to) continue;
    if (s > pos) out.fill(0, pos, s);
    pos = Math.max(pos, e);
  }
  if (pos < to) out.fill(0, pos, to);
}

/** A box of `type` holding `parts`; a full box when `head` (version and flags) is given. */
function box(type: string, parts: readonly Uint8Array[], head?: number): Uint8Array {
  const body = concat(head === undefined ? parts : [Uint8Array.from(be32Bytes(head)), ...parts]);
  return concat([Uint8Array.from([...be32Bytes(8 + body.length), ...[...type].map((ch) => ch.charCodeAt(0))]), body]);
}

/** `n` as a big-endian number of `size` bytes (0, 2, 4 or 8). */
const num = (n: number, size: number): Uint8Array =>
  size === 8 ? concat([num(Math.floor(n / 2 ** 32), 4), num(n % 2 ** 32, 4)]) : Uint8Array.from(be32Bytes(n).slice(4 - size));

/**
 * The `meta` box written anew: a handler (`pict`, its name empty, `slack` zero bytes after it),
 * then the boxes a reader needs in their order: `pitm`, `iinf` (kept items, names emptied), `iloc`
 * (kept items' entries as they were), `iref` (KEPT_REFERENCES between kept items), `iprp` (`ipco`
 * as cleaned in `out`, each `ipma` to kept properties only), `idat` (zero but kept items' bytes),
 * `dinf` (this file). Any other box (`grpl`, `xml `, `udta`…) is left out.
 */
function writtenMeta(
  b: Uint8Array,
  out: Uint8Array,
  t: ItemTables,
  byType: ReadonlyMap<string, Box>,
  kept: ReadonlySet<number>,
  keptProperties: ReadonlySet<number>,
  idat: Box | undefined,
  inIdat: readonly (readonly [number, number])[],
  slack = 0,
): Uint8Array {
  const parts: Uint8Array[] = [box('hdlr', [new Uint8Array(4), Uint8Array.from([0x70, 0x69, 0x63, 0x74]), new Uint8Array(13 + slack)], 0)];
  const ids = [...t.items.keys()].filter((id) => kept.has(id));
  for (const child of byType.values()) {
    const v = b[child.data] as number;
    if (child.type === 'pitm') parts.push(box('pitm', [num(t.primary, v === 0 ? 2 : 4)], v === 0 ? 0 : 1 << 24));
    else if (child.type === 'iinf') {
      const infes = ids.map((id) => {
        const item = t.items.get(id) as Item;
        const flags = item.hidden ? 1 : 0;
        return box(
          'infe',
          [num(id, item.version === 2 ? 2 : 4), new Uint8Array(2), Uint8Array.from([...item.type].map((ch) => ch.charCodeAt(0))), new Uint8Array(1)],
          (item.version << 24) | flags,
        );
      });
      parts.push(box('iinf', [num(ids.length, t.iinfVersion === 0 ? 2 : 4), ...infes], t.iinfVersion === 0 ? 0 : 1 << 24));
    } else if (child.type === 'iloc') {
      // Each kept item's entry written anew from what was read: its id, method, data reference 0
      // (this file), base offset, and per extent no index, its offset and length; the reserved bits
      // and an unused extent index, which could carry bytes of their own, are zero.
      const [sizes, more] = [b[child.data + 4] as number, v === 0 ? (b[child.data + 5] as number) & 0xf0 : (b[child.data + 5] as number)];
      const [offsetSize, lengthSize, baseSize, indexSize] = [sizes >> 4, sizes & 15, more >> 4, v ? more & 15 : 0];
      const located = ids.filter((id) => t.locations.has(id));
      const entries = located.flatMap((id) => {
        const l = t.locations.get(id) as Location;
        return [
          num(id, v < 2 ? 2 : 4),
          ...(v ? [num(l.method, 2)] : []),
          new Uint8Array(2),
          num(l.base, baseSize),
          num(l.extents.length, 2),
          ...l.extents.flatMap(([from, to]) => [new Uint8Array(indexSize), num(from - l.base, offsetSize), num(to - from, lengthSize)]),
        ];
      });
      parts.push(box('iloc', [Uint8Array.of(sizes, more), num(located.length, v < 2 ? 2 : 4), ...entries], v << 24));
    } else if (child.type === 'iref') {
      const size = t.irefVersion === 0 ? 2 : 4;
      const refs = t.references
        .filter((r) => KEPT_REFERENCES.has(r.type) && kept.has(r.from))
        .map((r) => ({ ...r, to: r.to.filter((id) => kept.has(id)) }))
        .filter((r) => r.to.length)
        .map((r) => box(r.type, [num(r.from, size), num(r.to.length, 2), ...r.to.map((id) => num(id, size))]));
      if (refs.length) parts.push(box('iref', refs, t.irefVersion << 24));
    } else if (child.type === 'iprp') {
      const maps = t.maps.map((m) => {
        const wide = (m.flags & 1) === 1;
        const rows = [...m.entries].filter(([id]) => kept.has(id));
        return box(
          'ipma',
          [
            num(rows.length, 4),
            ...rows.flatMap(([id, list]) => {
              const keptList = list.filter((a) => keptProperties.has(a.index));
              return [
                num(id, m.version < 1 ? 2 : 4),
                Uint8Array.of(keptList.length),
                ...keptList.map((a) => (wide ? num((a.essential ? 0x8000 : 0) | a.index, 2) : Uint8Array.of((a.essential ? 0x80 : 0) | a.index))),
              ];
            }),
          ],
          (m.version << 24) | (m.flags & 1),
        );
      });
      parts.push(box('iprp', [...(t.ipco ? [out.slice(t.ipco.at, t.ipco.end)] : []), ...maps]));
    } else if (child.type === 'idat' && idat) {
      const data = b.slice(idat.data, idat.end);
      zeroedBut(data, 0, data.length, inIdat, 0);
      parts.push(box('idat', [data]));
    } else if (child.type === 'dinf') {
      // A data reference to this file only (ISO/IEC 14496-12 §8.7.2: `url ` with flag 1); kept items' bytes are in it (readLocations).
      parts.push(box('dinf', [box('dref', [num(1, 4), box('url ', [], 1)], 0)]));
    }
  }
  return box('meta', parts, 0);
}
