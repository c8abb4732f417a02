// Owns reading the text a PDF shows, for the question "does it name someone?": every page's text
// content and every link target, read by PDF.js (pdfjs-dist, Mozilla's reader: it inflates
// FlateDecode and the other stream filters and maps glyphs to characters through the fonts'
// encodings and ToUnicode maps, which a search of the raw bytes cannot). Text inside a PDF is not
// rewritten: it is drawn glyph by glyph with fonts subset to the characters used, so replacing a
// name safely is not possible; a PDF whose text names someone is removed instead (part-handlers).
// PDF.js is loaded on the first PDF a thread reads (its minified builds: a third of the parse
// time), with its worker code in the same thread (`globalThis.pdfjsWorker`, PDF.js's own hook for
// a worker-less reader), not at start-up: most threads never see a PDF.
import { Inflate } from 'fflate';
import { looksLikePdf } from './document-metadata.js';

type PdfJs = typeof import('pdfjs-dist');
let loading: Promise<PdfJs> | null = null;

function pdfjs(): Promise<PdfJs> {
  loading ??= (async () => {
    const worker = await import('pdfjs-dist/legacy/build/pdf.worker.min.mjs');
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = worker;
    return (await import('pdfjs-dist/legacy/build/pdf.min.mjs')) as PdfJs;
  })();
  return loading;
}

/** Pages read at most: past this the rest of a document is not searched, and it is refused. */
export const MAX_PDF_PAGES = 2000;

/**
 * Bytes a PDF's streams may inflate to, all together (as MAX_UNZIPPED for Office files): PDF.js
 * inflates a content stream whole, so a 1.5 MB file of deflated spaces took 2.8 GB and 32 s.
 */
export const MAX_PDF_INFLATED = 100 * 1024 * 1024;

/** Time the pages may take to read (checked between pages): pages sharing one big content stream are read once each. */
export const MAX_PDF_READ_MS = 30_000;

export class UnreadablePdf extends Error {}

export interface PdfBounds {
  readonly maxInflated?: number;
  readonly maxReadMs?: number;
}

const STREAM = Buffer.from('stream');
const END_STREAM = Buffer.from('endstream');

/**
 * What the PDF's streams inflate to, in bytes, up to `limit` (+1 when past it). Every stream is
 * tried, whatever its dictionary names as its filter (a filter can hide behind a reference), then
 * its output again while it still looks deflated (a filter chain): zlib with a cap on its output,
 * reading a truncated stream as far as it goes (PDF.js does too). Raw bytes, not parsed objects:
 * every `stream` keyword starts one.
 */
export function inflatedSize(bytes: Uint8Array, limit: number): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let total = 0;
  let at = buf.indexOf(STREAM);
  while (at >= 0 && total <= limit) {
    if (at >= 3 && buf.toString('latin1', at - 3, at) === 'end') {
      at = buf.indexOf(STREAM, at + STREAM.length);
      continue;
    }
    // The data starts after the end of the line (PDF.js skips to the next line), and is read to the
    // end of the file: inflating stops at the deflate data's own end, so neither a lying /Length
    // nor an `endstream` inside the compressed bytes cuts it short.
    const eol = buf.indexOf(0x0a, at);
    const start = eol >= 0 && eol - at < 256 ? eol + 1 : at + STREAM.length;
    const end = buf.indexOf(END_STREAM, start);
    let data: Uint8Array | null = buf.subarray(start);
    for (let layer = 0; layer < 4 && data && total <= limit; layer++) {
      const r = inflateUpTo(data, limit - total);
      if (r === null) break;
      if (r === 'too much') return limit + 1;
      total += r.size;
      data = r.out;
    }
    at = end < 0 ? -1 : buf.indexOf(STREAM, end + END_STREAM.length);
  }
  return total;
}

/**
 * `data` inflated to at most `max` bytes as PDF.js's FlateDecode reads it (a 2-byte zlib header
 * naming deflate, then raw deflate, a truncated end read as far as it goes); 'too much' past `max`;
 * null when it is not deflate. The output is kept only when it looks deflated again (a filter chain).
 */
function inflateUpTo(data: Uint8Array, max: number): { size: number; out: Uint8Array | null } | 'too much' | null {
  if (data.length < 3 || ((data[0] as number) & 0x0f) !== 8) return null;
  let size = 0;
  const chunks: Uint8Array[] = [];
  let keep = true;
  const inflate = new Inflate((chunk) => {
    if (size === 0) keep = ((chunk[0] ?? 0) & 0x0f) === 8;
    size += chunk.length;
    if (size > max) throw new RangeError('too much');
    if (keep) chunks.push(chunk);
  });
  try {
    // In small slices: fflate hands out what one push inflates at once (deflate expands at most
    // ~1 032 times, so 4 KiB in is at most ~4 MiB out before the cap is looked at).
    for (let at = 2; at < data.length; at += 4096) inflate.push(data.subarray(at, Math.min(at + 4096, data.length)), at + 4096 >= data.length);
  } catch (err) {
    if (err instanceof RangeError && err.message === 'too much') return 'too much';
    // Damaged or truncated: what came out before counts.
  }
  if (size === 0) return null;
  if (!keep) return { size, out: null };
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return { size, out };
}

/**
 * The PDF's text as readings to search: each page's items joined without and with spaces (a
 * PDF often places "John" and "Smith" as separate items), and link targets (URI actions).
 * Throws UnreadablePdf when PDF.js cannot read it, it has more than MAX_PDF_PAGES pages, its
 * streams inflate past MAX_PDF_INFLATED bytes, or its pages take longer than MAX_PDF_READ_MS.
 */
export async function pdfReadings(bytes: Uint8Array, bounds: PdfBounds = {}): Promise<string[]> {
  // PDF.js is loaded (~30 MB a thread) and run only on what begins as a PDF.
  if (!looksLikePdf(bytes)) throw new UnreadablePdf('not a PDF (no %PDF- header)');
  const maxInflated = bounds.maxInflated ?? MAX_PDF_INFLATED;
  if (inflatedSize(bytes, maxInflated) > maxInflated)
    throw new UnreadablePdf(`a PDF whose contents inflate to too much (more than ${maxInflated / 1024 / 1024} MiB)`);
  const deadline = performance.now() + (bounds.maxReadMs ?? MAX_PDF_READ_MS);
  const { getDocument } = await pdfjs();
  // PDF.js takes the buffer over (transfers it): give it a copy.
  const task = getDocument({
    data: bytes.slice(),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
  });
  try {
    const doc = await task.promise.catch(() => {
      throw new UnreadablePdf('a PDF whose text could not be read');
    });
    if (doc.numPages > MAX_PDF_PAGES) throw new UnreadablePdf(`a PDF of more than ${MAX_PDF_PAGES} pages`);
    const out: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      if (n > 1 && performance.now() > deadline) throw new UnreadablePdf('a PDF that takes too long to read');
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const items = content.items.map((i) => ('str' in i ? i.str : ''));
      out.push(items.join(''), items.join(' '));
      for (const a of (await page.getAnnotations()) as { url?: string; unsafeUrl?: string }[]) {
        if (a.url) out.push(a.url);
        if (a.unsafeUrl) out.push(a.unsafeUrl);
      }
      page.cleanup();
    }
    return out;
  } finally {
    await task.destroy();
  }
}
