// Owns handing the memory of a large message back once it is done with. V8 collects dead
// ArrayBuffers (received bytes, decoded attachments, composed copies: malloc'd outside its heap) only
// when its own heap needs a collection or their total has grown by ~64 MB since the last one; a
// thread whose heap stays small then keeps several dead 17 MB messages resident, each thread on its
// own (measured: ~110 MB of dead buffers on the SMTP thread during a burst of 17 MB messages). A
// full collection of a ~40 MB heap costs ~10–30 ms, against seconds of work on such a message.
// V8's gc() exists only when node was started with --expose-gc, which every launcher gives
// (test/helpers/child-gateway.ts GATEWAY_NODE_ARGS); elsewhere (in-process tests, tools) this does
// nothing. (Setting the flag at run time with v8.setFlagsFromString is not safe with the pool
// threads running: DKIM signatures made on them stopped verifying.)

/** Messages at least this large are followed by a full collection on the thread that handled them. */
export const COLLECT_FROM_BYTES = 4 * 1024 * 1024;

/** A full garbage collection on this thread when `bytes` (a message's size) is at least COLLECT_FROM_BYTES and gc() is exposed. */
export function collectAfter(bytes: number): void {
  if (bytes < COLLECT_FROM_BYTES) return;
  (globalThis as { gc?: () => void }).gc?.();
}
