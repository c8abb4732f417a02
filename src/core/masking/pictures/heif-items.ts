// Owns reading a HEIF picture's item tables (ISO/IEC 23008-12 §9, ISO/IEC 14496-12 §8.11): its
// items (`iinf`), where their bytes are (`iloc`), how they refer to each other (`iref`), their
// properties (`iprp`: `ipco`, `ipma`) and its primary item (`pitm`). Read only, with the ISO BMFF
// box reader the video cleaner uses (video-boxes.ts); pictures/heif.ts writes what is kept.
import { ascii, type Box, children } from '../video-boxes.js';
import { NotAnImage } from './bytes.js';

/** An item (`infe`, version 2 or 3): its id, type (`hvc1`, `av01`, `grid`, `Exif`, `mime`…), hidden flag, and the entry's version. */
export interface Item {
  readonly id: number;
  readonly type: string;
  readonly hidden: boolean;
  readonly version: number;
}

/** Where an item's bytes are (`iloc`): in the file (method 0) or the `idat` box (method 1), its base offset, and its extents as [from, to) ranges counted from the file's or idat's start. */
export interface Location {
  readonly method: 0 | 1;
  readonly base: number;
  readonly extents: readonly (readonly [number, number])[];
}

/** An item reference (`iref`): its type (`dimg`, `thmb`, `auxl`, `cdsc`…), from one item to others, in order. */
export interface Reference {
  readonly type: string;
  readonly from: number;
  readonly to: readonly number[];
}

/** An item's property (`ipma`): its 1-based index in `ipco`, and whether a reader must understand it to show the item. */
export interface Association {
  readonly essential: boolean;
  readonly index: number;
}

/** An item property association box (`ipma`): its version and flags (which say its fields' widths), and its entries by item. */
export interface PropertyMap {
  readonly box: Box;
  readonly version: number;
  readonly flags: number;
  readonly entries: ReadonlyMap<number, readonly Association[]>;
}

/** The tables of a `meta` box, read. */
export interface ItemTables {
  readonly primary: number;
  readonly items: ReadonlyMap<number, Item>;
  readonly iinfVersion: number;
  readonly iloc: Box;
  readonly locations: ReadonlyMap<number, Location>;
  readonly irefVersion: number;
  readonly references: readonly Reference[];
  /** The `ipco` box and its properties, in order (index 1 is the first). */
  readonly ipco: Box | null;
  readonly properties: readonly Box[];
  readonly maps: readonly PropertyMap[];
}

/** Reads big-endian numbers from `at` up to `end`: NotAnImage past it, or for a number past 2^53. */
class Cursor {
  constructor(
    private readonly b: Uint8Array,
    public at: number,
    private readonly end: number,
    private readonly what: string,
  ) {}
  n(size: number): number {
    if (this.at + size > this.end) throw new NotAnImage(`a HEIF ${this.what} box runs past its end`);
    let v = 0;
    for (let i = 0; i < size; i++) v = v * 256 + (this.b[this.at + i] as number);
    this.at += size;
    if (!Number.isSafeInteger(v)) throw new NotAnImage(`a HEIF ${this.what} box with a number past any file`);
    return v;
  }
}

/** Boxes read here that a `meta` or `iprp` box holds at most one of (ISO/IEC 23008-12 §9.3: `ipma` may be there more than once). */
const ONCE = new Set(['hdlr', 'pitm', 'iinf', 'iloc', 'iref', 'iprp', 'idat', 'dinf', 'ipco']);

/** The children of a box by type, the first of each; NotAnImage when one read here (ONCE) is there twice. */
export function single(boxes: readonly Box[], what: string): Map<string, Box> {
  const byType = new Map<string, Box>();
  for (const box of boxes) {
    if (byType.has(box.type) && ONCE.has(box.type)) throw new NotAnImage(`a HEIF ${what} with two ${box.type} boxes`);
    if (!byType.has(box.type)) byType.set(box.type, box);
  }
  return byType;
}

/**
 * The item tables of a `meta` box's children (`byType`: single). NotAnImage when a table is missing (pitm, iinf, iloc) or
 * does not read, an entry names an item `iinf` does not declare (or one twice), an item is
 * protected, its bytes are in another file, located through other items (construction method 2),
 * to the end of the file (length 0) or past its box, or two items' bytes overlap.
 */
export function itemTables(b: Uint8Array, byType: ReadonlyMap<string, Box>): ItemTables {
  const pitm = byType.get('pitm');
  const iinf = byType.get('iinf');
  const iloc = byType.get('iloc');
  if (!pitm || !iinf || !iloc) throw new NotAnImage('a HEIF picture without its primary item, item list or item locations');
  const items = readItems(b, iinf);
  const idat = byType.get('idat');
  const has = (id: number, what: string) => {
    if (!items.has(id)) throw new NotAnImage(`a HEIF ${what} names an item the picture does not have`);
    return id;
  };
  const p = new Cursor(b, pitm.data, pitm.end, 'pitm');
  const pitmVersion = p.n(1);
  p.n(3);
  const primary = has(p.n(pitmVersion === 0 ? 2 : 4), 'primary item');
  const locations = readLocations(b, iloc, has);
  noOverlaps(locations, idat);
  const iref = byType.get('iref');
  const references = iref ? readReferences(b, iref, has) : [];
  const iprp = byType.get('iprp');
  const prp = iprp ? single(children(b, iprp.data, iprp.end), 'item property box') : new Map<string, Box>();
  const ipco = prp.get('ipco') ?? null;
  const properties = ipco ? children(b, ipco.data, ipco.end) : [];
  const maps: PropertyMap[] = [];
  const mapped = new Set<number>();
  for (const box of iprp ? children(b, iprp.data, iprp.end) : []) if (box.type === 'ipma') maps.push(readMap(b, box, properties.length, has, mapped));
  return {
    primary,
    items,
    iinfVersion: b[iinf.data] as number,
    iloc,
    locations,
    irefVersion: iref ? (b[iref.data] as number) : 0,
    references,
    ipco,
    properties,
    maps,
  };
}

/** `iinf` (ISO/IEC 14496-12 §8.11.6): as many `infe` boxes as its count, each version 2 or 3, unprotected, ids distinct. */
function readItems(b: Uint8Array, iinf: Box): Map<number, Item> {
  const c = new Cursor(b, iinf.data, iinf.end, 'iinf');
  const version = c.n(1);
  c.n(3);
  const count = c.n(version === 0 ? 2 : 4);
  const entries = children(b, c.at, iinf.end);
  if (entries.length !== count || entries.some((e) => e.type !== 'infe')) throw new NotAnImage('a HEIF item list whose count is not its entries');
  const items = new Map<number, Item>();
  for (const infe of entries) {
    const e = new Cursor(b, infe.data, infe.end, 'infe');
    const v = e.n(1);
    const flags = e.n(3);
    if (v !== 2 && v !== 3) throw new NotAnImage(`a HEIF item entry of version ${v}, not read here`);
    const id = e.n(v === 2 ? 2 : 4);
    if (e.n(2) !== 0) throw new NotAnImage('a protected HEIF item, whose bytes are not read here');
    e.n(4);
    if (items.has(id)) throw new NotAnImage('a HEIF item list naming an item twice');
    items.set(id, { id, type: ascii(b, e.at - 4, 4), hidden: (flags & 1) === 1, version: v });
  }
  return items;
}

/** `iloc` (§8.11.3), versions 0-2: each item's extents, in this file (data reference 0), by method 0 or 1, none empty. */
function readLocations(b: Uint8Array, iloc: Box, has: (id: number, what: string) => number): Map<number, Location> {
  const c = new Cursor(b, iloc.data, iloc.end, 'iloc');
  const version = c.n(1);
  c.n(3);
  if (version > 2) throw new NotAnImage(`a HEIF item location box of version ${version}, not read here`);
  const sizes = c.n(1);
  const more = c.n(1);
  const [offsetSize, lengthSize, baseSize, indexSize] = [sizes >> 4, sizes & 15, more >> 4, version ? more & 15 : 0];
  if (![offsetSize, lengthSize, baseSize, indexSize].every((s) => s === 0 || s === 4 || s === 8))
    throw new NotAnImage('a HEIF item location box with fields of no allowed width');
  const locations = new Map<number, Location>();
  for (let n = c.n(version < 2 ? 2 : 4); n > 0; n--) {
    const id = has(c.n(version < 2 ? 2 : 4), 'item location');
    const method = version ? c.n(2) & 15 : 0;
    if (method !== 0 && method !== 1) throw new NotAnImage(`a HEIF item located by construction method ${method}, not read here`);
    if (c.n(2) !== 0) throw new NotAnImage('a HEIF item whose bytes are in another file');
    const base = c.n(baseSize);
    const extents: [number, number][] = [];
    for (let k = c.n(2); k > 0; k--) {
      c.n(indexSize);
      const from = base + c.n(offsetSize);
      const length = c.n(lengthSize);
      if (length === 0) throw new NotAnImage('a HEIF item whose extent runs to the end of the file');
      extents.push([from, from + length]);
    }
    if (locations.has(id)) throw new NotAnImage('a HEIF item location box naming an item twice');
    locations.set(id, { method, base, extents });
  }
  return locations;
}

/** NotAnImage when two extents in the file, or two in `idat`, overlap, or one in `idat` runs past it. */
function noOverlaps(locations: ReadonlyMap<number, Location>, idat: Box | undefined): void {
  for (const method of [0, 1]) {
    const all = [...locations.values()].filter((l) => l.method === method).flatMap((l) => l.extents);
    all.sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < all.length; i++)
      if ((all[i] as readonly [number, number])[0] < (all[i - 1] as readonly [number, number])[1]) throw new NotAnImage('a HEIF picture whose items overlap');
    const last = all[all.length - 1];
    if (method === 1 && last && (!idat || idat.data + last[1] > idat.end)) throw new NotAnImage('a HEIF item runs past its item data box');
  }
}

/** `iref` (§8.11.12), version 0 (16-bit ids) or 1: each reference box's type, from and to. */
function readReferences(b: Uint8Array, iref: Box, has: (id: number, what: string) => number): Reference[] {
  const version = b[iref.data] as number;
  if (version > 1) throw new NotAnImage(`a HEIF item reference box of version ${version}, not read here`);
  const size = version === 0 ? 2 : 4;
  return children(b, iref.data + 4, iref.end).map((r) => {
    const c = new Cursor(b, r.data, r.end, 'iref');
    const from = has(c.n(size), 'item reference');
    const to: number[] = [];
    for (let n = c.n(2); n > 0; n--) to.push(has(c.n(size), 'item reference'));
    return { type: r.type, from, to };
  });
}

/** `ipma` (ISO/IEC 23008-12 §9.3.3): each item's property indices (7 or 15 bits by flag 1) and essential bits; an index past `ipco` is NotAnImage. */
function readMap(b: Uint8Array, ipma: Box, properties: number, has: (id: number, what: string) => number, mapped: Set<number>): PropertyMap {
  const c = new Cursor(b, ipma.data, ipma.end, 'ipma');
  const version = c.n(1);
  const flags = c.n(3);
  const entries = new Map<number, Association[]>();
  for (let n = c.n(4); n > 0; n--) {
    const id = has(c.n(version < 1 ? 2 : 4), 'property association');
    if (mapped.has(id)) throw new NotAnImage('a HEIF property association naming an item twice');
    mapped.add(id);
    const list: Association[] = [];
    for (let k = c.n(1); k > 0; k--) {
      const v = c.n(flags & 1 ? 2 : 1);
      const high = flags & 1 ? 0x8000 : 0x80;
      const index = v & (high - 1);
      if (index > properties) throw new NotAnImage('a HEIF property association naming a property the picture does not have');
      if (index) list.push({ essential: (v & high) !== 0, index });
    }
    entries.set(id, list);
  }
  return { box: ipma, version, flags, entries };
}
