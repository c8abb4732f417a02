// Owns handing the memory of messages back once they are done with. V8 collects dead ArrayBuffers
// (received bytes, decoded attachments, composed copies: malloc'd outside its heap) and large
// strings (a 1 MiB text part, its rewritten copy, the search text) only when its own heap needs a
// full collection, and it lets the heap grow far past what is alive before it does: a thread then
// keeps many dead messages resident, each thread on its own. Measured: ~110 MB of dead buffers on the
// SMTP thread during a burst of 17 MB messages; during 300 messages of 1 MiB of text over 100
// sessions, the SMTP thread's heap grew from 68 to ~200 MB while what was alive stayed far smaller.
//
// So after each message a thread asks V8 what it holds (heapHeld: the old generation, large objects
// and the memory of its ArrayBuffers and large texts; not the young generation, which scavenges
// empty cheaply) and runs a full collection only when that has grown COLLECT_GROWTH past the least
// it held since its last collection. A message of COLLECT_FROM_BYTES or more is still followed by a
// collection at once: its bytes sit in SharedArrayBuffers shared by the SMTP thread and a pool
// thread, freed only once both have dropped them, and V8 counts such memory on neither heap.
// The rule this replaces (a full collection every 8 MiB of finished mail per thread, whatever the
// heap held) bounded the 1 MiB tier's RSS as well but cost 50–75 ms of CPU per 1 MiB message: it
// collected the pool threads, whose heaps V8 keeps small by itself (about one collection of its own
// per message there), as often as the SMTP thread. Over 200 messages of 1 MiB (20 sessions) a
// per-thread logger counted full collections SMTP / pool / pool 48–50 / 40–46 / 41–47 with the old
// rule and 34–36 / 17–29 / 18–22 with this one, and V8's helper threads (which do most of a
// collection's marking) spent 18–24 s instead of 26–27 s; README "Speed".
// Since round 7 every launcher gives `--heap-growing-percent` (100 then, 50 since round 13): V8's own
// limit then sits at twice (now 1.5 times) what survived (it chose ×1.1 on these heaps, a full
// collection every ~2 messages of 1 MiB on the SMTP thread), so this rule is what bounds each heap's
// growth; round 7, at 100: per 300 messages of 1 MiB it forced
// 15–21 of the SMTP thread's 60–70 full collections and 11–15 of each pool thread's 32–40. Without it
// (COLLECT_GROWTH off) the pool threads ran as many collections (31) and peak RSS was no lower.
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

/** A message at least this large is followed by a full collection at once on the thread that handled it. */
export const COLLECT_FROM_BYTES = 4 * 1024 * 1024;

/** A full collection once this thread holds this many bytes more than the least it held since its last one. */
export const COLLECT_GROWTH = 32 * 1024 * 1024;

/**
 * Bytes this thread holds that only a full collection hands back: V8's heap in use outside the young
 * generation (old objects, large objects such as a 1 MiB string, code) plus the memory V8 counts
 * outside it (`external_memory`: Buffers, decoded attachments, strings of a MiB or more that Node
 * keeps outside the heap).
 */
export function heapHeld(): number {
  let young = 0;
  for (const space of getHeapSpaceStatistics()) if (space.space_name === 'new_space') young = space.space_used_size;
  const h = getHeapStatistics() as ReturnType<typeof getHeapStatistics> & { external_memory?: number };
  return h.used_heap_size - young + (h.external_memory ?? 0);
}

/**
 * The floor growth is measured from: the least this thread was seen holding since its last full
 * collection (V8's own collections lower it). Module state: one per thread. null right after a
 * collection: V8 counts the freed ArrayBuffers and large texts off `external_memory` only at its
 * next collection (a scavenge will do), so the floor is read at the next message, not at once.
 */
let floor: number | null = null;

/**
 * Called on a thread after each message it handled, `bytes` the message's size: runs a full garbage
 * collection when the message was at least COLLECT_FROM_BYTES or what the thread holds (heapHeld)
 * has grown at least COLLECT_GROWTH since its last collection, if gc() is exposed. Returns whether
 * it collected.
 */
export function collectIfGrown(bytes = 0): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return false;
  if (bytes < COLLECT_FROM_BYTES) {
    const now = heapHeld();
    if (floor === null || now < floor) floor = now;
    if (now - floor < COLLECT_GROWTH) return false;
  }
  gc();
  floor = null;
  return true;
}
