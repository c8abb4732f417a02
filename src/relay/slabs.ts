// Owns the intake's slabs: long-lived SharedArrayBuffers that received messages are written into
// and that the next message reuses. On a VM, memory touched for the first time costs ~5-8 ms of CPU
// per MiB in page faults, and a SharedArrayBuffer that survives a scavenge waits in RSS for a full
// mark-compact; a copy into memory already touched costs ~0.1 ms per MiB. So the bytes of a message
// live in one slab from its first DATA chunk until it is answered, and the slab then goes back
// here instead of to the garbage collector.
//
// Ownership: `take` hands a slab to one owner (the intake spool, for one message), who alone writes
// and reads it (and lends views of it to the pool threads, which read it only while a task of that
// message runs); `give` hands it back, after which the owner and everything it lent must never touch
// it again. What a message holds is counted by the byte budget (relay/byte-budget.ts) like any of
// its memory; what waits here, free, is bounded by `retainBytes` and let go after `idleMs` without
// a take, so a gateway at rest holds none.

/** The smallest slab, in bytes: a 10 KiB message takes this one. */
export const SLAB_MIN = 16 * 1024;
/** The largest slab kept for reuse, in bytes (a power of two; above smtp.maxMessageBytes' default of 25 MiB). Larger ones are allocated and dropped. */
export const SLAB_MAX = 32 * 1024 * 1024;
/** Free slabs kept for reuse at most, in bytes (their byteLength, though only the pages a message touched are resident). */
export const RETAIN_BYTES = 32 * 1024 * 1024;
/** Free slabs are let go once no slab has been taken for this long, in ms. */
export const IDLE_MS = 10_000;

/** The bytes written over a slab given back while poisoning: a message read after that shows them. */
const POISON = 'SLAB GIVEN BACK ';

export interface SlabOptions {
  /** Free slabs kept at most, in bytes (default RETAIN_BYTES). */
  readonly retainBytes?: number;
  /** Free slabs let go after this long without a take, in ms (default IDLE_MS). */
  readonly idleMs?: number;
  /**
   * Tests: a slab given back is overwritten with a pattern at once, and giving one back twice
   * throws, so a message read after its slab went back arrives corrupted (default: the
   * MASKGATE_SLAB_POISON environment variable is "1"; not for production).
   */
  readonly poison?: boolean;
}

/** The size class a message of `size` bytes takes: the next power of two, at least SLAB_MIN. */
export function slabClass(size: number): number {
  let c = SLAB_MIN;
  while (c < size) c *= 2;
  return c;
}

export class Slabs {
  readonly #free = new Map<number, SharedArrayBuffer[]>();
  readonly #given = new WeakSet<SharedArrayBuffer>();
  readonly #retain: number;
  readonly #idleMs: number;
  readonly #poison: boolean;
  #freeBytes = 0;
  #fresh = 0;
  #lastTake = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: SlabOptions = {}) {
    this.#retain = options.retainBytes ?? RETAIN_BYTES;
    this.#idleMs = options.idleMs ?? IDLE_MS;
    this.#poison = options.poison ?? process.env.MASKGATE_SLAB_POISON === '1';
  }

  /** Bytes of free slabs kept now (byteLength). */
  get retained(): number {
    return this.#freeBytes;
  }

  /** Slabs allocated so far rather than reused (each one page-faulted in as it was written). */
  get fresh(): number {
    return this.#fresh;
  }

  /**
   * A slab of at least `size` bytes, owned by the caller until `give`: a free one of its class when
   * there is one, else a new one (zeroed; above SLAB_MAX exactly `size` bytes, never kept).
   */
  take(size: number): SharedArrayBuffer {
    this.#lastTake = Date.now();
    const c = slabClass(size);
    const reused = c <= SLAB_MAX ? this.#free.get(c)?.pop() : undefined;
    if (reused) {
      this.#freeBytes -= c;
      this.#given.delete(reused);
      return reused;
    }
    this.#fresh += 1;
    return new SharedArrayBuffer(c <= SLAB_MAX ? c : size);
  }

  /**
   * A slab of at least `needed` bytes holding `slab`'s first `used` bytes: `slab` itself when it is
   * large enough, else a larger one (at least twice as large, so a message growing chunk by chunk is
   * copied O(log n) times) with the bytes copied and `slab` given back.
   */
  grow(slab: SharedArrayBuffer, used: number, needed: number): SharedArrayBuffer {
    if (needed <= slab.byteLength) return slab;
    const larger = this.take(Math.max(needed, 2 * slab.byteLength));
    new Uint8Array(larger).set(new Uint8Array(slab, 0, used));
    this.give(slab);
    return larger;
  }

  /**
   * Hands `slab` back: kept for the next take of its class while the free ones stay within the
   * retention bound, else dropped (the garbage collector frees it). The giver must not touch it again.
   */
  give(slab: SharedArrayBuffer): void {
    const c = slab.byteLength;
    if (this.#given.has(slab)) throw new Error('a slab was given back twice');
    if (this.#poison) {
      Buffer.from(slab).fill(POISON);
      this.#given.add(slab);
    }
    if (c !== slabClass(c) || c > SLAB_MAX || this.#freeBytes + c > this.#retain) return;
    this.#given.add(slab);
    const list = this.#free.get(c);
    if (list) list.push(slab);
    else this.#free.set(c, [slab]);
    this.#freeBytes += c;
    this.#trimLater();
  }

  /** Lets every free slab go (the garbage collector frees them). */
  drop(): void {
    this.#free.clear();
    this.#freeBytes = 0;
  }

  /** While free slabs are kept, a timer lets them go once none has been taken for idleMs. */
  #trimLater(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (Date.now() - this.#lastTake >= this.#idleMs) this.drop();
      else if (this.#freeBytes > 0) this.#trimLater();
    }, this.#idleMs);
    this.#timer.unref();
  }
}
