import { zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { cleanPdf, looksLikePdf, NotWhatItClaims } from './document-metadata.js';
import { pdfReadings, UnreadablePdf } from './pdf-text.js';

const zlib = (b: Uint8Array) => Buffer.from(zlibSync(b));

/** A one-page PDF (or `pages` pages sharing one content stream) whose content stream is `content`, stored as given with `filter`. */
function pdf(content: Buffer, filter: string, pages = 1): Uint8Array {
  const objs: Buffer[] = [];
  const kids = Array.from({ length: pages }, (_, i) => `${3 + i} 0 R`).join(' ');
  objs.push(Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'), Buffer.from(`<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`));
  const contents = 3 + pages;
  for (let i = 0; i < pages; i++)
    objs.push(
      Buffer.from(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents ${contents} 0 R /Resources << /Font << /F1 ${contents + 1} 0 R >> >> >>`),
    );
  objs.push(Buffer.concat([Buffer.from(`<< /Length ${content.length} ${filter} >>\nstream\n`), content, Buffer.from('\nendstream')]));
  objs.push(Buffer.from('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'));
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n')];
  const offsets: number[] = [];
  let at = parts[0]!.length;
  objs.forEach((o, i) => {
    offsets.push(at);
    const b = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), o, Buffer.from('\nendobj\n')]);
    parts.push(b);
    at += b.length;
  });
  const xref = [`xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${at}\n%%EOF\n`));
  return new Uint8Array(Buffer.concat(parts));
}

const text = Buffer.from('BT /F1 12 Tf 10 10 Td (Hello Jane) Tj ET');

describe('PDF text is read within bounds, and a PDF past them is refused with a sentence', () => {
  it('reads the text of a compressed page', async () => {
    expect(await pdfReadings(pdf(zlib(text), '/Filter /FlateDecode'))).toContain('Hello Jane');
  });

  it('refuses a compression bomb before PDF.js inflates it (a small file of millions of spaces)', async () => {
    const bomb = zlib(Buffer.concat([Buffer.alloc(40 * 1024 * 1024, 0x20), text]));
    await expect(pdfReadings(pdf(bomb, '/Filter /FlateDecode'), { maxInflated: 8 * 1024 * 1024 })).rejects.toThrow(UnreadablePdf);
  });

  it('refuses a bomb compressed twice, or truncated, or whose filter is not named in its dictionary', async () => {
    const inner = zlib(Buffer.concat([Buffer.alloc(40 * 1024 * 1024, 0x20), text]));
    const o = { maxInflated: 8 * 1024 * 1024 };
    await expect(pdfReadings(pdf(zlib(inner), '/Filter [/FlateDecode /FlateDecode]'), o)).rejects.toThrow(/too much/);
    await expect(pdfReadings(pdf(inner.subarray(0, inner.length - 100), '/Filter /FlateDecode'), o)).rejects.toThrow(/too much/);
    await expect(pdfReadings(pdf(inner, '/Filter 9 0 R'), o)).rejects.toThrow(/too much/);
    // `endstream` inside the compressed bytes (a stored block), and spaces after the `stream` keyword.
    const stored = Buffer.concat([Buffer.from([0x78, 0x01, 0x00, 9, 0, 0xf6, 0xff]), Buffer.from('endstream')]);
    const split = Buffer.concat([stored, inner.subarray(2)]);
    await expect(pdfReadings(pdf(split, '/Filter /FlateDecode'), o)).rejects.toThrow(/too much/);
  });

  it('refuses a document that takes longer than its time to read (many pages sharing one big page)', async () => {
    const page = zlib(Buffer.concat([Buffer.alloc(2 * 1024 * 1024, 0x20), text]));
    await expect(pdfReadings(pdf(page, '/Filter /FlateDecode', 400), { maxReadMs: 0 })).rejects.toThrow(/too long/);
  });
});

/** `n` bytes that look random (xorshift32): no format's header, like an encrypted or compressed file. */
function noise(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 2463534242;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('files that only claim to be PDFs', () => {
  it('refuses 16 MB of random bytes named PDF by its first KiB, without reading the rest', async () => {
    const random = noise(16 * 1024 * 1024);
    expect(looksLikePdf(random)).toBe(false);
    await expect(pdfReadings(random)).rejects.toThrow(UnreadablePdf);
    await expect(cleanPdf(random, (s) => s)).rejects.toThrow(NotWhatItClaims);
  });

  it('still reads a PDF whose header comes after some junk within the first KiB, as readers do', async () => {
    const real = pdf(zlib(Buffer.from('BT /F1 12 Tf 10 10 Td (Jane Roe) Tj ET')), '/Filter /FlateDecode');
    const late = new Uint8Array(Buffer.concat([Buffer.alloc(500, 0x20), Buffer.from(real)]));
    expect(looksLikePdf(late)).toBe(true);
    expect(looksLikePdf(new Uint8Array(Buffer.concat([Buffer.alloc(2000, 0x20), Buffer.from(real)])))).toBe(false);
    expect((await pdfReadings(late)).join(' ')).toContain('Jane Roe');
  });
});
