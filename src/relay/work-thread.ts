// Owns the code a worker thread of the relay pool runs (piscina loads this module once per thread
// and calls its named exports). Errors cross the thread boundary as data, so a parse timeout stays
// a timeout (451) and an unparsable message stays unparsable (550). Byte results go back in shared
// memory, so they are not copied again on the way.
import type { MessagePort } from 'node:worker_threads';
import { Piscina, workerData } from 'piscina';
import { seeAttachment } from '../core/filters/attachments.js';
import type { AuthFacts } from '../core/sender-auth.js';
import type { MailAttachment, ParsedMail } from '../core/types.js';
import { dkimSignature, type DkimSignSetup } from '../outbound/dkim-sign.js';
import { authenticateMail, type SessionFacts } from '../smtp/authenticate.js';
import { inFile, SpoolUnread, type SpooledFile } from '../store/spooled-bytes.js';
import { collectIfGrown } from './collect-garbage.js';
import { returnedMessageIds } from './returned-message-ids.js';
import { Scratch } from './scratch.js';
import { sharedBody } from './shared-body.js';
import { withAnswers, type DnsAnswerTo } from './dns-answers.js';
import {
  asBuffer,
  bytesAway,
  fitsGiven,
  inlineWork,
  packMail,
  packPrepared,
  ParseTimeout,
  prepareMail,
  readSideBySide,
  type PackedMail,
  type PackedPrepared,
  type PrepareInput,
} from './work.js';

/** A parsed message on its way to the SMTP thread: large parts in shared memory, large texts moved (work.ts unpackMail reads it). */
export type ParseOutcome = { readonly ok: PackedMail<ParsedMail> } | ParseFailure;
/** timeout: parsing took too long; unread: the spool file could not be read (store/spooled-bytes.ts SpoolUnread); both answered 451. */
type ParseFailure = { readonly timeout: string } | { readonly unread: string } | { readonly error: string };

/** What the pool gives every thread at start. */
export interface ThreadSetup {
  readonly dkim: DkimSignSetup | null;
}

const setup = (workerData ?? { dkim: null }) as ThreadSetup;

/**
 * Bytes for the main thread in shared memory (a SharedArrayBuffer), `parts` one after another, copied
 * once: the structured clone then shares them instead of copying them again on the way out.
 * (piscina moves only a task's top-level result, and these bytes travel inside an object.)
 */
function handBack(...parts: Uint8Array[]): Uint8Array {
  const shared = Buffer.from(new SharedArrayBuffer(parts.reduce((n, p) => n + p.byteLength, 0)));
  let at = 0;
  for (const p of parts) {
    shared.set(p, at);
    at += p.byteLength;
  }
  return shared;
}

/**
 * `size` bytes in shared memory for prepare's composed message (work.ts composeInPlace writes and
 * signs it there): the structured clone shares them with the main thread, as handBack's copy was
 * before. Tried and not kept (README "Speed", round 8): an ArrayBuffer moved to the main thread
 * instead. V8 then counts the bytes on the SMTP thread, which held ~15-20 MB less at peak in the
 * 1 MiB tier but spent 3-5 ms more CPU a message (more collections there).
 */
function ownBuffer(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(size));
}

/**
 * An allocator for prepare's composed message: the first request that fits `given` (shared memory
 * the main thread allocated and sent with the task, fitsGiven) gets a view of it; every other one
 * ownBuffer. So a large message's composed bytes are allocated and, once the SMTP thread has
 * committed and delivered them, freed in the main thread's malloc arena, not in this thread's: a
 * buffer this thread allocates and the SMTP thread frees late holds this thread's arena up (glibc
 * gives an arena's memory back only from its top).
 */
function fromGiven(given: Uint8Array | null | undefined): (size: number) => Buffer {
  let left = given ? asBuffer(given) : null;
  return (size) => {
    const g = left;
    left = null;
    return g && fitsGiven(size, g.length) ? g.subarray(0, size) : ownBuffer(size);
  };
}

/**
 * The task's result with `moves` (ArrayBuffers only it refers to, allocated for it) moved to the
 * main thread instead of copied: piscina's transferable protocol, which moves buffers anywhere in
 * the result (Piscina.move alone moves only a top-level one).
 */
function moved<T extends object>(result: T, moves: ArrayBuffer[]): T {
  if (moves.length === 0) return result;
  return Piscina.move({ [Piscina.transferableSymbol]: moves, [Piscina.valueSymbol]: result } as never) as unknown as T;
}

/** Parts at least this large cross between threads in shared memory; smaller ones are cheaper to copy. */
const SHARE_FROM = 64 * 1024;

/** The bytes in shared memory, unless they are small or there already (a part passed on unchanged). */
function shared(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength < SHARE_FROM || bytes.buffer instanceof SharedArrayBuffer) return bytes;
  return handBack(bytes);
}

/**
 * The message with its large parts' bytes in shared memory, at every depth: a decoded 12 MB
 * attachment is then one copy for the SMTP thread and the thread that rewrites it, not one each.
 */
function sharedParts<M extends { readonly attachments: readonly MailAttachment[] }>(mail: M): M {
  return {
    ...mail,
    attachments: mail.attachments.map((a) => ({
      ...a,
      content: shared(a.content),
      ...(a.parsed ? { parsed: sharedParts(a.parsed) } : {}),
      ...(a.nested ? { nested: sharedParts(a.nested) } : {}),
    })),
  };
}

/** An empty part's bytes: what the SMTP thread's copy holds of a part whose bytes stayed here. */
const AWAY = new Uint8Array(0);

/**
 * The parsed message as the SMTP thread gets it (withBytes: as this thread keeps it): every
 * attachment with its facts (`seen`: size and what the content filter sees it as, read here where
 * the bytes are), and the bytes of a large part that is not text (a PDF, a picture, an Office file:
 * SHARE_FROM or more) left here, since nothing on the SMTP thread reads them (the filter judges by
 * `seen`; the prepare runs here, or on any thread from the bytes received: work-pool.ts prepare).
 * Text keeps its bytes, in shared memory: bounce intake searches returned messages and headers for
 * our Message-ID (outbound/bounce-intake.ts); a part whose bytes stay here takes the Message-IDs its
 * header section names instead (a returned message sent as application/octet-stream; a few at most,
 * relay/returned-message-ids.ts). So the memory tier's 12.6 MB PDF is not copied into
 * shared memory for the SMTP thread (README "Speed", round 14).
 */
function forSmtpThread(mail: ParsedMail): ParsedMail {
  return {
    ...mail,
    attachments: mail.attachments.map((a) => {
      // A part the parse let go of past its start (parse.ts parseReceived) has its facts already, read from the whole size.
      const seen = a.seen ?? seeAttachment(a);
      const text = seen.type === 'text' || a.parsed !== undefined;
      if (!text && a.content.byteLength >= SHARE_FROM) {
        const messageIds = returnedMessageIds(a.content);
        return { ...a, content: AWAY, seen, ...(messageIds.length ? { messageIds } : {}) };
      }
      return { ...sharedParts({ attachments: [a] }).attachments[0]!, seen };
    }),
  };
}

/** The message this thread keeps: the SMTP thread's copy with the bytes it left here put back. */
function withBytes(view: ParsedMail, original: ParsedMail): ParsedMail {
  return { ...view, attachments: view.attachments.map((a, i) => (a.content === AWAY && a.seen?.size ? original.attachments[i]! : a)) };
}

/** Bytes a parsed message holds in memory here (what keeping it costs; how large it was, for collectIfGrown). */
function sizeOf(mail: Pick<ParsedMail, 'text' | 'html' | 'attachments'>): number {
  return (mail.text?.length ?? 0) + (mail.html?.length ?? 0) + mail.attachments.reduce((n, a) => n + a.content.byteLength, 0);
}

/** After this task's result has gone, the thread's garbage is collected if the message was large or the heap has grown (collect-garbage.ts). */
function collectLater(bytes: number): void {
  setTimeout(() => collectIfGrown(bytes), 0);
}

export async function parse(task: { raw: Uint8Array | SpooledFile; timeoutMs: number }): Promise<ParseOutcome> {
  try {
    const moves: ArrayBuffer[] = [];
    return moved({ ok: packMail(sharedParts(await inlineWork.parse(task.raw, task.timeoutMs)), moves) }, moves);
  } catch (err) {
    if (err instanceof ParseTimeout) return { timeout: err.message };
    if (err instanceof SpoolUnread) return { unread: err.message };
    return { error: (err as Error).message ?? String(err) };
  } finally {
    collectLater(task.raw.byteLength);
  }
}

/**
 * Parsed messages this thread read and keeps for their prepare (work-pool.ts sends a message's
 * prepare to the thread that read it): the parsed message then crosses between threads once, to
 * the main thread's rules, not back again. Bounded: a message whose parsed form is larger than
 * KEEP_ONE is not kept (its prepare clones it, as before) unless its attachments' bytes stayed here
 * (forSmtpThread: there is no whole copy to clone, only the bytes received to parse again) and it
 * fits KEEP_ALL, or nothing else is kept here and it fits KEEP_ALONE (a large text: its clone cost
 * the SMTP thread the whole text as a string and its serialized copy, and this thread one more,
 * where keeping it costs nothing new; the byte budget lets one such message in at a time); the
 * oldest go first once the kept ones exceed KEEP_ALL or have waited KEEP_FOR_MS (a refused
 * message's prepare never comes; a timer forgets those on an idle thread too).
 */
const kept = new Map<number, { readonly mail: ParsedMail; readonly bytes: number; readonly at: number }>();
let keptBytes = 0;
export const KEEP_ONE = 4 * 1024 * 1024;
export const KEEP_ALL = 16 * 1024 * 1024;
/** The largest message kept when it is the only one (smtp.maxMessageBytes is 25 MiB by default). */
export const KEEP_ALONE = 32 * 1024 * 1024;
export const KEEP_FOR_MS = 30_000;

function forget(id: number): void {
  const k = kept.get(id);
  if (!k) return;
  kept.delete(id);
  keptBytes -= k.bytes;
}

/** Forgets the oldest until `room` more bytes fit and none has waited KEEP_FOR_MS (Map order is insertion order). */
function evict(room: number): void {
  const now = Date.now();
  for (const [old, k] of kept) {
    if (keptBytes + room <= KEEP_ALL && now - k.at < KEEP_FOR_MS) break;
    forget(old);
  }
}

let sweep: NodeJS.Timeout | null = null;

/** While anything is kept, a timer forgets what waited too long, so an idle thread holds nothing for long. */
function sweepLater(): void {
  if (sweep) return;
  sweep = setTimeout(() => {
    sweep = null;
    evict(0);
    if (kept.size) sweepLater();
  }, KEEP_FOR_MS);
  sweep.unref();
}

function keep(id: number, mail: ParsedMail, away: boolean): boolean {
  const bytes = sizeOf(mail);
  if (bytes > (away ? KEEP_ALL : KEEP_ONE) && !(kept.size === 0 && bytes <= KEEP_ALONE)) return false;
  evict(bytes);
  kept.set(id, { mail, bytes, at: Date.now() });
  keptBytes += bytes;
  sweepLater();
  return true;
}

/** Forgets the parsed message kept under `id` (a refused message: no prepare will come for it); nothing if it is gone already. */
export function release(task: { readonly id: number }): void {
  forget(task.id);
}

/** Parsed messages kept here now, and their bytes (what the pool's `held` reports). */
export function held(): { readonly count: number; readonly bytes: number } {
  return { count: kept.size, bytes: keptBytes };
}

/** prepare's input as it crosses to a thread: the parsed message itself, or the one kept here and what receive replaced in it. */
export type PrepareTask = Omit<PrepareInput, 'mail' | 'kept' | 'sizeHint' | 'raw'> & {
  /** Shared memory the main thread allocated for the composed bytes (work.ts outputBytesFor), or null. */
  readonly into?: Uint8Array | null;
  /**
   * The bytes received (shared memory) or their spool file (compared a piece at a time:
   * shared-body.ts), when the signed copy may carry their body (work-pool.ts mayShareBody): composed
   * here in this thread's scratch, and only its header block handed back when the bodies are the
   * same (Prepared.sharedBody); else the whole copy, in shared memory.
   */
  readonly original?: Uint8Array | SpooledFile | null;
} & (
    | { readonly mail: ParsedMail }
    | { readonly kept: { readonly id: number; readonly release: boolean }; readonly overrides: Pick<ParsedMail, 'from' | 'sender' | 'headers'> }
    /** The bytes received, parsed again here (the same parse read gave), with what receive replaced. */
    | {
        readonly reparse: { readonly raw: Uint8Array | SpooledFile; readonly timeoutMs: number };
        readonly overrides: Pick<ParsedMail, 'from' | 'sender' | 'headers'>;
      }
  );

/** Prepared (its message's texts packed, work.ts unpackPrepared reads it), or `miss`: the kept message is gone (evicted); the caller sends it whole. */
export type PrepareOutcome = PackedPrepared | { readonly miss: true };

export async function prepare(task: PrepareTask): Promise<PrepareOutcome> {
  let mail: ParsedMail;
  if ('kept' in task) {
    const k = kept.get(task.kept.id);
    if (!k) return { miss: true };
    if (task.kept.release) forget(task.kept.id);
    mail = { ...k.mail, from: task.overrides.from, sender: task.overrides.sender, headers: task.overrides.headers };
  } else if ('reparse' in task) {
    const parsed = await inlineWork.parse(task.reparse.raw, task.reparse.timeoutMs);
    mail = { ...parsed, from: task.overrides.from, sender: task.overrides.sender, headers: task.overrides.headers };
  } else {
    mail = task.mail;
  }
  const original = task.original && setup.dkim ? (inFile(task.original) ? task.original : asBuffer(task.original)) : null;
  const lent: Buffer[] = [];
  try {
    // Composed and signed straight into the shared memory it goes back in (work.ts composeInPlace):
    // no copy on the way back. One that may share the body received is composed in scratch instead.
    const allocate = original ? fromScratch(lent) : fromGiven(task.into);
    const prepared = await prepareMail({ mail, ctx: task.ctx, campaign: task.campaign, compose: task.compose }, setup.dkim, allocate);
    const moves: ArrayBuffer[] = [];
    // A text the rewrite left as it was goes back as SameText: the SMTP thread holds it from the read.
    const message = packPrepared(sharedParts(prepared.message), mail, moves);
    if (!prepared.bytes) return moved({ ...prepared, message }, moves);
    const shared = original ? sharedBody(prepared.bytes, original) : null;
    if (shared)
      return moved(
        { ...prepared, message, bytes: ownCopy(prepared.bytes.subarray(0, shared.head)), sharedBody: { from: shared.from, length: shared.length } },
        moves,
      );
    return moved({ ...prepared, message, bytes: prepared.bytes.buffer instanceof SharedArrayBuffer ? prepared.bytes : handBack(prepared.bytes) }, moves);
  } finally {
    for (const b of lent) composing.giveBack(b);
    collectLater(sizeOf(mail));
  }
}

/**
 * Where a copy that may share the body received is composed: reused from one message to the next,
 * so a large plain text's whole signed copy costs no fresh memory (a fresh MiB costs ~0.8 ms of
 * page faults on this kind of VM; reused, ~0.07). Up to 2 MiB kept between uses.
 */
const composing = new Scratch(2 * 1024 * 1024);

/** An allocator from `composing`; what it lent is pushed on `lent`, for the caller to give back once the bytes are copied out. */
function fromScratch(lent: Buffer[]): (size: number) => Buffer {
  return (size) => {
    // Larger than the scratch keeps: memory of its own either way, so shared memory, which goes
    // back without handBack's copy when the bodies differ (a text masking changed, or sent in
    // another transfer encoding than it came in: 24 MB more at the peak for an 18 MB text).
    if (size > composing.keep) return ownBuffer(size);
    const b = composing.borrow(size);
    lent.push(b);
    return b;
  };
}

/** `bytes` in a buffer of their own (not a slice of Node's small-buffer pool, which a clone would carry whole). */
function ownCopy(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafeSlow(bytes.byteLength);
  out.set(bytes);
  return out;
}

/** DKIM-signs bytes composed elsewhere (notices, reminders); the signed bytes come back. */
export async function sign(task: { raw: Uint8Array }): Promise<Uint8Array> {
  if (!setup.dkim) throw new Error('DKIM signing is not configured on this pool');
  try {
    const raw = asBuffer(task.raw);
    return handBack(await dkimSignature(raw, setup.dkim), raw);
  } finally {
    collectLater(task.raw.byteLength);
  }
}

/** One DNS question to the main thread's resolver (its cache and its one-lookup-per-name). */
type DnsAnswer = { readonly id: number; readonly records: unknown[] } | { readonly id: number; readonly error: { message: string; code?: string } };

export type AuthOutcome = { readonly ok: AuthFacts } | { readonly error: string };

/** This thread's one port to the main thread's resolver (given once by `connect`), and the questions waiting on it. */
let dnsPort: MessagePort | null = null;
/**
 * Settles with the port once `connect` ran. The pool posts connect first, but a thread takes two
 * tasks at once (work-pool.ts TASKS_PER_THREAD) and piscina looks up a task's function the first
 * time it is named asynchronously, so a read may start before connect has run: its questions wait
 * for the port instead of failing.
 */
let portGiven: (port: MessagePort) => void = () => undefined;
const connected = new Promise<MessagePort>((resolve) => (portGiven = resolve));

/**
 * How long a DNS question waits for `connect`, in ms. connect is the first task on the thread's own
 * queue, so it runs within the first task's start; if it never comes (its posting failed), the
 * question fails as a DNS error (a temporary authentication error: the sender is asked to retry)
 * rather than holding the message and its session for ever.
 */
export const CONNECT_WAIT_MS = 10_000;
let connectWaitMs = CONNECT_WAIT_MS;

/** Tests only: how long DNS questions wait for `connect` on this thread, in ms (CONNECT_WAIT_MS otherwise). */
export function setConnectWaitForTests(ms: number): void {
  connectWaitMs = ms;
}

/** Settles with the port, or rejects once CONNECT_WAIT_MS passed since the first question waited for it. */
let portOrGiveUp: Promise<MessagePort> | null = null;

/** The DNS port, once connect gave it; every question waiting shares one CONNECT_WAIT_MS wait. */
function dnsPortGiven(): Promise<MessagePort> {
  if (dnsPort) return Promise.resolve(dnsPort);
  portOrGiveUp ??= new Promise<MessagePort>((resolve, reject) => {
    const timer = setTimeout(() => reject(Object.assign(new Error('no DNS port: the pool never connected this thread'), { code: 'ETIMEOUT' })), connectWaitMs);
    timer.unref();
    void connected.then((port) => {
      clearTimeout(timer);
      resolve(port);
    });
  });
  return portOrGiveUp;
}
const waiting = new Map<number, { resolve: (r: unknown[]) => void; reject: (e: Error) => void }>();
let nextQuestion = 0;

/** The pool's first task on every thread: the port DNS questions go through, for the thread's life. */
export function connect(task: { dns: MessagePort }): void {
  dnsPort = task.dns;
  dnsPort.on('message', (a: DnsAnswer) => {
    const w = waiting.get(a.id);
    if (!w) return;
    waiting.delete(a.id);
    if ('records' in a) w.resolve(a.records);
    else w.reject(Object.assign(new Error(a.error.message), a.error.code ? { code: a.error.code } : {}));
  });
  // The port must not keep the thread alive: the pool ends it.
  dnsPort.unref();
  portGiven(dnsPort);
}

/**
 * A resolver for mailauth: a question answered with the task is answered from there (as often as
 * it is asked, as the resolver's cache would), any other goes to the main thread, named by `read`
 * (which message's resolver answers).
 */
function resolverFor(read: number, answered: readonly DnsAnswerTo[]): (name: string, rrtype: string) => Promise<unknown[]> {
  const ask = async (name: string, rrtype: string): Promise<unknown[]> => {
    const port = dnsPort ?? (await dnsPortGiven());
    return new Promise<unknown[]>((resolve, reject) => {
      const id = nextQuestion++;
      waiting.set(id, { resolve, reject });
      port.postMessage({ id, read, name, rrtype });
    });
  };
  return answered.length ? withAnswers(answered, ask) : ask;
}

export interface ReadOutcome {
  readonly parse: ParseOutcome;
  /** null when no verification was asked for. */
  readonly auth: AuthOutcome | null;
  /** true when the parsed message is kept here under the task's `keep` id. */
  readonly kept: boolean;
}

/**
 * The one task a received message costs before the rules: parsed and, with `verify`, its sender
 * authenticated (DNS through this thread's port to the main thread's resolver), side by side on this thread. Only the
 * parsed message (large parts in shared memory) and the small authentication facts go back.
 */
export async function read(task: {
  /** The bytes received, or their spool file (read from there in pieces, once for the parse and DKIM both: work.ts readSideBySide). */
  raw: Uint8Array | SpooledFile;
  timeoutMs: number;
  /** read: the id the main thread answers this message's DNS questions under; answers: those answered already. */
  verify: { readonly session: SessionFacts; readonly mta: string; readonly read: number; readonly answers?: readonly DnsAnswerTo[] } | null;
  /** Keep the parsed message under this id for its prepare (null: do not keep it). */
  keep: number | null;
}): Promise<ReadOutcome> {
  const raw = inFile(task.raw) ? task.raw : asBuffer(task.raw);
  const v = task.verify;
  try {
    // One read of a spool file for both (work.ts readSideBySide).
    const [verifying, parsing] = readSideBySide(
      raw,
      task.timeoutMs,
      v && ((input) => authenticateMail(input, v.session, resolverFor(v.read, v.answers ?? []), v.mta)),
    );
    const [auth, parsed] = await Promise.all([
      verifying?.then(
        (ok): AuthOutcome => ({ ok }),
        (err: Error): AuthOutcome => ({ error: err?.message ?? String(err) }),
      ) ?? null,
      parsing.then(
        (mail): { readonly ok: ParsedMail; readonly original: ParsedMail } | ParseFailure => ({ ok: forSmtpThread(mail), original: mail }),
        (err: Error): ParseFailure =>
          err instanceof ParseTimeout
            ? { timeout: err.message }
            : err instanceof SpoolUnread
              ? { unread: err.message }
              : { error: err?.message ?? String(err) },
      ),
    ]);
    // Kept whatever SPF, DKIM and DMARC say (the rules judge that); not when verification itself failed (451, no rewrite).
    const isKept =
      task.keep !== null && 'ok' in parsed && !(auth && 'error' in auth) && keep(task.keep, withBytes(parsed.ok, parsed.original), bytesAway(parsed.ok));
    const moves: ArrayBuffer[] = [];
    return moved({ parse: 'ok' in parsed ? { ok: packMail(parsed.ok, moves) } : parsed, auth, kept: isKept }, moves);
  } finally {
    collectLater(raw.byteLength);
  }
}
