// Owns the error a document handler throws when a file is not what it claims or cannot be read as
// its application shows it: the part is removed with the message as the reason.
export class NotWhatItClaims extends Error {}

/**
 * Unzipped size limit, in bytes, of the parts a document's packages give to be read as text (an
 * Office package's XML and plain-text parts, nested packages included, a .ppt's zipped layouts),
 * all of one document's together. Reading holds ~5–6× their size while it runs (the part as a
 * string, the text as shown, the folded readings): 8 MB of XML +61 MB of RSS, 24 MB +141, 95 MB +487
 * (a 331 KB attachment; `npx tsx bench/document-memory.ts MB`). 16 MB is a Word document of ~1 000
 * pages (~11 KB of XML a page; 500–700 when heavily edited) or a sheet of ~40 000 rows × 10
 * columns; a larger one is removed rather than let one attachment take ~100 MB more of a pool
 * thread (round 13's attack pass: a 100 KB .docx held ~600 MB).
 */
export const MAX_XML_TEXT = 16 * 1024 * 1024;
/** The reason a document past MAX_XML_TEXT is removed with. */
export const TOO_MUCH_TEXT = 'holds more than 16 MB of text to read, more than the gateway reads for one document';
