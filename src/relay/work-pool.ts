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
 * Threads for `smtp.workerThreads: 0` (auto): one per core, at most 4. The main thread mostly
 * waits on sockets and the disk while a message is parsed, so a thread per core keeps every core
 * busy; more only cost memory (each thread is a V8 heap holding copies of the messages it works on).
 */
export function autoThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** The compiled thread module in the build; from the TypeScript source, an entry that loads tsx first. */
function threadModule(): string {
  const here = fileURLToPath(import.meta.url);
  return join(dirname(here), here.endsWith('.js') ? 'work-thread.js' : 'work-thread-source.mjs');
}

export class WorkPool implements RelayWork {
  readonly #pool: Piscina;

  constructor(threads: number) {
    this.#pool = new Piscina({ filename: threadModule(), minThreads: 0, maxThreads: threads, idleTimeout: Infinity, concurrentTasksPerWorker: 1 });
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
