// Owns the relay's worker threads (piscina): sender authentication, parsing, rewriting, composing
// and DKIM signing run there, so the thread that answers SMTP, talks to the database and commits
// never waits on a message's CPU work, and every core does its share. Inputs and outputs are plain
// data; the received bytes are read into shared memory (smtp/spool.ts), so handing them to a thread
// copies nothing, and the composed and signed bytes are moved back, not copied.
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { ArrayTaskQueue, Piscina, type PiscinaTask } from 'piscina';
import type { ParsedMail } from '../core/types.js';
import type { DnsResolver } from '../dns/resolver.js';
import { signSetup } from '../outbound/dkim-sign-setup.js';
import type { DkimKey, Signer } from '../outbound/dkim.js';
import { inFile, SpoolUnread, type SpooledFile } from '../store/spooled-bytes.js';
import { answersFor } from './dns-answers.js';
import { SHARED_BODY_FROM } from './shared-body.js';
import { SPARE_WINDOW_MS, spareCoresReader } from './spare-cores.js';
import type { ParseOutcome, PrepareOutcome, PrepareTask, ReadOutcome, ThreadSetup } from './work-thread.js';
import {
  asBuffer,
  bytesAway,
  outputBytesFor,
  ParseTimeout,
  SenderAuthFailed,
  unpackMail,
  unpackPrepared,
  type KeptMail,
  type PrepareInput,
  type Prepared,
  type Read,
  type RelayWork,
  type Verification,
} from './work.js';

/**
 * Threads for `smtp.workerThreads: 0` (auto): one per core, at most 4. Every CPU-bound step of a
 * message runs on them (signing too: there is no separate signing thread), while the main thread
 * mostly waits on sockets, the database and the disk; with one thread per core every core is busy
 * under load. Each thread is another V8 heap (~55 MB at rest, ~19 MB of it live after a full
 * collection: its own copy of the MIME, DKIM and masking code, bench/thread-start.mjs; plus what the
 * message it works on costs while it does), which the byte budget
 * counts per message, not per thread; `smtp.workerThreads: 1` is the lighter choice on 2 cores.
 */
export function autoThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** The compiled thread module in the build; from the TypeScript source, an entry that loads tsx first. */
function threadModule(): string {
  const here = fileURLToPath(import.meta.url);
  return join(dirname(here), here.endsWith('.js') ? 'work-thread.js' : 'work-thread-source.cjs');
}

/**
 * Each thread's young generation, in MB (V8 splits it into two semi-spaces of 4 MB and a space for
 * large new objects). V8's default lets each thread's new space grow to 32 MB, which once grown
 * stays in RSS, in every thread. A thread works on one message at a time (a second only while the
 * first waits: TASKS_PER_THREAD), whose garbage dies young: 4 MB semi-spaces cost no CPU against
 * 8 MB ones (bench/pool-memory.ts, round 6) and save 8 MB per thread. The launchers' `--max-semi-space-size=4` (process-wide, so the SMTP thread's too) overrides
 * this with the same size; this value holds where no launcher flag is given (tests, tsx).
 */
export const THREAD_YOUNG_GENERATION_MB = 12;

/**
 * Tasks piscina hands a thread before the thread's last result is back: 2, so the next one is
 * already on the thread's port when a task ends. With 1, piscina posts a task only once the main
 * thread has read the previous result, so the thread idles for the main thread's turn around (its
 * event loop's latency: SMTP replies, commits, delivery) between every two tasks; round 20 found the
 * one pool thread waiting there ~40 % of its wall time at 10 KiB while messages queued ~120 ms for
 * it (README "Round 20: speed"). The second task starts when the first ends or waits (a DNS
 * question to the main thread), so a thread holds at most two messages' work at once; the byte
 * budget counts every message either way.
 */
export const TASKS_PER_THREAD = 2;

/**
 * How much of a core must have gone unused lately (spare-cores.ts: in each of the last two seconds)
 * before a busy pool starts another thread. A thread with no core to run on adds a V8 heap
 * (~45 MB under load, plus its malloc arena) and takes CPU from the SMTP thread and the threads
 * already running, for no more messages: round 12 measured one pool thread against two on a machine
 * whose cores the load itself kept busy at 10 KiB, 218–219 MB against 277–285 at 4.9–5.0 ms of CPU a
 * message against 6.0–6.2, and no rate lost (README "Speed"). Where a single pool thread is the
 * bottleneck and the rest of the machine idles (large messages, no other load), the second starts.
 */
export const SPARE_CORES_TO_START = 0.5;

type DnsQuestion = { readonly id: number; readonly read: number; readonly name: string; readonly rrtype: string };

/**
 * How long a lane other than the first may stay idle (no task in flight) before its thread is ended,
 * in ms. At rest the gateway then holds one pool thread's V8 heap (~45 MB with the MIME, DKIM and
 * masking code) instead of one per core; the next burst starts the others again, each paying its
 * modules' loading and compiling once (README "Threads"). Longer than a thread keeps a parsed
 * message for its prepare (work-thread.ts KEEP_FOR_MS), so a retired thread held nothing still
 * wanted; were it otherwise, the prepare would get the clone (a `miss`), as after any eviction.
 */
export const THREAD_IDLE_MS = 60_000;

/**
 * How long parsing the bytes received again for a prepare may take, in ms: they parsed within the
 * configured limit a moment ago (smtp.parseTimeoutMs); this only bounds a thread that hangs. As the warm-up's.
 */
const REPARSE_TIMEOUT_MS = 60_000;

/**
 * Whether the signed copy of `mail` may carry the body received (`raw`) byte for byte: a text with
 * no HTML and no attachment, at least SHARED_BODY_FROM bytes received in shared memory or still in
 * their spool file. The thread then decides by
 * comparing (shared-body.ts). Reads `html` without turning a packed one into a string (work.ts
 * unpackMail: a getter there, a value when it is null).
 */
function mayShareBody(mail: Pick<ParsedMail, 'attachments' | 'html'>, raw: Uint8Array | SpooledFile): boolean {
  // In shared memory (as the spool reads it), so it crosses to the thread without a copy; or still
  // in its spool file, named (the thread compares it a piece at a time: shared-body.ts).
  if (raw.byteLength < SHARED_BODY_FROM || (!inFile(raw) && !(raw.buffer instanceof SharedArrayBuffer)) || mail.attachments.length > 0) return false;
  const html = Object.getOwnPropertyDescriptor(mail, 'html');
  return html !== undefined && 'value' in html && html.value === null;
}

/**
 * How long the first lane may stay idle before its thread ends too, in ms: a gateway that received
 * nothing for ten minutes holds no pool thread (its V8 heap, malloc arena and stack: ~30 MB of RSS),
 * and the next message starts one (~0.6–0.8 s of that thread's CPU, ~1.5 s of the process's, once,
 * seconds of wall time on a loaded machine: bench/thread-start.mjs) and waits for its warm-up. Ten
 * minutes, not THREAD_IDLE_MS: mail every minute or two must not pay a thread's start each time
 * (at most one start per ten minutes is under 0.3 % of a core).
 */
export const FIRST_THREAD_IDLE_MS = 600_000;

/**
 * A lane's queue (first come, first served) in which a thread's `connect` goes first: when piscina
 * replaces a thread that died, tasks sent meanwhile wait in the queue, and the new thread must have
 * its DNS port before any of them verifies a sender.
 */
class ConnectFirst extends ArrayTaskQueue {
  override push(task: PiscinaTask): void {
    if ((task as PiscinaTask & { readonly name?: string }).name === 'connect') this.unshift(task);
    else super.push(task);
  }
}

/** One lane: a single-thread piscina, started on demand (lane 0: at once) and ended after THREAD_IDLE_MS idle. */
interface Lane {
  readonly pool: Piscina;
  /** Settles once the lane's first thread has its DNS port queued (its first task). */
  readonly ready: Promise<void>;
  /** This end of the thread's DNS port (one for the thread's life, not one per message). */
  dns: MessagePort | null;
  idle: NodeJS.Timeout | null;
  /** Started on demand and not warmed up yet: takes no work until it is. */
  warming: boolean;
}

/**
 * The pool is one piscina of one thread per lane, not one piscina of N threads, so that a message's
 * prepare can go to the thread that read it and still holds its parsed form (work-thread.ts,
 * `keep`): the parsed message then crosses threads once (to the rules here), not twice. Other tasks
 * go to the lane with the fewest tasks in flight, the lowest lane among equals, so light traffic
 * keeps to the first lane and the others start only when it is busy and retire when idle.
 */
export class WorkPool implements RelayWork {
  readonly #lanes: (Lane | null)[];
  /** Tasks in flight per lane (queued or running). */
  readonly #busy: number[];
  readonly #setup: ThreadSetup;
  readonly #signs: boolean;
  readonly #idleMs: number;
  readonly #firstIdleMs: number;
  readonly #spareCores: () => number;
  #closed = false;
  #nextKeep = 0;
  /** Asks #spareCores once a window while a task is in flight and a lane is not running (#keepReading). */
  #reading: ReturnType<typeof setInterval> | null = null;
  /** The resolver of each read whose sender is being verified, by the read's id. */
  readonly #resolvers = new Map<number, DnsResolver>();

  /**
   * dkim: the key the threads sign with (prepare signs what it composes); null: nothing is signed
   * here. idleMs: how long lanes other than the first stay idle before their thread ends
   * (THREAD_IDLE_MS; Infinity keeps every thread); firstIdleMs: the same for the first lane
   * (FIRST_THREAD_IDLE_MS; Infinity keeps it); spareCores: the machine's idle CPU lately, in cores
   * (spare-cores.ts), which decides whether a busy pool starts another thread (SPARE_CORES_TO_START).
   */
  constructor(
    threads: number,
    dkim: DkimKey | null = null,
    {
      idleMs = THREAD_IDLE_MS,
      firstIdleMs = FIRST_THREAD_IDLE_MS,
      spareCores = spareCoresReader(),
    }: { readonly idleMs?: number; readonly firstIdleMs?: number; readonly spareCores?: () => number } = {},
  ) {
    this.#setup = { dkim: dkim ? signSetup(dkim) : null };
    this.#signs = dkim !== null;
    this.#idleMs = idleMs;
    this.#firstIdleMs = firstIdleMs;
    this.#spareCores = spareCores;
    this.#lanes = Array.from({ length: Math.max(1, threads) }, () => null);
    this.#busy = this.#lanes.map(() => 0);
    this.#open(0);
  }

  /** Starts a lane's thread. piscina replaces a thread that died (minThreads 1) for as long as the lane lives. */
  #open(lane: number): Lane {
    const pool = new Piscina({
      filename: threadModule(),
      minThreads: 1,
      maxThreads: 1,
      idleTimeout: Infinity,
      concurrentTasksPerWorker: TASKS_PER_THREAD,
      workerData: this.#setup,
      resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB },
      taskQueue: new ConnectFirst(),
    });
    // A thread that ended between tasks: its tasks' callers got the error; piscina starts another.
    pool.on('error', () => undefined);
    // On every thread's start (a thread that died is replaced by piscina), before any other task;
    // tasks wait for the first one's (piscina announces a new pool's thread a microtask later).
    pool.on('workerCreate', () => this.#connect(entry));
    const ready = new Promise<void>((resolve) => pool.once('workerCreate', () => resolve()));
    const entry: Lane = { pool, ready, dns: null, idle: null, warming: false };
    this.#lanes[lane] = entry;
    return entry;
  }

  /** Ends an idle lane's thread (the first lane's after firstIdleMs), unless a task came meanwhile. */
  #retireLater(lane: number): void {
    const entry = this.#lanes[lane];
    const idleMs = lane === 0 ? this.#firstIdleMs : this.#idleMs;
    if (!entry || this.#busy[lane] !== 0 || !Number.isFinite(idleMs)) return;
    if (entry.idle) clearTimeout(entry.idle);
    entry.idle = setTimeout(() => {
      if (this.#busy[lane] !== 0 || this.#lanes[lane] !== entry) return;
      this.#lanes[lane] = null;
      entry.dns?.close();
      entry.pool.destroy().catch(() => undefined);
    }, idleMs);
    entry.idle.unref();
  }

  /** Gives the lane's (new) thread its DNS port; its first task, so every later one finds it there. */
  #connect(entry: Lane): void {
    entry.dns?.close();
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (q: DnsQuestion) => this.#answer(port1, q));
    port1.unref();
    entry.dns = port1;
    entry.pool.run({ dns: port2 }, { name: 'connect', transferList: [port2] as never }).catch(() => undefined);
  }

  /** A thread's DNS question, answered by the resolver of the read that asked it. */
  #answer(port: MessagePort, q: DnsQuestion): void {
    const resolver = this.#resolvers.get(q.read);
    const answered = resolver ? resolver(q.name, q.rrtype) : Promise.reject(new Error('no verification in progress for this question'));
    answered.then(
      (records) => port.postMessage({ id: q.id, records }),
      (err: NodeJS.ErrnoException) => port.postMessage({ id: q.id, error: { message: String(err?.message ?? err), ...(err?.code ? { code: err.code } : {}) } }),
    );
  }

  /**
   * The running lane with the fewest tasks in flight; among equals, the lowest. When even that one
   * is busy, a lane is not running and the machine has a core to spare for it (SPARE_CORES_TO_START),
   * that lane is started and warmed up, and takes work once warm: a cold thread needs ~0.6–0.8 s of
   * its own CPU and ~1.2–1.7 s of the process's (V8's compiler threads too; seconds of wall time on
   * a loaded machine: bench/thread-start.mjs) to load and compile the MIME, DKIM and masking code,
   * far longer than a message waits behind another. With no lane running, one starts whatever the
   * machine's load; with only lanes warming up, the first of them takes the message (a burst after
   * every thread retired starts one thread, not one a message, on a machine with no core to spare).
   */
  #leastBusy(): number {
    let best = -1;
    let warming = -1;
    let dormant = -1;
    this.#lanes.forEach((entry, lane) => {
      if (!entry) {
        if (dormant < 0) dormant = lane;
      } else if (entry.warming) {
        if (warming < 0) warming = lane;
      } else if (best < 0 || (this.#busy[lane] as number) < (this.#busy[best] as number)) best = lane;
    });
    // Only lanes warming up (the first message after every thread retired started one): the
    // message waits for the first of them, which is busy with its warm-up, so another starts only
    // where a core is spare, as beside a busy warm lane.
    const target = best >= 0 ? best : warming;
    if (dormant < 0 || this.#closed) return Math.max(target, 0);
    if (target < 0) {
      this.#start(dormant);
      return dormant;
    }
    if ((this.#busy[target] as number) > 0 && this.#spareCores() >= SPARE_CORES_TO_START) this.#start(dormant);
    return target;
  }

  /**
   * While a task is in flight and a lane is not running, asks the spare-cores reader once a window
   * (SPARE_WINDOW_MS; a reading costs ~0.1 ms), so its last two windows are the busy pool's last two
   * seconds however far apart messages come: asked only on arrival, messages more than its staleMs
   * apart (each holding its thread longer, as a slow DNS answer does) each took a new baseline and
   * the answer stayed 0, and the second thread never started on an idle machine. Stops once nothing
   * is in flight (a quiet hour then leaves a stale reading: a new baseline, as before).
   */
  #keepReading(): void {
    if (this.#reading || this.#closed || this.#lanes.every((entry) => entry !== null)) return;
    const reading = setInterval(() => {
      if (this.#closed || this.#busy.every((n) => n === 0) || this.#lanes.every((entry) => entry !== null)) {
        clearInterval(reading);
        this.#reading = null;
      } else this.#spareCores();
    }, SPARE_WINDOW_MS);
    reading.unref();
    this.#reading = reading;
  }

  /** Starts a lane not running and warms its thread up before it takes work (see #leastBusy). */
  #start(lane: number): void {
    const entry = this.#open(lane);
    entry.warming = true;
    void this.#warm(lane).finally(() => (entry.warming = false));
  }

  async #run<T>(lane: number, task: unknown, name: string, transferList?: readonly object[]): Promise<T> {
    if (this.#closed) throw new Error('the work pool is closed');
    const entry = this.#lanes[lane] ?? this.#open(lane);
    if (entry.idle) clearTimeout(entry.idle);
    entry.idle = null;
    (this.#busy[lane] as number)++;
    this.#keepReading();
    try {
      await entry.ready;
      return (await entry.pool.run(task, { name, ...(transferList ? { transferList: transferList as never } : {}) })) as T;
    } finally {
      (this.#busy[lane] as number)--;
      this.#retireLater(lane);
    }
  }

  /**
   * One small message through sender authentication, parse, rewrite, compose and signing on each
   * running thread (the first lane's at start), so the first real message does not pay for loading
   * and compiling the MIME code (seconds on a loaded machine).
   */
  warmUp(): Promise<void> {
    return Promise.all(this.#lanes.flatMap((entry, lane) => (entry ? [this.#warm(lane)] : []))).then(() => undefined);
  }

  /** The warm-up message read and prepared on one lane's thread; never fails. */
  async #warm(lane: number): Promise<void> {
    const raw = Buffer.from('From: a@warm.example\r\nTo: b@warm.example\r\nSubject: warm-up\r\n\r\nwarm-up text\r\n');
    try {
      const verify = { session: { ip: '127.0.0.1', helo: 'warm.example', envelopeFrom: '' }, resolver: async () => [], mta: 'warm.example' };
      // Kept by the thread that read it, so the prepare runs on that lane too (prepare, `kept`).
      const { mail, kept } = await this.#readOn(lane, raw, 60_000, verify);
      await this.prepare({
        mail,
        kept: kept ? { mail: kept, release: true } : null,
        raw,
        ctx: {
          direction: 'buyer_to_store',
          aliasAddress: 'alias@warm.example',
          store: { id: 0, slug: 'warm', name: 'Warm', mailbox: 'store@warm.example' },
          buyer: { name: 'Warm', email: 'a@warm.example' },
          hide: { addresses: ['a@warm.example'], names: [] },
          messageId: '<warm@warm.example>',
          threading: { inReplyTo: null, references: [], dropped: 0 },
          now: new Date(),
        },
        campaign: null,
        compose: true,
      });
    } catch {
      // A warm-up that failed leaves a colder thread, nothing else.
    }
  }

  /** Threads running now (lanes not started, or retired after THREAD_IDLE_MS idle, have none). */
  get threads(): number {
    return this.#lanes.reduce((n, entry) => n + (entry ? entry.pool.threads.length : 0), 0);
  }

  /** Ends a lane's running thread at once, as a crash would (tests); piscina starts another in its place. */
  async kill(lane: number): Promise<void> {
    await this.#lanes[lane]?.pool.threads[0]?.terminate();
  }

  async parse(raw: Uint8Array | SpooledFile, timeoutMs: number): Promise<ParsedMail> {
    const r = await this.#run<ParseOutcome>(this.#leastBusy(), { raw, timeoutMs }, 'parse');
    if ('ok' in r) return unpackMail(r.ok);
    if ('timeout' in r) throw new ParseTimeout(r.timeout);
    if ('unread' in r) throw new SpoolUnread(r.unread);
    throw new Error(r.error);
  }

  /**
   * On the thread that read the message when it kept it (only from, sender and headers go along),
   * else with the parsed message cloned to the least busy thread.
   */
  async prepare(input: PrepareInput): Promise<Prepared> {
    const { mail, kept, sizeHint, raw, ...rest } = input;
    // A large plain text may leave with the body it came with (shared-body.ts): the thread composes
    // it in memory of its own, compares, and hands back only the signed header block when the bodies
    // are the same (work-thread.ts prepare), so no memory is given for the whole copy.
    const original = this.#signs && rest.compose && raw && mayShareBody(mail, raw) ? raw : null;
    // Otherwise the composed bytes go into memory allocated here (work-thread.ts fromGiven), when they fit it.
    const bytes = rest.compose && !original ? outputBytesFor(sizeHint, mail) : null;
    const into = bytes === null ? null : Buffer.from(new SharedArrayBuffer(bytes));
    // A lane whose thread retired holds nothing any more: the clone goes at once.
    if (kept && this.#lanes[kept.mail.lane]) {
      const task: PrepareTask = {
        ...rest,
        into,
        original,
        kept: { id: kept.mail.id, release: kept.release },
        overrides: { from: mail.from, sender: mail.sender ?? null, headers: mail.headers },
      };
      const r = await this.#run<PrepareOutcome>(kept.mail.lane, task, 'prepare');
      if (!('miss' in r)) return unpackPrepared(r, mail);
    }
    // The attachments' bytes stayed with the thread that read the message (work-thread.ts read): the bytes received are parsed again.
    const overrides = { from: mail.from, sender: mail.sender ?? null, headers: mail.headers };
    let task: PrepareTask = { ...rest, into, original, mail };
    if (bytesAway(mail)) {
      if (!raw) throw new Error("a prepare without its message's bytes: the kept message is gone and the bytes received were not given");
      task = { ...rest, into, original, reparse: { raw, timeoutMs: REPARSE_TIMEOUT_MS }, overrides };
    }
    const r = await this.#run<PrepareOutcome>(this.#leastBusy(), task, 'prepare');
    if ('miss' in r) throw new Error('a prepare without its message came back as a miss');
    return unpackPrepared(r, mail);
  }

  /** DKIM signing on a thread, for mail composed on the main thread (notices, reminders, role mail). */
  readonly sign: Signer = async (raw) => {
    if (!this.#signs) throw new Error('this pool has no DKIM key');
    return asBuffer(await this.#run<Uint8Array>(this.#leastBusy(), { raw }, 'sign'));
  };

  /**
   * One task per received message before the rules: parsed and, with `verify`, its SPF, DKIM and
   * DMARC computed on the same thread; its DNS questions come back here and are answered by
   * `verify.resolver` (the gateway's one cache, one lookup in flight per name).
   */
  read(raw: Uint8Array | SpooledFile, timeoutMs: number, verify: Verification | null): Promise<Read> {
    return this.#readOn(this.#leastBusy(), raw, timeoutMs, verify);
  }

  /** read, on a given lane (the warm-up reads on the lane it warms). */
  async #readOn(lane: number, raw: Uint8Array | SpooledFile, timeoutMs: number, verify: Verification | null): Promise<Read> {
    const id = this.#nextKeep++;
    if (verify) this.#resolvers.set(id, verify.resolver);
    try {
      const answers = verify?.expected?.length ? await answersFor(verify.expected, verify.resolver) : [];
      const task = { raw, timeoutMs, verify: verify ? { session: verify.session, mta: verify.mta, read: id, answers } : null, keep: id };
      const r = await this.#run<ReadOutcome>(lane, task, 'read');
      if (r.auth && 'error' in r.auth) throw new SenderAuthFailed(r.auth.error);
      if ('ok' in r.parse) return { mail: unpackMail(r.parse.ok), auth: r.auth ? r.auth.ok : null, kept: r.kept ? { lane, id } : null };
      if ('timeout' in r.parse) throw new ParseTimeout(r.parse.timeout);
      if ('unread' in r.parse) throw new SpoolUnread(r.parse.unread);
      throw new Error(r.parse.error);
    } finally {
      this.#resolvers.delete(id);
    }
  }

  /**
   * Lets the thread that read a message forget it when no prepare will come (it was refused), so a
   * refused message holds nothing until KEEP_FOR_MS forgets it. A lane that retired holds nothing;
   * a failed release changes nothing (the sweep forgets it later). Settles once the thread forgot
   * it (never rejects); nobody needs to wait for that but a count of what the threads hold, since
   * a thread may run the next task before this one (TASKS_PER_THREAD).
   */
  release(kept: KeptMail): Promise<void> {
    if (!this.#lanes[kept.lane]) return Promise.resolve();
    return this.#run<void>(kept.lane, { id: kept.id }, 'release').catch(() => undefined);
  }

  /** Per lane, the parsed messages its thread keeps for a prepare still to come, and their bytes (none on a lane not running). */
  held(): Promise<{ readonly count: number; readonly bytes: number }[]> {
    return Promise.all(this.#lanes.map((entry, lane) => (entry ? this.#run<{ count: number; bytes: number }>(lane, {}, 'held') : { count: 0, bytes: 0 })));
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#reading) clearInterval(this.#reading);
    this.#reading = null;
    const lanes = this.#lanes.splice(0, this.#lanes.length, ...this.#lanes.map(() => null));
    await Promise.all(
      lanes.map(async (entry) => {
        if (!entry) return;
        if (entry.idle) clearTimeout(entry.idle);
        await entry.pool.destroy();
        entry.dns?.close();
      }),
    );
  }
}
