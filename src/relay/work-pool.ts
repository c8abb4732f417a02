// Owns the relay's worker threads (piscina): parsing, rewriting and composing run there, so the
// thread that answers SMTP, talks to the database and commits never waits on a large message's
// CPU work, and a second core does its share. Inputs and outputs are plain data (structured
// clones); the received bytes are copied once into the thread.
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { ParsedMail } from '../core/types.js';
import type { ParseOutcome } from './work-thread.js';
import { ParseTimeout, type PrepareInput, type Prepared, type RelayWork } from './work.js';

/**
 * Threads for `smtp.workerThreads: 0` (auto): one fewer than the cores, at least one, at most 4.
 * The main thread has its own CPU work (SMTP, sender authentication, the commit) and DKIM signing
 * has its own thread, so with one pool thread per remaining core every core is busy under load;
 * each extra thread is another V8 heap (tens of MB at rest, plus copies of the messages it works
 * on, freed only at its next collection), which the memory budget cannot see.
 */
export function autoThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/** The compiled thread module in the build; from the TypeScript source, an entry that loads tsx first. */
function threadModule(): string {
  const here = fileURLToPath(import.meta.url);
  return join(dirname(here), here.endsWith('.js') ? 'work-thread.js' : 'work-thread-source.mjs');
}

export class WorkPool implements RelayWork {
  readonly #pool: Piscina;

  constructor(threads: number) {
    this.#pool = new Piscina({ filename: threadModule(), minThreads: threads, maxThreads: threads, idleTimeout: Infinity, concurrentTasksPerWorker: 1 });
  }

  /**
   * One small message through parse, rewrite and compose on each thread, so the first real
   * message does not pay for loading and compiling the MIME code (seconds on a loaded machine).
   */
  warmUp(): Promise<void> {
    const raw = Buffer.from('From: a@warm.example\r\nTo: b@warm.example\r\nSubject: warm-up\r\n\r\nwarm-up text\r\n');
    const one = async () => {
      const mail = await this.parse(raw, 60_000);
      await this.prepare({
        mail,
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
    return Promise.all(Array.from({ length: this.#pool.options.maxThreads }, one)).then(
      () => undefined,
      () => undefined,
    );
  }

  get threads(): number {
    return this.#pool.threads.length;
  }

  async parse(raw: Uint8Array, timeoutMs: number): Promise<ParsedMail> {
    const r = (await this.#pool.run({ raw, timeoutMs }, { name: 'parse' })) as ParseOutcome;
    if ('ok' in r) return r.ok;
    if ('timeout' in r) throw new ParseTimeout(r.timeout);
    throw new Error(r.error);
  }

  async prepare(input: PrepareInput): Promise<Prepared> {
    return (await this.#pool.run(input, { name: 'prepare' })) as Prepared;
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
