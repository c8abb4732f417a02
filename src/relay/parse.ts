// Owns turning raw message bytes into the core's ParsedMail. The only module that knows mailparser,
// so the parser can be swapped. The caller caps the size first; parsing time is bounded here.
import type { ParsedMail as MpParsed } from 'mailparser';
import { seeAttachment } from '../core/filters/attachments.js';
import { removedByStart } from '../core/masking/removed-by-start.js';
import type { MailAddress, MailAttachment, ParsedMail } from '../core/types.js';
import { collectParsed, type Collected, type DropTest } from './parse-collect.js';
import { ParseTimeout } from './parse-timeout.js';
import type { Readable } from 'node:stream';
import type { SpooledFile } from '../store/spooled-bytes.js';
// Loaded with the parser: text parts are read into one flat string (mailparser-text.ts).
import './mailparser-text.js';
// and a base64 part is decoded in pieces (base64-pieces.ts).
import './base64-pieces.js';
// and the message reaches the splitter without a copy (parser-input.ts).
import './parser-input.js';
// and the splitter hands a body on in runs of lines, not line by line (splitter-body.ts).
import './splitter-body.js';
// and a quoted-printable part is decoded over its bytes, not over strings (qp-bytes.ts).
import './qp-bytes.js';
// and a message that ends in an embedded message's header block is read at once, not waited on (parser-end.ts).
import './parser-end.js';
// and a body or an encoded word in a charset libmime does not read (UTF-7) is read as mail programs read it (mailparser-charsets.ts).
import './mailparser-charsets.js';
import type { CharsetOptions } from './mailparser-charsets.js';

export { ParseTimeout };
export { decodeDisplayName } from './display-name.js';

function ids(value: string | string[] | undefined): string[] {
  if (!value) return [];
  const list = Array.isArray(value) ? value : value.split(/\s+/);
  return list.map((s) => s.trim()).filter((s) => /^<[^<>\s]+>$/.test(s));
}

function headerValue(line: string): string {
  const colon = line.indexOf(':');
  return line
    .slice(colon + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
}

type MpAddress = NonNullable<MpParsed['from']>;

function addresses(value: MpAddress | MpAddress[] | undefined): MailAddress[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  const out: MailAddress[] = [];
  // Groups are flattened: their members are addresses like any other.
  const walk = (v: { name?: string; address?: string; group?: unknown[] }) => {
    if (v.address) out.push({ name: v.name ?? '', address: v.address });
    for (const g of (v.group ?? []) as (typeof v)[]) walk(g);
  };
  for (const a of list) for (const v of a.value) walk(v);
  return out;
}

// Attached messages are parsed too (masked part by part, not passed on as bytes), to this depth.
const MAX_NESTING = 3;
const MESSAGE_TYPES = /^message\/(rfc822|global)$/i;

/**
 * What a part whose bytes past its start were let go (parse-collect.ts) carries instead: its size
 * and what the content filter sees it as (`seen`, read from the same first bytes that decided its
 * removal). The Message-IDs a returned header section names are read from those same first bytes
 * where the other large parts' are (work-thread.ts forSmtpThread, bounce-intake.ts), not here too.
 */
function droppedFacts(a: Collected, contentType: string): Pick<MailAttachment, 'seen'> {
  return { seen: { ...seeAttachment({ contentType, content: a.content, filename: a.filename ?? null }), size: a.size } };
}

async function convert(mp: MpParsed & { attachments: Collected[] }, at: Depth, unreadCharsets: readonly string[]): Promise<ParsedMail> {
  const first = mp.from?.value.find((v) => v.address);
  const attachments: MailAttachment[] = [];
  for (const a of mp.attachments) {
    const contentType = a.contentType || 'application/octet-stream';
    const params = (a.headers.get('content-type') as { params?: Record<string, string> } | undefined)?.params;
    const parsed =
      MESSAGE_TYPES.test(contentType) && at.depth < MAX_NESTING && !a.dropped
        ? await parseAt(a.content, { ...at, depth: at.depth + 1 }).catch(() => undefined)
        : undefined;
    attachments.push({
      filename: a.filename ?? null,
      contentType,
      content: a.content,
      contentId: a.cid ?? null,
      disposition: a.contentDisposition === 'inline' && a.cid ? 'inline' : 'attachment',
      charset: params?.charset ?? null,
      ...(parsed ? { parsed } : {}),
      ...(a.dropped ? droppedFacts(a, contentType) : {}),
    });
  }
  const sender = addresses(mp.headers.get('sender') as MpAddress | undefined)[0] ?? null;
  const html = typeof mp.html === 'string' ? mp.html : null;
  return {
    from: first?.address ? { name: first.name ?? '', address: first.address } : null,
    subject: mp.subject ?? '',
    messageId: mp.messageId && /^<[^<>\s]+>$/.test(mp.messageId) ? mp.messageId : null,
    inReplyTo: ids(mp.inReplyTo),
    references: ids(mp.references),
    text: mp.text ?? null,
    html,
    attachments,
    headers: mp.headerLines.map((h) => [h.key.toLowerCase(), headerValue(h.line)] as const),
    sender,
    to: addresses(mp.to),
    cc: addresses(mp.cc),
    date: mp.date && !Number.isNaN(mp.date.getTime()) ? mp.date.toISOString() : null,
    ...(unreadCharsets.length ? { unreadCharsets } : {}),
  };
}

/** Every part whole: for reading a stored message (the admin, the API). */
const NEVER: DropTest = () => false;

/** Where a parse is: the whole message's deadline (ms since the epoch), how deep in attached messages, and which parts it lets go of. */
interface Depth {
  readonly deadline: number;
  readonly depth: number;
  readonly drop: DropTest;
}

/** `raw` parsed whole, every part's bytes kept (a stored message read back: the admin, the API). */
export function parseMail(raw: Buffer, timeoutMs: number): Promise<ParsedMail> {
  return parseAt(raw, { deadline: Date.now() + timeoutMs, depth: 0, drop: NEVER }, timeoutMs);
}

/**
 * `raw` parsed for the relay: as parseMail, but a part larger than START_BYTES (parse-collect.ts)
 * that masking removes by its declared type and first bytes (core/masking/removed-by-start.ts) keeps
 * only those first bytes, with its size and filter facts in `seen` (and its Message-IDs): the rules
 * and masking judge it by those exactly as by the whole, and remove it with the same note.
 */
export function parseReceived(raw: Buffer | SpooledFile | Readable, timeoutMs: number): Promise<ParsedMail> {
  return parseAt(raw, { deadline: Date.now() + timeoutMs, depth: 0, drop: removedByStart }, timeoutMs);
}

/**
 * `raw` parsed, with its attached messages, by `deadline` (ms since the epoch): an attached message
 * gets what is left of the whole message's time, not a parse timeout of its own (a message of many
 * attached messages that each stall mailparser would otherwise hold its pool thread for their sum).
 * One that cannot be read by then is left unparsed (masking removes it).
 */
async function parseAt(raw: Buffer | SpooledFile | Readable, at: Depth, timeoutMs = at.deadline - Date.now()): Promise<ParsedMail> {
  const left = at.deadline - Date.now();
  if (at.depth > 0 && left <= 0) throw new ParseTimeout('no time left to parse an attached message');
  // Past the deadline the parse stops: it rejects with ParseTimeout and its file (or its stream of
  // one) is closed then, not once the read it stalled would have ended (parse-collect.ts `stop`).
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(new ParseTimeout(`parsing took longer than ${timeoutMs} ms`)), Math.max(left, 0));
  // Filled by mailparser-charsets.ts with the labels of text bodies in a charset not read here.
  const charsets: CharsetOptions = { unreadCharsets: [] };
  try {
    const parsed = await collectParsed(
      raw,
      { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, checksumAlgo: false, maxChildNodes: 1000, ...charsets },
      at.drop,
      stop.signal,
    );
    return await convert(parsed, at, charsets.unreadCharsets ?? []);
  } finally {
    clearTimeout(timer);
  }
}
