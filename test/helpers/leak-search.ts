// The one search every masking test uses: decodes delivered bytes part by part — transfer
// encodings, charsets, RFC 2047 words and RFC 2231 file names (via mailparser), HTML entities,
// percent-escapes, escapes nested in each other (`%2540`, `&#37;40`, `%26%2364;`, `&amp;#64;`),
// base64 tokens in links, unfolded lines (header and iCalendar folding), quoted replies without
// their `>` marks, tags removed, addresses
// with blanks or line breaks around their `@` and dots (`anna.weber\r\n @buyer.example`), UTF-16 and Latin-1 readings of binary parts, the text a PDF shows (via PDF.js), attached
// messages recursively — and looks for every real address and full name given, in any case,
// accent, whitespace and Unicode form.
// Written apart from src/core/masking on purpose: a bug there must not hide itself here.
import { decodeHTML } from 'entities';
import { simpleParser, type Attachment } from 'mailparser';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface Secrets {
  readonly addresses: readonly string[];
  /** Full names, "First Last": also searched as "Last, First", "Last First", "Last;First". */
  readonly names: readonly string[];
}

export interface Leak {
  readonly secret: string;
  readonly where: string;
  readonly excerpt: string;
}

/** Lowercase, no accents, one space for any whitespace run, no invisible or control characters. */
export function normalise(s: string): string {
  return (
    s
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .replace(/ß/g, 'ss')
      .toLowerCase()
      .replace(/[\u00ad\u200b-\u200d\u2060\ufeff\ufff9-\ufffb]/g, '')
      // Control characters show as nothing (or a box a reader reads past); NEL is a line end.
      .replace(/[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]/g, '')
      .replace(/[\s\u0085\u00a0\u2000-\u200a\u202f\u3000\u2800]+/g, ' ')
  );
}

function percentDecoded(s: string): string {
  return s.replace(/(?:%[0-9a-f]{2})+/gi, (m) => {
    try {
      return decodeURIComponent(m);
    } catch {
      return m;
    }
  });
}

function base64Readings(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/[A-Za-z0-9+/_-]{12,}={0,2}/g)) {
    const b = Buffer.from(m[0].replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    out.push(b.toString('utf8'));
  }
  return out;
}

/** Escapes undone until nothing changes (at most five levels): `%252540` and `&#37;40` read `@`. */
function nestedDecoded(s: string): string {
  let r = s;
  for (let k = 0; k < 5; k++) {
    const next = decodeHTML(percentDecoded(r));
    if (next === r) break;
    r = next;
  }
  return r;
}

/** Every way a person or a program could read this text (each distinct reading once). */
export function readings(text: string): string[] {
  const unfoldedIcal = text.replace(/\r?\n[ \t]/g, '');
  const unfolded = text.replace(/\r?\n[ \t]+/g, ' ');
  // A quoted reply read without its quote marks: `anna@⏎> shop.example` reads `anna@⏎shop.example`.
  const unquoted = text.replace(/(\r?\n)[ \t]*>[> \t]*/g, '$1');
  const base = [text, unfoldedIcal, unfolded, unquoted];
  const out: string[] = [];
  for (const t of base) {
    const entities = decodeHTML(t.replace(/<!--[\s\S]*?-->/g, ''));
    const noTags = decodeHTML(t.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]*>/g, ''));
    for (const r of [t, entities, noTags]) {
      const p = percentDecoded(percentDecoded(r));
      out.push(r, p, nestedDecoded(r), ...base64Readings(p));
    }
  }
  // Most readings of plain text are the text itself: searching a string twice finds nothing new.
  return [...new Set(out)];
}

function nameSpellings(name: string): string[] {
  const words = normalise(name).trim().split(' ');
  const last = words.at(-1) ?? '';
  const first = words.slice(0, -1).join(' ');
  return [`${first} ${last}`, `${last}, ${first}`, `${last},${first}`, `${last} ${first}`, `${last};${first}`];
}

function search(text: string, where: string, secrets: Secrets, leaks: Leak[]): void {
  const addresses = secrets.addresses.map((a) => [a, normalise(a)] as const);
  const names = secrets.names.flatMap((n) => nameSpellings(n).map((v) => [n, v] as const));
  const normalised = new Set(readings(text).map(normalise));
  for (const n of normalised) {
    // RFC 5322 lets blanks and folds stand around an address's `@` and dots (obs-local-part,
    // obs-domain), and a reader joins a line that ends in `@` to the next.
    // An RFC 5322 comment there too: `anna.weber(work)@buyer.example`; a quoted local part:
    // `"anna.weber"@buyer.example`.
    const squeezed = n
      .replace(/(?: ?\([^()]{0,64}\))+ ?([@.])|([@.])(?: ?\([^()]{0,64}\))+ ?/g, '$1$2')
      .replace(/" ?@/g, '@')
      .replace(/ ?([@.]) ?/g, '$1');
    // Quotes and brackets around a part (`anna.weber@"buyer.example"`, `<anna.weber>@buyer.example`, `“anna.weber”@…`,
    // `(anna.weber)@buyer.example`), and comments nested or many (`anna.weber((x)y)@…`) dropped.
    // Any other bracket or quotation mark too (Unicode's Ps, Pe, Pi, Pf: `{buyer.example}`, `⟨…⟩`, `〔…〕`).
    // Markdown's emphasis too (`*`, `_`, `~`: `anna.weber@*buyer.example*`, `**anna.weber**@…`).
    const unwrapped = (s: string) => s.replace(/[ "'`<>()[\]{}\\*_~\p{Ps}\p{Pe}\p{Pi}\p{Pf}]*([@.])[ "'`<>()[\]{}\\*_~\p{Ps}\p{Pe}\p{Pi}\p{Pf}]*/gu, '$1');
    let uncommented = n;
    for (let k = 0; k < 4; k++) uncommented = uncommented.replace(/\([^()]{0,200}\)/g, '');
    const squeezings = [squeezed, unwrapped(n), unwrapped(uncommented)].flatMap((t) => [t, t.replace(/@{2,}/g, '@')]);
    for (const [secret, needle] of [...addresses, ...names]) {
      for (const t of needle.includes('@') ? [n, ...squeezings] : [n]) {
        const at = t.indexOf(needle);
        if (at >= 0) leaks.push({ secret, where, excerpt: t.slice(Math.max(0, at - 40), at + needle.length + 40) });
      }
    }
  }
}

/** The same search over one text (for pure tests that have no delivered bytes). */
export function leakSearchText(text: string, secrets: Secrets, where = 'text'): Leak[] {
  const leaks: Leak[] = [];
  search(text, where, secrets, leaks);
  return leaks;
}

function textOfBytes(b: Buffer, charset: string | undefined): string[] {
  const out = [b.toString('utf8'), b.toString('latin1'), b.toString('utf16le'), swapped(b).toString('utf16le')];
  if (charset) {
    try {
      out.push(new TextDecoder(charset).decode(b));
    } catch {
      // unknown label
    }
  }
  return [...new Set(out)]; // ASCII reads the same in UTF-8 and Latin-1: searched once
}

function swapped(b: Buffer): Buffer {
  const c = Buffer.from(b.subarray(0, b.length - (b.length % 2)));
  return c.swap16();
}

/** The text a PDF shows (PDF.js: streams inflated, glyphs mapped through the fonts), or [] when it does not read. */
async function pdfText(b: Buffer): Promise<string[]> {
  const task = getDocument({ data: new Uint8Array(b), isEvalSupported: false, disableFontFace: true, verbosity: 0 });
  try {
    const doc = await task.promise;
    const out: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const items = (await (await doc.getPage(n)).getTextContent()).items.map((i) => ('str' in i ? i.str : ''));
      out.push(items.join(''), items.join(' '));
    }
    return out;
  } catch {
    return [];
  } finally {
    await task.destroy();
  }
}

/** Every leak of a secret in a delivered message (raw bytes as sent). */
export async function leakSearch(raw: Buffer, secrets: Secrets, where = 'message', depth = 0): Promise<Leak[]> {
  const leaks: Leak[] = [];
  for (const t of textOfBytes(raw, undefined)) search(t, `${where} (raw)`, secrets, leaks);
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, keepCidLinks: true });
  for (const h of parsed.headerLines) search(h.line, `${where} header ${h.key}`, secrets, leaks);
  for (const [k, v] of parsed.headers) search(typeof v === 'string' ? v : JSON.stringify(v), `${where} header ${k} (decoded)`, secrets, leaks);
  search(parsed.subject ?? '', `${where} subject`, secrets, leaks);
  search(parsed.text ?? '', `${where} text`, secrets, leaks);
  if (typeof parsed.html === 'string') search(parsed.html, `${where} html`, secrets, leaks);
  for (const a of parsed.attachments as Attachment[]) {
    const name = `${where} attachment ${a.filename ?? a.contentType}`;
    search(a.filename ?? '', `${name} (file name)`, secrets, leaks);
    const params = (a.headers.get('content-type') as { params?: Record<string, string> } | undefined)?.params;
    for (const t of textOfBytes(a.content, params?.charset)) search(t, name, secrets, leaks);
    if (a.content.subarray(0, 5).toString('latin1') === '%PDF-') for (const t of await pdfText(a.content)) search(t, `${name} (PDF text)`, secrets, leaks);
    if (/^message\/(rfc822|global)$/i.test(a.contentType) && depth < 5) leaks.push(...(await leakSearch(a.content, secrets, name, depth + 1)));
  }
  // One leak per secret and place is enough to read.
  const seen = new Set<string>();
  return leaks.filter((l) => {
    const key = `${l.secret}|${l.where}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
