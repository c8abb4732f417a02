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
import { be32Bytes, freed, keptBrands, keptChildren, zeroOutside } from '../video-tables.js';
import { NotAnImage } from './bytes.js';
import { type Association, type Item, itemTables, type ItemTables, type Location, type Reference, single } from './heif-items.js';

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
  hvcC: decoderConfig,
  av1C: decoderConfig,
  colr: decoderConfig,
  clap: decoderConfig,
  pasp: decoderConfig,
  clli: decoderConfig,
  mdcv: decoderConfig,
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
    const name = alphaName(c.b, box);
    if (name === null) return c.free(box);
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
    return keptChildren(this.b, this.out, start, end);
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

/** The longest alpha type's name (ALPHA): an `auxC` is read no further. */
const ALPHA_LENGTH = Math.max(...[...ALPHA].map((name) => name.length));

/**
 * The alpha type (ALPHA) an `auxC` property names (its NUL-ended name after version and flags), or
 * null for any other: at most ALPHA_LENGTH + 1 bytes read, so a property of megabytes is not read
 * whole once per reference to its item, nor spread into one call (round-21 attack: a stack overflow).
 */
function alphaName(b: Uint8Array, box: Box): string | null {
  const from = box.data + 4;
  const end = b.subarray(from, Math.min(box.end, from + ALPHA_LENGTH + 1)).indexOf(0);
  if (end < 0) return null;
  const name = String.fromCharCode(...b.subarray(from, from + end));
  return ALPHA.has(name) ? name : null;
}

/**
 * A HEIC or AVIF picture without its metadata, as long as it was, and its type (`image/avif` when
 * its pictures are AV1, else `image/heic`). Kept: the primary item, the items it is derived from
 * (`dimg`: a grid's tiles), its thumbnails and alpha planes (keptItems); their entries in `iinf`
 * (names emptied), `iloc` (the same offsets, reserved bits zero), `iref` (KEPT_REFERENCES between
 * kept items), `ipma` (to
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
  const dimg = new Map<number, Reference[]>();
  for (const r of t.references) if (r.type === 'dimg') listed(dimg, r.from).push(r);
  const kept = keptItems(b, t, dimg);
  const props = new PropertyCleaner(b, out);
  const keptProperties = cleanProperties(t, kept, props);

  // The bytes kept items take: in a media data box (method 0), or in `idat` (method 1).
  const idat = byType.get('idat');
  const inFile: [number, number][] = [];
  const inIdat: [number, number][] = [];
  for (const id of kept) {
    const item = t.items.get(id) as Item;
    const where = t.locations.get(id);
    derivation(b, t, item, where?.method === 1 && idat ? idat.data : 0, dimg);
    if (!where) {
      if (item.type === 'iden') continue;
      throw new NotAnImage(`a HEIF ${item.type} item without its bytes`);
    }
    for (const [from, to] of where.extents) {
      if (where.method === 1) inIdat.push([from, to]);
      else if (inBox(mdats, from, to)) inFile.push([from, to]);
      else throw new NotAnImage('a HEIF picture whose image bytes are not in its media data');
    }
  }

  for (const box of top) {
    if (box.type === 'ftyp') {
      if (!keptBrands(b, out, box, BRANDS, 'mif1')) throw new NotAnImage('a HEIF picture whose file type box is not its first');
    } else if (box.type !== 'mdat' && (!TOP.has(box.type) || box.type === 'free' || box.type === 'skip')) freed(b, out, box);
  }
  zeroedBut(out, mdats, inFile, 0);

  // The meta box written anew in its own place (its cleaned properties copied from `out` first).
  // What it no longer takes becomes a `free` box after it or, fewer than 8 bytes (no box fits),
  // zeros inside it after its handler's empty name, which readers skip.
  const place = new Uint8Array(meta.end - meta.at);
  let w = new Writer(place);
  writeMeta(w, b, out, t, byType, kept, keptProperties, inIdat, 0);
  const left = place.length - w.at;
  if (left > 0 && left < 8) {
    place.fill(0);
    w = new Writer(place);
    writeMeta(w, b, out, t, byType, kept, keptProperties, inIdat, left);
  }
  if (left >= 8) place.set([...be32Bytes(left), 0x66, 0x72, 0x65, 0x65], w.at);
  out.set(place, meta.at);
  const avif = [...kept].some((id) => t.items.get(id)?.type === 'av01');
  return { bytes: out, contentType: avif ? 'image/avif' : 'image/heic' };
}

/**
 * The items kept: the primary one (a coded or derived picture, else NotAnImage), every item a kept
 * one is derived from (`dimg`, each a picture read here, else NotAnImage), and every coded picture
 * that is the thumbnail (`thmb`) or an alpha plane (`auxl` with an ALPHA `auxC`) of a kept one.
 */
function keptItems(b: Uint8Array, t: ItemTables, dimg: ReadonlyMap<number, readonly Reference[]>): Set<number> {
  // References to each item (a thumbnail's and an alpha plane's point at their picture), so every
  // reference is looked at once per item kept: linear, however many a file declares.
  const to = new Map<number, Reference[]>();
  for (const r of t.references) if (r.type === 'thmb' || r.type === 'auxl') for (const id of r.to) listed(to, id).push(r);
  // Whether an item is an alpha plane, judged once per item from its properties indexed once
  // (round-21 attack: 500 000 references from one item, each reading every ipma box and a 4 MB auxC).
  const associations = new Map<number, readonly Association[]>();
  for (const m of t.maps) for (const [id, list] of m.entries) associations.set(id, list);
  const alpha = new Map<number, boolean>();
  const isAlpha = (id: number): boolean => {
    let yes = alpha.get(id);
    if (yes === undefined) alpha.set(id, (yes = (associations.get(id) ?? []).some((a) => alphaProperty(b, t, a.index))));
    return yes;
  };
  const kept = new Set<number>();
  const queue: number[] = [];
  const keep = (id: number) => {
    if (kept.has(id)) return;
    const type = (t.items.get(id) as Item).type;
    if (!CODED.has(type) && !DERIVED.has(type)) throw new NotAnImage(`a HEIF picture made of a ${type} item, not read here`);
    kept.add(id);
    queue.push(id);
  };
  keep(t.primary);
  while (queue.length) {
    const id = queue.pop() as number;
    for (const r of dimg.get(id) ?? []) r.to.forEach(keep);
    for (const r of to.get(id) ?? [])
      if (!kept.has(r.from) && CODED.has((t.items.get(r.from) as Item).type) && (r.type === 'thmb' || isAlpha(r.from))) keep(r.from);
  }
  return kept;
}

/** True when property `index` (1-based) is an `auxC` naming an alpha plane (ALPHA). */
function alphaProperty(b: Uint8Array, t: ItemTables, index: number): boolean {
  const p = t.properties[index - 1] as Box;
  return p.type === 'auxC' && alphaName(b, p) !== null;
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
function derivation(b: Uint8Array, t: ItemTables, item: Item, base: number, dimg: ReadonlyMap<number, readonly Reference[]>): void {
  if (!DERIVED.has(item.type)) return;
  const refs = dimg.get(item.id) ?? [];
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

/** The list `map` holds for `key`, made empty when it has none. */
function listed<T>(map: Map<number, T[]>, key: number): T[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}

/** True when [from, to) lies in one of `boxes`' data (boxes in file order: a binary search, as a file may hold many). */
function inBox(boxes: readonly Box[], from: number, to: number): boolean {
  let lo = 0;
  let hi = boxes.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = boxes[mid] as Box;
    if (from < m.data) hi = mid - 1;
    else if (from >= m.end) lo = mid + 1;
    else return to <= m.end;
  }
  return false;
}

/**
 * Bytes of `boxes` (in file order) zeroed in `out` but those of `kept`, ranges each inside one of
 * them and none overlapping (heif-items.ts noOverlaps), counted from `base`: one sweep, sorted once.
 */
function zeroedBut(
  out: Uint8Array,
  boxes: readonly { readonly data: number; readonly end: number }[],
  kept: readonly (readonly [number, number])[],
  base: number,
): void {
  const ranges = [...kept].sort((x, y) => x[0] - y[0]);
  let k = 0;
  for (const box of boxes) {
    let pos = box.data;
    for (; k < ranges.length && base + (ranges[k] as readonly [number, number])[0] < box.end; k++) {
      const [s, e] = ranges[k] as readonly [number, number];
      out.fill(0, pos, base + s);
      pos = base + e;
    }
    out.fill(0, pos, box.end);
  }
}

/** Writes boxes into `bytes` (the meta box's own place): NotAnImage past its end, so a cleaned meta box never outgrows it. */
class Writer {
  at = 0;
  constructor(readonly bytes: Uint8Array) {}
  room(n: number): number {
    if (this.at + n > this.bytes.length) throw new NotAnImage('a HEIF meta box that does not fit its place once cleaned');
    const at = this.at;
    this.at += n;
    return at;
  }
  /** `v` big-endian in `size` bytes (0, 1, 2, 4 or 8). */
  n(v: number, size: number): void {
    const at = this.room(size);
    for (let i = size - 1; i >= 0; i--, v = Math.floor(v / 256)) this.bytes[at + i] = v % 256;
  }
  raw(b: Uint8Array): void {
    this.bytes.set(b, this.room(b.length));
  }
  zeros(n: number): void {
    this.bytes.fill(0, this.room(n), this.at);
  }
  type(type: string): void {
    for (const ch of type) this.n(ch.charCodeAt(0), 1);
  }
  /** A box of `type` (a full box when `head`, its version and flags, is given) holding what `body` writes. */
  box(type: string, body: () => void, head?: number): void {
    const start = this.at;
    this.n(0, 4);
    this.type(type);
    if (head !== undefined) this.n(head, 4);
    body();
    this.bytes.set(be32Bytes(this.at - start), start);
  }
}

/**
 * The `meta` box written anew in `w`: a handler (`pict`, its name empty, `slack` zero bytes after
 * it), then the boxes a reader needs in their order: `pitm`, `iinf` (kept items, names emptied),
 * `iloc` (kept items' entries), `iref` (KEPT_REFERENCES between kept items), `iprp` (`ipco` as
 * cleaned in `out`, each `ipma` to kept properties only), `idat` (zero but kept items' bytes),
 * `dinf` (this file). Any other box (`grpl`, `xml `, `udta`…) is left out.
 */
function writeMeta(
  w: Writer,
  b: Uint8Array,
  out: Uint8Array,
  t: ItemTables,
  byType: ReadonlyMap<string, Box>,
  kept: ReadonlySet<number>,
  keptProperties: ReadonlySet<number>,
  inIdat: readonly (readonly [number, number])[],
  slack: number,
): void {
  const ids = [...t.items.keys()].filter((id) => kept.has(id));
  w.box(
    'meta',
    () => {
      w.box(
        'hdlr',
        () => {
          w.zeros(4);
          w.type('pict');
          w.zeros(13 + slack);
        },
        0,
      );
      for (const child of byType.values()) {
        const v = b[child.data] as number;
        if (child.type === 'pitm') w.box('pitm', () => w.n(t.primary, v === 0 ? 2 : 4), v === 0 ? 0 : 1 << 24);
        else if (child.type === 'iinf') {
          w.box(
            'iinf',
            () => {
              w.n(ids.length, t.iinfVersion === 0 ? 2 : 4);
              for (const id of ids) {
                const item = t.items.get(id) as Item;
                w.box(
                  'infe',
                  () => {
                    w.n(id, item.version === 2 ? 2 : 4);
                    w.zeros(2);
                    w.type(item.type);
                    w.zeros(1);
                  },
                  (item.version << 24) | (item.hidden ? 1 : 0),
                );
              }
            },
            t.iinfVersion === 0 ? 0 : 1 << 24,
          );
        } else if (child.type === 'iloc') {
          // Each kept item's entry written anew from what was read: its id, method, data reference 0
          // (this file), base offset, and per extent no index, its offset and length; the reserved
          // bits and an unused extent index, which could carry bytes of their own, are zero.
          const sizes = b[child.data + 4] as number;
          const more = v === 0 ? (b[child.data + 5] as number) & 0xf0 : (b[child.data + 5] as number);
          const [offsetSize, lengthSize, baseSize, indexSize] = [sizes >> 4, sizes & 15, more >> 4, v ? more & 15 : 0];
          const located = ids.filter((id) => t.locations.has(id));
          w.box(
            'iloc',
            () => {
              w.n(sizes, 1);
              w.n(more, 1);
              w.n(located.length, v < 2 ? 2 : 4);
              for (const id of located) {
                const l = t.locations.get(id) as Location;
                w.n(id, v < 2 ? 2 : 4);
                if (v) w.n(l.method, 2);
                w.zeros(2);
                w.n(l.base, baseSize);
                w.n(l.extents.length, 2);
                for (const [from, to] of l.extents) {
                  w.zeros(indexSize);
                  w.n(from - l.base, offsetSize);
                  w.n(to - from, lengthSize);
                }
              }
            },
            v << 24,
          );
        } else if (child.type === 'iref') {
          const size = t.irefVersion === 0 ? 2 : 4;
          const refs = t.references
            .filter((r) => KEPT_REFERENCES.has(r.type) && kept.has(r.from))
            .map((r) => ({ ...r, to: r.to.filter((id) => kept.has(id)) }))
            .filter((r) => r.to.length);
          if (refs.length)
            w.box(
              'iref',
              () => {
                for (const r of refs)
                  w.box(r.type, () => {
                    w.n(r.from, size);
                    w.n(r.to.length, 2);
                    for (const id of r.to) w.n(id, size);
                  });
              },
              t.irefVersion << 24,
            );
        } else if (child.type === 'iprp') {
          w.box('iprp', () => {
            if (t.ipco) w.raw(out.subarray(t.ipco.at, t.ipco.end));
            for (const m of t.maps) {
              const wide = (m.flags & 1) === 1;
              const rows = [...m.entries].filter(([id]) => kept.has(id));
              w.box(
                'ipma',
                () => {
                  w.n(rows.length, 4);
                  for (const [id, list] of rows) {
                    const keptList = list.filter((a) => keptProperties.has(a.index));
                    w.n(id, m.version < 1 ? 2 : 4);
                    w.n(keptList.length, 1);
                    for (const a of keptList) w.n((a.essential ? (wide ? 0x8000 : 0x80) : 0) | a.index, wide ? 2 : 1);
                  }
                },
                (m.version << 24) | (m.flags & 1),
              );
            }
          });
        } else if (child.type === 'idat') {
          w.box('idat', () => {
            const at = w.at;
            w.raw(b.subarray(child.data, child.end));
            zeroedBut(w.bytes, [{ data: at, end: w.at }], inIdat, at);
          });
        } else if (child.type === 'dinf') {
          // A data reference to this file only (ISO/IEC 14496-12 §8.7.2: `url ` with flag 1): kept items' bytes are in it (readLocations).
          w.box('dinf', () =>
            w.box(
              'dref',
              () => {
                w.n(1, 4);
                w.box('url ', () => undefined, 1);
              },
              0,
            ),
          );
        }
      }
    },
    0,
  );
}
