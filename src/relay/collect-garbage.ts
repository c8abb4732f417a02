// Owns handing the memory of messages back once they are done with. V8 collects dead ArrayBuffers
// (received bytes, decoded attachments, composed copies: malloc'd outside its heap) and large
// strings (a 1 MiB text part, its rewritten copy, the search text) only when its own heap needs a
// full collection, and it lets the heap grow far past what is alive before it does: a thread then
// keeps many dead messages resident, each thread on its own. Measured: ~110 MB of dead buffers on the
// SMTP thread during a burst of 17 MB messages; during 300 messages of 1 MiB of text over 100
// sessions, the SMTP thread's heap grew from 68 to ~200 MB while what was alive stayed far smaller.
// So every thread counts the bytes of the messages it finished and runs a full collection once they
// reach COLLECT_EVERY_BYTES: one collection of a ~40 MB heap (~10–30 ms) per 8 MiB of mail, under
// 4 ms per MiB, against ~100 ms of CPU per MiB of text for the work itself.
// V8's gc() exists only when node was started with --expose-gc, which every launcher gives
// (test/helpers/child-gateway.ts GATEWAY_NODE_ARGS); elsewhere (in-process tests, tools) this does
// nothing. (Setting the flag at run time with v8.setFlagsFromString is not safe with the pool
// threads running: DKIM signatures made on them stopped verifying.)

/** A message at least this large is followed by a full collection at once on the thread that handled it. */
export const COLLECT_FROM_BYTES = 4 * 1024 * 1024;

/** Smaller messages are counted: a full collection once those finished on this thread since the last one reach this many bytes. */
export const COLLECT_EVERY_BYTES = 8 * 1024 * 1024;

/** Bytes of messages finished on this thread since its last full collection (module state: one per thread). */
let finished = 0;

/**
 * Counts `bytes` (a finished message's size) on this thread, and runs a full garbage collection when
 * the message is at least COLLECT_FROM_BYTES or the bytes counted since the last one reach
 * COLLECT_EVERY_BYTES, if gc() is exposed. Returns whether it collected.
 */
export function collectAfter(bytes: number): boolean {
  finished += bytes;
  if (bytes < COLLECT_FROM_BYTES && finished < COLLECT_EVERY_BYTES) return false;
  finished = 0;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return false;
  gc();
  return true;
}
