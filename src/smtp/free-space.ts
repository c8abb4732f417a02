// Owns the free-disk check at MAIL FROM: below 1.5 × the message size limit we answer 452 rather
// than accept a message we might not be able to store. statfs is cached for a few seconds.
import { statfsSync } from 'node:fs';

export class FreeSpace {
  readonly #dir: string;
  readonly #ttlMs: number;
  #checkedAt = 0;
  #free = Number.POSITIVE_INFINITY;

  constructor(dir: string, ttlMs = 5000) {
    this.#dir = dir;
    this.#ttlMs = ttlMs;
  }

  bytes(now = Date.now()): number {
    if (now - this.#checkedAt > this.#ttlMs) {
      try {
        const s = statfsSync(this.#dir);
        this.#free = s.bavail * s.bsize;
      } catch {
        this.#free = Number.POSITIVE_INFINITY; // cannot tell: do not refuse mail over it
      }
      this.#checkedAt = now;
    }
    return this.#free;
  }
}
