// Owns a map that holds at most a fixed number of entries, the least recently used going first: a
// cache keyed by what a sender writes (a charset label) stays small, and a flood of labels only
// pushes out older ones (each cheap to compute again), never grows memory or freezes the cache.

/** A Map of at most `limit` entries; `get` counts as a use, `set` past the limit drops the least recently used. */
export class LruMap<K, V> {
  readonly #limit: number;
  readonly #entries = new Map<K, V>();

  /** limit: the most entries held (at least 1). */
  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value for `key` (now the most recently used), or undefined when it is not held. */
  get(key: K): V | undefined {
    if (!this.#entries.has(key)) return undefined;
    const value = this.#entries.get(key) as V;
    // A Map iterates in insertion order: taken out and put back, the key is the newest.
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** Holds `value` for `key` as the most recently used, dropping the least recently used past the limit. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#limit) this.#entries.delete(this.#entries.keys().next().value as K);
  }
}
