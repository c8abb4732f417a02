// Owns telling, from a part's declared type and its first bytes alone, that masking removes it
// whatever follows: the parse then keeps only those bytes of a large one, not the whole file
// (relay/parse-collect.ts; issue 14, README "Speed", round 21). Never a guess: each case is one
// masking itself decides by no more than this (part-table.ts readingByType; a PDF's header within
// its first KiB, document-pdf.ts looksLikePdf), so the part is removed with the same note either way.
import { looksLikePdf } from './document-pdf.js';
import { readingByType } from './part-table.js';

/**
 * True when masking removes a part declared `contentType` that begins with `start` (at least its
 * first KiB and a few bytes, or all of it), whatever its name and the rest of its bytes: its type
 * is not in the table or is removed by type (a metafile), or it is declared a PDF and does not
 * begin as one. The content filter sees such a part as no allowed type, by the same bytes.
 */
export function removedByStart(contentType: string, start: Uint8Array): boolean {
  const reading = readingByType(contentType);
  if (reading === undefined) return false;
  if (reading === null || 'removed' in reading) return true;
  return reading.kind === 'pdf' && !looksLikePdf(start);
}
