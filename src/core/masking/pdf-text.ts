// Owns reading the text a PDF shows, for the question "does it name someone?": every page's text
// content and every link target, read by PDF.js (pdfjs-dist, Mozilla's reader: it inflates
// FlateDecode and the other stream filters and maps glyphs to characters through the fonts'
// encodings and ToUnicode maps, which a search of the raw bytes cannot). Text inside a PDF is not
// rewritten: it is drawn glyph by glyph with fonts subset to the characters used, so replacing a
// name safely is not possible; a PDF whose text names someone is removed instead (part-handlers).
// PDF.js is loaded on the first PDF a thread reads (its minified builds: a third of the parse
// time), with its worker code in the same thread (`globalThis.pdfjsWorker`, PDF.js's own hook for
// a worker-less reader), not at start-up: most threads never see a PDF.
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

export class UnreadablePdf extends Error {}

/**
 * The PDF's text as readings to search: each page's items joined without and with spaces (a
 * PDF often places "John" and "Smith" as separate items), and link targets (URI actions).
 * Throws UnreadablePdf when PDF.js cannot read it or it has more than MAX_PDF_PAGES pages.
 */
export async function pdfReadings(bytes: Uint8Array): Promise<string[]> {
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
