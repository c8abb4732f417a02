// Owns the relay's worker threads (piscina): sender authentication, parsing, rewriting, composing
// and DKIM signing run there, so the thread that answers SMTP, talks to the database and commits
// never waits on a message's CPU work, and every core does its share. Inputs and outputs are plain
// data; the received bytes are read into shared memory (smtp/spool.ts), so handing them to a thread
// copies nothing, and the composed and signed bytes are moved back, not copied.
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { ParsedMail } from '../core/types.js';
import type { DnsResolver } from '../dns/resolver.js';
import { signSetup } from '../outbound/dkim-sign.js';
import type { DkimKey, Signer } from '../outbound/dkim.js';
import type { ParseOutcome, PrepareOutcome, PrepareTask, ReadOutcome, ThreadSetup } from './work-thread.js';
import {
  asBuffer,
  ParseTimeout,
  SenderAuthFailed,
  unpackMail,
  unpackPrepared,
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
 * under load. Each thread is another V8 heap (~35–45 MB at rest with its own copy of the MIME and
 * masking code, plus what the message it works on costs while it does), which the byte budget
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
 * Each thread's young generation, in MB (V8 splits it into two semi-spaces of 8 MB and a space for
 * large new objects). V8's default lets each thread's new space grow to 32 MB, and the
 * `--max-semi-space-size=32` the launchers gave before to 64 MB, which once grown stays in RSS, in
 * every thread. A thread works on one message at a time, whose garbage dies young. (A process-wide
 * `--max-semi-space-size` overrides this: the launchers give none.)
 */
export const THREAD_YOUNG_GENERATION_MB = 24;

type DnsQuestion = { readonly id: number; readonly read: number; readonly name: string; readonly rrtype: string };

/**
 * The pool is one piscina of one thread per lane, not one piscina of N threads, so that a message's
 * prepare can go to the thread that read it and still holds its parsed form (work-thread.ts,
 * `keep`): the parsed message then crosses threads once (to the rules here), not twice. Other tasks
 * go to the lane with the fewest tasks in flight.
 */
export class WorkPool implements RelayWork {
  readonly #lanes: Piscina[];
  /** Tasks in flight per lane (queued or running). */
  readonly #busy: number[];
  readonly #signs: boolean;
  #nextKeep = 0;
  #nextLane = 0;
  /** Per lane, this end of the thread's DNS port (one for the thread's life, not one per message). */
  readonly #dns: (MessagePort | null)[];
  /** The resolver of each read whose sender is being verified, by the read's id. */
  readonly #resolvers = new Map<number, DnsResolver>();

  /** dkim: the key the threads sign with (prepare signs what it composes); null: nothing is signed here. */
  constructor(threads: number, dkim: DkimKey | null = null) {
    const setup: ThreadSetup = { dkim: dkim ? signSetup(dkim) : null };
    this.#signs = dkim !== null;
    this.#lanes = Array.from(
      { length: Math.max(1, threads) },
      () =>
        new Piscina({
          filename: threadModule(),
          minThreads: 1,
          maxThreads: 1,
          idleTimeout: Infinity,
          concurrentTasksPerWorker: 1,
          workerData: setup,
          resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB },
        }),
    );
    this.#busy = this.#lanes.map(() => 0);
    this.#dns = this.#lanes.map(() => null);
    // On every thread's start (a thread that died is replaced by piscina), before any other task.
    this.#lanes.forEach((pool, lane) => pool.on('workerCreate', () => this.#connect(lane)));
  }

  /** Gives the lane's (new) thread its DNS port; its first task, so every later one finds it there. */
  #connect(lane: number): void {
    this.#dns[lane]?.close();
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (q: DnsQuestion) => this.#answer(port1, q));
    port1.unref();
    this.#dns[lane] = port1;
    this.#run(lane, { dns: port2 }, 'connect', [port2]).catch(() => undefined);
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

  /** The lane with the fewest tasks in flight; among equals, the next in turn. */
  #leastBusy(): number {
    const n = this.#lanes.length;
    let best = this.#nextLane % n;
    for (let i = 1; i < n; i++) {
      const lane = (this.#nextLane + i) % n;
      if ((this.#busy[lane] as number) < (this.#busy[best] as number)) best = lane;
    }
    this.#nextLane = best + 1;
    return best;
  }

  async #run<T>(lane: number, task: unknown, name: string, transferList?: readonly object[]): Promise<T> {
    (this.#busy[lane] as number)++;
    try {
      return (await (this.#lanes[lane] as Piscina).run(task, { name, ...(transferList ? { transferList: transferList as never } : {}) })) as T;
    } finally {
      (this.#busy[lane] as number)--;
    }
  }

  /**
   * One small message through sender authentication, parse, rewrite, compose and signing on each
   * thread, so the first real message does not pay for loading and compiling the MIME code
   * (seconds on a loaded machine).
   */
  warmUp(): Promise<void> {
    const raw = Buffer.from('From: a@warm.example\r\nTo: b@warm.example\r\nSubject: warm-up\r\n\r\nwarm-up text\r\n');
    const one = async () => {
      const verify = { session: { ip: '127.0.0.1', helo: 'warm.example', envelopeFrom: '' }, resolver: async () => [], mta: 'warm.example' };
      const { mail, kept } = await this.read(raw, 60_000, verify);
      await this.prepare({
        mail,
        kept: kept ? { mail: kept, release: true } : null,
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
    };
    return Promise.all(this.#lanes.map(one)).then(
      () => undefined,
      () => undefined,
    );
  }

  get threads(): number {
    return this.#lanes.reduce((n, lane) => n + lane.threads.length, 0);
  }

  async parse(raw: Uint8Array, timeoutMs: number): Promise<ParsedMail> {
    const r = await this.#run<ParseOutcome>(this.#leastBusy(), { raw, timeoutMs }, 'parse');
    if ('ok' in r) return unpackMail(r.ok);
    if ('timeout' in r) throw new ParseTimeout(r.timeout);
    throw new Error(r.error);
  }

  /**
   * On the thread that read the message when it kept it (only from, sender and headers go along),
   * else with the parsed message cloned to the least busy thread.
   */
  async prepare(input: PrepareInput): Promise<Prepared> {
    const { mail, kept, ...rest } = input;
    if (kept && kept.mail.lane < this.#lanes.length) {
      const task: PrepareTask = {
        ...rest,
        kept: { id: kept.mail.id, release: kept.release },
        overrides: { from: mail.from, sender: mail.sender ?? null, headers: mail.headers },
      };
      const r = await this.#run<PrepareOutcome>(kept.mail.lane, task, 'prepare');
      if (!('miss' in r)) return unpackPrepared(r);
    }
    const r = await this.#run<PrepareOutcome>(this.#leastBusy(), { ...rest, mail } satisfies PrepareTask, 'prepare');
    if ('miss' in r) throw new Error('a prepare without its message came back as a miss');
    return unpackPrepared(r);
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
  async read(raw: Uint8Array, timeoutMs: number, verify: Verification | null): Promise<Read> {
    const id = this.#nextKeep++;
    if (verify) this.#resolvers.set(id, verify.resolver);
    try {
      const lane = this.#leastBusy();
      const task = { raw, timeoutMs, verify: verify ? { session: verify.session, mta: verify.mta, read: id } : null, keep: id };
      const r = await this.#run<ReadOutcome>(lane, task, 'read');
      if (r.auth && 'error' in r.auth) throw new SenderAuthFailed(r.auth.error);
      if ('ok' in r.parse) return { mail: unpackMail(r.parse.ok), auth: r.auth ? r.auth.ok : null, kept: r.kept ? { lane, id } : null };
      if ('timeout' in r.parse) throw new ParseTimeout(r.parse.timeout);
      throw new Error(r.parse.error);
    } finally {
      this.#resolvers.delete(id);
    }
  }

  /** Per thread, the parsed messages it keeps for a prepare still to come, and their bytes. */
  held(): Promise<{ readonly count: number; readonly bytes: number }[]> {
    return Promise.all(this.#lanes.map((_, lane) => this.#run<{ count: number; bytes: number }>(lane, {}, 'held')));
  }

  async close(): Promise<void> {
    await Promise.all(this.#lanes.map((lane) => lane.destroy()));
    for (const port of this.#dns) port?.close();
  }
}
