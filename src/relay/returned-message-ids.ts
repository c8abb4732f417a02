// Owns reading the Message-IDs a returned message (or its returned headers) names in its header
// section, for a part whose bytes stay on the pool thread (relay/work-thread.ts forSmtpThread): what
// bounce intake matches against the Message-ID we sent (outbound/bounce-intake.ts).
import { createRequire } from 'node:module';

/** How far into a part the header section is read (bytes). */
export const RETURNED_HEADERS_SCAN = 256 * 1024;
/** How many Message-IDs returnedMessageIds gives at most. */
export const RETURNED_IDS_MAX = 16;

interface HeaderLine {
  readonly key: string;
  readonly line: string;
}
type HeadersClass = new (headers: Buffer) => { getList(): HeaderLine[] };

/**
 * mailsplit's header reader, the copy mailparser loads (one reading of a header block for the
 * parser and for this): it unfolds lines (RFC 5322 §2.2.3), takes CRLF or LF, and sets aside an mbox
 * `From ` postmark on the first line.
 */
const Headers = (
  createRequire(createRequire(import.meta.url).resolve('mailparser'))('@zone-eu/mailsplit') as {
    Headers: HeadersClass;
  }
).Headers;

const FIELD = /^([!-9;-~]+)[ \t]*:/;
const POSTMARK = /^From /i;
const MSG_ID = /<[^<>\s]{1,500}>/g;
const LF = 0x0a;
const CR = 0x0d;

/** Where the header section begins: past UTF-8 byte-order marks and empty lines written before it. */
function sectionStart(head: Buffer): number {
  let at = 0;
  for (;;) {
    if (head[at] === 0xef && head[at + 1] === 0xbb && head[at + 2] === 0xbf) at += 3;
    else if (head[at] === LF) at += 1;
    else if (head[at] === CR && head[at + 1] === LF) at += 2;
    else return at;
  }
}

/** Where the header section ends: at its empty line (CRLF or LF), else at the end of what is read. */
function sectionEnd(head: Buffer, start: number): number {
  for (let at = head.indexOf(LF, start); at >= 0; at = head.indexOf(LF, at + 1)) {
    const next = head[at + 1];
    if (next === LF) return at + 1;
    if (next === CR && head[at + 2] === LF) return at + 1;
  }
  return head.length;
}

/**
 * The Message-IDs (RFC 5322 §3.6.4, `<id-left@id-right>` as written, at most RETURNED_IDS_MAX) that the
 * header section a part begins with names in its Message-ID fields (any field named `…message-id`:
 * Message-ID, Resent-Message-ID, Original-Message-ID): what a bounce returning the message (RFC 3464
 * §2, a whole message or its headers, RFC 3462) quotes of it when the part is not read as text.
 * Returned parts are not always clean: Exchange, some qmail and tools that keep mail as mbox write an
 * mbox `From ` postmark, a UTF-8 byte-order mark or an empty line before the headers; these are
 * passed over. The section ends at its empty line or after RETURNED_HEADERS_SCAN bytes, and is read
 * only while its lines are fields: a line that is neither a field nor a continuation (a PDF's
 * `%PDF-1.7`, binary) ends it. Linear in those bytes; [] when none.
 */
export function returnedMessageIds(bytes: Uint8Array): string[] {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, RETURNED_HEADERS_SCAN));
  const start = sectionStart(head);
  // Most large parts are files (a PDF, a picture): their first line says so at once.
  const firstLine = head.toString('latin1', start, Math.min(head.length, start + 1000));
  if (!FIELD.test(firstLine) && !POSTMARK.test(firstLine)) return [];
  const ids: string[] = [];
  for (const { line } of new Headers(head.subarray(start, sectionEnd(head, start))).getList()) {
    const field = FIELD.exec(line);
    if (!field) break;
    if (!field[1]!.toLowerCase().endsWith('message-id')) continue;
    for (const id of line.slice(field[0].length).match(MSG_ID) ?? []) {
      ids.push(id);
      if (ids.length === RETURNED_IDS_MAX) return ids;
    }
  }
  return ids;
}
