// Owns a map that holds at most a fixed number of entries, the least recently used going first: a
// cache keyed by what a sender writes (a charset label) stays small, and a flood of labels only
// pushes out older ones (each cheap to compute again), never grows memory or freezes the cache.

/** A Map of at most `limit` entries; `get` counts as a use, `set` past the limit drops the least recently used. */
export class LruMap<K, V> {
  readonly #limit: number;
  // Each value with its key as stored: a key looked up may be a slice of a larger string (see set).
  readonly #entries = new Map<K, { readonly key: K; readonly value: V }>();

  /** limit: the most entries held (at least 1). */
  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value for `key` (now the most recently used), or undefined when it is not held. */
  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    // A Map iterates in insertion order: taken out and put back (by its stored key), the key is the newest.
    this.#entries.delete(key);
    this.#entries.set(entry.key, entry);
    return entry.value;
  }

  /**
   * Holds `value` for `key` as the most recently used, dropping the least recently used past the
   * limit. A string key is held as a copy: V8 keeps a string cut from a larger one (a label matched
   * in a 1 MiB header) as a slice that holds the whole (round-20 attack: 256 labels held 268 MB).
   */
  set(key: K, value: V): void {
    const own = (typeof key === 'string' ? detachedCopy(key) : key) as K;
    this.#entries.delete(key);
    this.#entries.set(own, { key: own, value });
    if (this.#entries.size > this.#limit) this.#entries.delete(this.#entries.keys().next().value as K);
  }
}

/**
 * A copy of `s` that shares no memory with the string it was cut from. V8 keeps `s.slice()` of a
 * long string as a sliced string pointing into the whole, and `String(s)`, template literals and
 * `slice(0)` return that same slice; a JSON round trip builds a new flat string. Costs O(|s|).
 */
export function detachedCopy(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}
