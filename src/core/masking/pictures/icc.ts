// Owns the ICC colour profile's text: a profile kept by any format (JPEG, PNG, TIFF, WebP, BMP) has
// its description, copyright and device names blanked, its numbers kept (iccWithoutText).
import { ascii } from './bytes.js';

/**
 * ICC tag types (ICC.1:2022 §10) whose data is numbers a colour engine reads: curves, matrices,
 * lookup tables, XYZ values, chromaticities, measurement and viewing conditions, a signature, a date,
 * Apple's video card gamma. Any other type (`desc`, `mluc`, `text`, a colorant table's or a named
 * colour's names, `data`, `dict`, a private one) is text or may be: blanked by iccWithoutText.
 */
const ICC_NUMBER_TYPES = new Set([
  'curv',
  'para',
  'XYZ ',
  'sf32',
  'uf32',
  'ui08',
  'ui16',
  'ui32',
  'ui64',
  'mft1',
  'mft2',
  'mAB ',
  'mBA ',
  'mpet',
  'chrm',
  'meas',
  'view',
  'sig ',
  'dtim',
  'vcgt',
  'cicp',
]);

/**
 * A copy of the ICC profile `p` (ICC.1: a 128-byte header, a tag table of signature, offset and
 * size, the tags' data) with its text blanked: every tag whose type is not ICC_NUMBER_TYPES keeps
 * its type and, for a `desc` (v2) its string length and for an `mluc` (v4) its records, every other
 * byte zero (so a profile's description, copyright, device names read as empty strings); bytes no
 * tag names, what follows the profile's own size, and the profile ID (an MD5 of what it was; zero
 * means "not computed") are zero too. Null when `p` is not an ICC profile (no `acsp`, a size past
 * its bytes, a tag past its size): the caller drops it. Round-18 attack: a TIFF's, WebP's or BMP's
 * profile was kept raw and searched for the writer only, so another person's address in its
 * description crossed.
 */
export function iccWithoutText(p: Uint8Array): Uint8Array | null {
  const be32 = (o: number) => (((p[o] as number) << 24) | ((p[o + 1] as number) << 16) | ((p[o + 2] as number) << 8) | (p[o + 3] as number)) >>> 0;
  if (p.length < 132 || ascii(p, 36, 4) !== 'acsp') return null;
  const size = be32(0);
  const count = be32(128);
  if (size < 132 || size > p.length || count > (size - 132) / 12) return null;
  const out = new Uint8Array(p.length);
  out.set(p.subarray(0, 132 + 12 * count));
  out.fill(0, 84, 100);
  // The bytes of a tag's data kept: a number type's own length (a curve's 2-byte entries, a
  // parametric curve's parameters, fixed records), not more than its table entry says; a text
  // type's type and, for `desc` (v2) its string length, for `mluc` (v4) its record table.
  const PARA = [1, 3, 4, 5, 7];
  const kept = (type: string, at: number, len: number): number => {
    if (type === 'curv') return 12 + 2 * be32(at + 8);
    if (type === 'para') return 12 + 4 * (PARA[((p[at + 8] as number) << 8) | (p[at + 9] as number)] ?? 0);
    if (type === 'sig ') return 12;
    if (type === 'dtim') return 20;
    if (type === 'meas' || type === 'view') return 36;
    if (type === 'chrm') return 12 + 8 * (((p[at + 8] as number) << 8) | (p[at + 9] as number));
    if (ICC_NUMBER_TYPES.has(type)) return len;
    if (type === 'desc') return 12;
    if (type === 'mluc' && len >= 16) return 16 + 12 * be32(at + 8);
    return 8;
  };
  const tags: [number, number, boolean][] = [];
  for (let i = 0; i < count; i++) {
    const at = be32(132 + 12 * i + 4);
    const len = be32(132 + 12 * i + 8);
    if (at + len > size || len < 8) return null;
    const type = ascii(p, at, 4);
    out.set(p.subarray(at, at + Math.min(len, kept(type, at, len))), at);
    tags.push([at, len, ICC_NUMBER_TYPES.has(type)]);
  }
  // Tags may share or overlap their data (a v2 profile's rTRC, gTRC, bTRC): a text type's strings
  // copied as part of another's range are blanked again.
  for (const [at, len, number] of tags) if (!number) out.fill(0, at + Math.min(len, kept(ascii(p, at, 4), at, len)), at + len);
  return out;
}
