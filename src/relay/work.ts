// Owns the CPU-bound steps of the pipeline as plain-data functions: read (raw bytes → ParsedMail,
// with the sender's SPF, DKIM and DMARC computed alongside when asked: one task for both) and prepare (ParsedMail + RewriteContext → the rewritten message and, unless previewing, its
// composed bytes, DKIM-signed where the thread holds the key). Inputs and outputs survive
// structured cloning, so the same functions run in-process (`inlineWork`) or on the worker threads
// of work-pool.ts. The MIME parser, the masking code (sanitize-html, pdf-lib, cfb, ical.js) and the
// composer are imported when first used, not with this module: the SMTP thread imports it for its
// types and `inlineWork`, but the gateway runs these steps on its pool threads, so those modules
// (~60 MB of RSS) are never loaded on the SMTP thread.
import type { RewriteContext } from '../core/rewrite.js';
import type { AuthFacts } from '../core/sender-auth.js';
import type { Change, MailAttachment, OutgoingMail, ParsedMail } from '../core/types.js';
import type { DnsResolver } from '../dns/resolver.js';
import type { DkimSignSetup } from '../outbound/dkim-sign.js';
import type { DnsQuestion } from '../smtp/auth-questions.js';
import type { SessionFacts } from '../smtp/authenticate.js';
import type { Readable } from 'node:stream';
import { inFile, readShared, type OpenSpool, type SpooledFile } from '../store/spooled-bytes.js';
import { withCampaignParts, type CampaignHandover } from './campaign-handover.js';
import type { ComposeInto } from './compose.js';
import { ParseTimeout } from './parse-timeout.js';

/**
 * A parsed message a pool thread kept after reading it (plain data, opaque to the pipeline): prepare
 * then runs on that thread from its own copy instead of cloning the parsed message back to it.
 */
export interface KeptMail {
  /** Which of the pool's threads holds it. */
  readonly lane: number;
  readonly id: number;
}

export interface PrepareInput {
  /**
   * The message as received; with `kept`, what the thread kept is used instead, with this mail's
   * from, sender and headers (receive replaces those with the header block's reading; nothing else
   * may differ from what read returned).
   */
  readonly mail: ParsedMail;
  /** Where the thread that read the message keeps it (work-pool.ts); release: this is its last prepare. */
  readonly kept?: { readonly mail: KeptMail; readonly release: boolean } | null | undefined;
  readonly ctx: RewriteContext;
  /** A campaign's headers and footer, added after the rewrite (they are ours). */
  readonly campaign: Pick<CampaignHandover, 'headers' | 'footer'> | null;
  /** false for a preview: nothing is composed. */
  readonly compose: boolean;
  /**
   * The bytes received (the message's size as it arrived), from which a pool gives the thread a
   * buffer for the composed bytes (outputBytesFor); absent or null: the thread allocates its own.
   */
  readonly sizeHint?: number | null;
  /**
   * The bytes received, in shared memory: a pool whose read left the attachments' bytes on the
   * thread that read them (bytesAway) parses these again on a thread when that thread no longer
   * keeps the message (too large to keep, evicted, retired). Without them such a prepare fails.
   * A signing pool also compares the signed copy's body with theirs and, when they are the same,
   * hands back only the copy's header block (Prepared.sharedBody).
   */
  readonly raw?: Uint8Array | SpooledFile | null;
}

/** Bytes an attachment holds, where its bytes are (`seen.size` when they stayed on a pool thread). */
export const attachmentSize = (a: MailAttachment): number => a.seen?.size ?? a.content.byteLength;

/**
 * Whether any attachment's bytes stayed on the pool thread that read the message (work-thread.ts
 * read): the SMTP thread's copy then holds its facts (`seen`) and no bytes, so it cannot be rewritten here.
 */
export function bytesAway(mail: Pick<ParsedMail, 'attachments'>): boolean {
  return mail.attachments.some((a) => a.seen !== undefined && a.content.byteLength !== a.seen.size);
}

export interface Prepared {
  readonly message: OutgoingMail;
  readonly changes: readonly Change[];
  /** The composed RFC 5322 bytes (CRLF); null when compose was false. */
  readonly bytes: Uint8Array | null;
  /** true when `bytes` already begin with our DKIM-Signature (the thread held the key). */
  readonly signed: boolean;
  /**
   * Set when the signed copy's body is the bytes received from `from`, `length` bytes, byte for byte
   * (relay/shared-body.ts): `bytes` is then only the signed copy's header block (with the empty line
   * that ends it), and the message delivered is `bytes` followed by `raw.subarray(from, from +
   * length)`. Only a pool thread that signs sets it, for a prepare given `raw` (work-pool.ts);
   * absent or null: `bytes` is the whole message.
   */
  readonly sharedBody?: { readonly from: number; readonly length: number } | null;
}

/** What sender authentication (SPF, DKIM, DMARC over DNS) needs besides the bytes: the MX session's facts. */
export interface Verification {
  readonly session: SessionFacts;
  /** The gateway's resolver (its cache, one lookup in flight per name): every DNS question goes here. */
  readonly resolver: DnsResolver;
  /** Our host name, as mailauth names the receiving MTA. */
  readonly mta: string;
  /**
   * The questions verification will ask first (smtp/auth-questions.ts): a pool
   * thread gets their answers with its task instead of asking each across threads. Optional: every
   * other question, and every one when absent, goes to `resolver` as it comes.
   */
  readonly expected?: readonly DnsQuestion[];
}

/** A received message read: parsed, and authenticated when verification was asked for (else auth is null). */
export interface Read {
  readonly mail: ParsedMail;
  readonly auth: AuthFacts | null;
  /** Where a pool thread keeps the parsed message for prepare; null in-process or when too large to keep. */
  readonly kept: KeptMail | null;
}

/** Sender authentication itself failed (not an SPF/DKIM/DMARC result: an error computing one); the pipeline answers 451. */
export class SenderAuthFailed extends Error {
  override readonly name = 'SenderAuthFailed';
}

/**
 * Where the pipeline runs its CPU-bound steps. parse and read reject with ParseTimeout when parsing
 * is too slow; read rejects with SenderAuthFailed first when verification fails, with the parser's
 * error when the message cannot be parsed.
 */
export interface RelayWork {
  parse(raw: Uint8Array | SpooledFile, timeoutMs: number): Promise<ParsedMail>;
  /**
   * Parse, and verify the sender when `verify` is given: both on one thread, in one hand-off, side
   * by side. A message in its spool file is read from there, a piece at a time, by each.
   */
  read(raw: Uint8Array | SpooledFile, timeoutMs: number, verify: Verification | null): Promise<Read>;
  prepare(input: PrepareInput): Promise<Prepared>;
  /**
   * Lets go of a message read kept for a prepare that will not come (the message was refused after
   * it was read); never fails. Absent where nothing is kept (in-process work).
   */
  release?(kept: KeptMail): void;
}

let preparing: Promise<[typeof import('../core/rewrite.js'), typeof import('./compose.js'), typeof import('../outbound/dkim-sign.js')]> | null = null;

/**
 * The rewrite, the composer and the signer, imported on the first prepare and then held: an import()
 * per message, even of a module loaded already, goes through the module loader each time (through
 * tsx's loader thread, when running from source: ~1 ms a call on a pool thread).
 */
function prepareModules(): NonNullable<typeof preparing> {
  return (preparing ??= Promise.all([import('../core/rewrite.js'), import('./compose.js'), import('../outbound/dkim-sign.js')]));
}

/**
 * Rewrite, the campaign's parts, compose and (with a key) DKIM, in one go on one thread. With
 * `allocate` (a pool thread: memory it hands back, in shared memory), the message is composed
 * straight into memory from `allocate` and signed there (composeInPlace); without it, into a new
 * Buffer, and signed into another.
 */
export async function prepareMail(input: PrepareInput, dkim: DkimSignSetup | null = null, allocate: ComposeInto | null = null): Promise<Prepared> {
  const [{ rewrite }, { composeMail }, { dkimSignMessage }] = await prepareModules();
  const { message: rewritten, changes } = await rewrite(input.mail, input.ctx);
  const message = input.campaign ? withCampaignParts(rewritten, input.campaign as CampaignHandover) : rewritten;
  if (!input.compose) return { message, changes, bytes: null, signed: false };
  if (allocate) return { message, changes, bytes: await composeInPlace(message, dkim, allocate), signed: dkim !== null };
  const composed = await composeMail(message);
  // DKIM last, on the exact bytes that are stored and sent.
  if (dkim) return { message, changes, bytes: await dkimSignMessage(composed, dkim), signed: true };
  return { message, changes, bytes: composed, signed: false };
}

/**
 * Bytes left free in front of a message composed in place for its DKIM-Signature header: a
 * 2048-bit key's header, with every header we sign present and listed in h=, takes 729 (a
 * 4096-bit key's ~1 070). A longer one is placed by one more copy of the message.
 */
export const SIGNATURE_ROOM = 2048;

/**
 * Bytes the main thread allocates for a message's composed and signed bytes before its prepare, or
 * null: SIGNATURE_ROOM, the bytes received and 1/128 of them plus 4 KiB more (the rewrite's header
 * changes). Null for a message under IN_PLACE_FROM (small buffers cost nothing to place) and for one
 * whose attachments hold more than 1/16 of its bytes: masking may remove or rewrite those (the
 * memory tier's 17 MB unreadable PDF is composed into 1 KiB), and a buffer given for nothing is its
 * size more at the peak. A message composed larger than the buffer is composed into memory the pool
 * thread allocates, as before; one composed much smaller too (fitsGiven).
 */
export function outputBytesFor(sizeHint: number | null | undefined, mail: Pick<ParsedMail, 'attachments'>): number | null {
  if (!sizeHint || sizeHint < IN_PLACE_FROM) return null;
  const attached = mail.attachments.reduce((n, a) => n + attachmentSize(a), 0);
  if (attached > sizeHint / 16) return null;
  return SIGNATURE_ROOM + sizeHint + Math.ceil(sizeHint / 128) + 4096;
}

/**
 * Whether `size` bytes are taken from a given buffer of `given` bytes: they fit, and at most 1/64 of
 * them is left unused (so the signed view of it stays within outbound/fresh-bodies.ts's 1/32).
 */
export function fitsGiven(size: number, given: number): boolean {
  return size <= given && given - size <= size / 64;
}

/**
 * Messages at least this many bytes are composed in place. A smaller one is composed into an
 * ordinary Buffer and copied once more, after its signature: cheap at that size, and what is handed
 * back is then exactly the message (outbound/fresh-bodies.ts keeps a view as it is only while at
 * most 1/32 of its buffer is unused: SIGNATURE_ROOM / IN_PLACE_FROM).
 */
export const IN_PLACE_FROM = 64 * 1024;

/**
 * The message composed and (with `dkim`) signed, its bytes in memory from `allocate`, the composed
 * message copied there once: nodemailer's pieces are written `room` (SIGNATURE_ROOM) bytes into the
 * buffer, signed where they lie, and the DKIM-Signature header written just in front of them; the
 * result is a view of that buffer from the header's first byte (up to `room` bytes before it
 * unused). The same bytes as dkimSignMessage(composeMail(message)) at the same second; the signature
 * is over exactly the bytes that follow it (DKIM last: nothing is written after it is computed).
 * Every buffer returned came from one `allocate` call for this message alone (on a pool thread,
 * shared memory the main thread then reads without a copy, work-thread.ts). Rejects when composing
 * or signing fails.
 */
export async function composeInPlace(message: OutgoingMail, dkim: DkimSignSetup | null, allocate: ComposeInto, room = SIGNATURE_ROOM): Promise<Buffer> {
  const [, { composeMail }, { dkimSignatureOfCrlf }] = await prepareModules();
  if (!dkim) return composeMail(message, allocate);
  const place: { whole: Buffer | null } = { whole: null };
  const composed = await composeMail(message, (size) => {
    if (size < IN_PLACE_FROM) {
      place.whole = null;
      return Buffer.allocUnsafe(size);
    }
    place.whole = allocate(room + size);
    return place.whole.subarray(room);
  });
  const signature = await dkimSignatureOfCrlf(composed, dkim);
  const whole = place.whole;
  if (whole && signature.length <= room) {
    const start = room - signature.length;
    signature.copy(whole, start);
    return whole.subarray(start, room + composed.length);
  }
  const out = allocate(signature.length + composed.length);
  signature.copy(out);
  composed.copy(out, signature.length);
  return out;
}

/**
 * A text part (a message's text or html) as it crosses from a pool thread to the SMTP thread: the
 * string itself when it is small, else its characters in an ArrayBuffer moved (not copied) to the
 * SMTP thread (`latin1`: one byte each, when every one is below U+0100, ASCII or accented Latin;
 * `utf8`: its UTF-8 bytes, when that takes fewer than two bytes a character and the text has no
 * lone surrogate, which UTF-8 cannot carry: mostly Latin text with a few other characters, a `’` or
 * a `€`; `utf16`: the UTF-16 code units, exact for any string), turned back into a string only when
 * something reads it. Receiving a 1 MiB
 * string costs the SMTP thread ~6.5 ms (V8 allocates it as a large object: bench/read-times.ts),
 * and for buyer → store mail nothing there reads the parsed text. An ArrayBuffer, not a
 * SharedArrayBuffer: V8 counts an ArrayBuffer's memory towards its next collection
 * (`external_memory`) and a SharedArrayBuffer's not at all, so dead shared texts piled up (peak RSS
 * 704–738 MB instead of 490 in the 1 MiB tier). Before round 26 any text not all ASCII went as
 * UTF-16, two bytes a character, and came back a two-byte string: an 18 MB text with accents held 36
 * MB here and 36 more once read (README "Round 26: large text bodies").
 */
export type PackedText = string | null | { readonly latin1: Uint8Array } | { readonly utf8: Uint8Array } | { readonly utf16: Uint8Array };

/** Texts at least this long (in UTF-16 code units) cross as bytes; shorter ones as strings. */
export const PACK_FROM = 64 * 1024;

const encoder = new TextEncoder();

/** A character at or above U+0100. On a string V8 holds one byte a character this answers at once (no character can match). */
const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;

/** ES2024's String#isWellFormed (Node 20 has it; the project's lib is ES2023). */
const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * The text for the way to another thread (unpackText undoes it); the ArrayBuffer it allocates is
 * added to `moves`, the buffers the caller moves with the message (then they are gone here).
 */
export function packText(text: string | null, moves: ArrayBuffer[]): PackedText {
  if (text === null || text.length < PACK_FROM) return text;
  // Written as UTF-8 into one byte a character: every character is ASCII exactly when that reads
  // all of them and writes all the bytes (any other character takes two bytes or more). One pass
  // over the text, not a UTF-8 length and a copy.
  const ascii = new ArrayBuffer(text.length);
  const bytes = Buffer.from(ascii);
  const { read, written } = encoder.encodeInto(text, bytes);
  if (read === text.length && written === text.length) {
    moves.push(ascii);
    return { latin1: bytes };
  }
  if (!BEYOND_LATIN1.test(text)) {
    bytes.write(text, 'latin1');
    moves.push(ascii);
    return { latin1: bytes };
  }
  const utf8Length = Buffer.byteLength(text, 'utf8');
  if (utf8Length < 2 * text.length && wellFormed(text)) {
    const buffer = new ArrayBuffer(utf8Length);
    const utf8 = Buffer.from(buffer);
    utf8.write(text, 'utf8');
    moves.push(buffer);
    return { utf8 };
  }
  const buffer = new ArrayBuffer(text.length * 2);
  const units = Buffer.from(buffer);
  units.write(text, 'utf16le');
  moves.push(buffer);
  return { utf16: units };
}

export function unpackText(packed: PackedText): string | null {
  if (packed === null || typeof packed === 'string') return packed;
  if ('latin1' in packed) return asBuffer(packed.latin1).toString('latin1');
  if ('utf8' in packed) return asBuffer(packed.utf8).toString('utf8');
  return asBuffer(packed.utf16).toString('utf16le');
}

/** A message as a pool thread hands it back: text and html packed. */
export type PackedMail<M extends { readonly text: string | null; readonly html: string | null }> = Omit<M, 'text' | 'html'> & {
  readonly text: PackedText;
  readonly html: PackedText;
};

export function packMail<M extends { readonly text: string | null; readonly html: string | null }>(mail: M, moves: ArrayBuffer[]): PackedMail<M> {
  return { ...mail, text: packText(mail.text, moves), html: packText(mail.html, moves) };
}

/**
 * The message back from packMail, its `text` and `html` turned into strings on first read (a getter
 * each, enumerable like the fields they stand for; a structured clone or JSON reads them). Copy it
 * with `withFields`, not a spread: a spread reads them.
 */
export function unpackMail<M extends { readonly text: string | null; readonly html: string | null }>(packed: PackedMail<M>): M {
  const { text, html, ...rest } = packed;
  const lazy = (p: PackedText): PropertyDescriptor => {
    if (p === null || typeof p === 'string') return { value: p, enumerable: true, writable: false, configurable: true };
    let s: string | null | undefined;
    return { get: () => (s === undefined ? (s = unpackText(p)) : s), enumerable: true, configurable: true };
  };
  const mail = Object.defineProperties({ ...rest }, { text: lazy(text), html: lazy(html) }) as unknown as M;
  if (text !== null && typeof text !== 'string') packedTexts.set(mail, text);
  return mail;
}

/** The text of each message unpackMail gave whose text is still packed (for textStart). */
const packedTexts = new WeakMap<object, Exclude<PackedText, string | null>>();

/**
 * `mail.text.slice(0, chars)` (null as ''), without turning the rest of a packed text into a string:
 * the stored copy's search text and snippet need its first 20 000 characters, not the whole MiB.
 */
export function textStart(mail: { readonly text: string | null }, chars: number): string {
  const packed = packedTexts.get(mail);
  if (!packed) return (mail.text ?? '').slice(0, chars);
  if ('latin1' in packed) return asBuffer(packed.latin1).toString('latin1', 0, Math.min(chars, packed.latin1.byteLength));
  // A UTF-16 unit takes at most 3 bytes: the first 3 × chars + 3 bytes hold the first `chars`
  // whole (a sequence cut at their end reads as U+FFFD, after them).
  if ('utf8' in packed)
    return asBuffer(packed.utf8)
      .toString('utf8', 0, Math.min(chars * 3 + 3, packed.utf8.byteLength))
      .slice(0, chars);
  return asBuffer(packed.utf16).toString('utf16le', 0, Math.min(chars * 2, packed.utf16.byteLength));
}

/**
 * In a prepare's result, a text or HTML the rewrite left as the prepare was given it (plain text
 * that masking had nothing to do in, the 1 MiB tier's case): the SMTP thread takes the one it gave
 * (unpackPrepared), so a large text crosses once, with the read, instead of twice. Each crossing
 * costs the pool thread a scan and a copy of the text and the SMTP thread an ArrayBuffer of its
 * size, which V8 counts towards that thread's next full collection (README "Speed", round 21).
 */
export interface SameText {
  readonly same: true;
}

/** Prepared as a pool thread hands it back: the message's texts packed, or SameText. */
export type PackedPrepared = Omit<Prepared, 'message'> & {
  readonly message: Omit<PackedMail<OutgoingMail>, 'text' | 'html'> & { readonly text: PackedText | SameText; readonly html: PackedText | SameText };
};

const isSame = (p: PackedText | SameText): p is SameText => p !== null && typeof p === 'object' && 'same' in p;

/**
 * The rewritten message for the way back from a pool thread: packMail, except that a text or HTML
 * of PACK_FROM or more that is the one `given` held (the message the prepare started from) goes as
 * SameText (one compare of the two strings, none when they are the same string).
 */
export function packPrepared(message: OutgoingMail, given: Pick<ParsedMail, 'text' | 'html'>, moves: ArrayBuffer[]): PackedPrepared['message'] {
  const pack = (now: string | null, before: string | null): PackedText | SameText =>
    now !== null && now.length >= PACK_FROM && now === before ? { same: true } : packText(now, moves);
  return { ...message, text: pack(message.text, given.text), html: pack(message.html, given.html) };
}

/**
 * Prepared from what a pool thread handed back; `given` is the message the prepare was given here
 * (PrepareInput.mail), whose text or HTML (read on first use, as unpackMail left it) stands for a
 * SameText.
 */
export function unpackPrepared(packed: PackedPrepared, given: Pick<ParsedMail, 'text' | 'html'>): Prepared {
  const { text, html, ...rest } = packed.message;
  const message = unpackMail<OutgoingMail>({ ...rest, text: isSame(text) ? null : text, html: isSame(html) ? null : html });
  const taken: PropertyDescriptorMap = {};
  if (isSame(text)) taken.text = Object.getOwnPropertyDescriptor(given, 'text') ?? { value: given.text, enumerable: true, configurable: true };
  if (isSame(html)) taken.html = Object.getOwnPropertyDescriptor(given, 'html') ?? { value: given.html, enumerable: true, configurable: true };
  Object.defineProperties(message, taken);
  const givenPacked = packedTexts.get(given);
  if (isSame(text) && givenPacked) packedTexts.set(message, givenPacked);
  return { ...packed, message };
}

/** The message with `fields` replaced, its other properties (a text still packed) left as they are. */
export function withFields<M extends object>(mail: M, fields: Partial<M>): M {
  const replaced: PropertyDescriptorMap = {};
  for (const [key, value] of Object.entries(fields)) replaced[key] = { value, enumerable: true, writable: false, configurable: true };
  const copy = Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(mail), ...replaced }) as M;
  // A text still packed stays readable in part (textStart) through the copy.
  const packed = packedTexts.get(mail);
  if (packed && !('text' in fields)) packedTexts.set(copy, packed);
  return copy;
}

export function asBuffer(raw: Uint8Array): Buffer {
  return Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
}

/**
 * The parse of one message and, with `auth`, its sender's verification (the DKIM check reads the
 * bytes), side by side: [verification or null, parse]. A message in memory is the same Buffer for
 * both. One in its spool file is read ONCE for both (store/spooled-bytes.ts readShared: each 64 KiB
 * piece handed to both readers, the slower one pacing the read); before round 23 each read the
 * whole file itself. Each reader's stream is destroyed once that reader settles, however it
 * settles, so one that failed or stopped early (a parse timeout) no longer paces the other, and the
 * file is closed once neither reads it. The pool thread's read (work-thread.ts) and readMail share it.
 */
export function readSideBySide<A>(
  raw: Buffer | SpooledFile,
  timeoutMs: number,
  auth: ((input: Buffer | Readable) => Promise<A>) | null,
  openFile?: OpenSpool,
): [Promise<A> | null, Promise<ParsedMail>] {
  const parse = (input: Buffer | Readable) => import('./parse.js').then((m) => m.parseReceived(input, timeoutMs));
  if (!inFile(raw)) return [auth ? auth(raw) : null, parse(raw)];
  const [forParse, forAuth] = readShared(raw, auth ? 2 : 1, openFile) as [Readable, Readable | undefined];
  const reading = <T>(read: (input: Readable) => Promise<T>, stream: Readable): Promise<T> =>
    Promise.resolve()
      .then(() => read(stream))
      .finally(() => stream.destroy());
  return [auth && forAuth ? reading(auth, forAuth) : null, reading(parse, forParse)];
}

/**
 * Verification and parsing of one message side by side (DNS answers arrive while the parser works),
 * from one read of its bytes (readSideBySide; `openFile` opens a spool file, by default from disk);
 * both are waited for, then a failed verification is the outcome before a failed parse.
 */
export async function readMail(raw: Buffer | SpooledFile, timeoutMs: number, verify: Verification | null, openFile?: OpenSpool): Promise<Read> {
  const [auth, mail] = await Promise.allSettled(
    readSideBySide(
      raw,
      timeoutMs,
      verify && ((input) => import('../smtp/authenticate.js').then((m) => m.authenticateMail(input, verify.session, verify.resolver, verify.mta))),
      openFile,
    ),
  );
  if (auth.status === 'rejected') throw new SenderAuthFailed(String((auth.reason as Error)?.message ?? auth.reason));
  if (mail.status === 'rejected') throw mail.reason;
  return { mail: mail.value, auth: auth.value, kept: null };
}

/** The steps on the calling thread (tests, tools, a pool of zero threads); the caller signs. */
export const inlineWork: RelayWork = {
  parse: async (raw, timeoutMs) => (await import('./parse.js')).parseReceived(inFile(raw) ? raw : asBuffer(raw), timeoutMs),
  read: (raw, timeoutMs, verify) => readMail(inFile(raw) ? raw : asBuffer(raw), timeoutMs, verify),
  prepare: (input) => prepareMail(input),
};

export { ParseTimeout };
