// Owns handing malloc's free memory back to the system after large messages. Freed buffers (received
// bytes, composed copies, a pool thread's decoded parts) go back to glibc's malloc, which keeps them
// in its arenas: a thread's arena gives memory back only from its top, so a 1 MiB message's freed
// buffers in the middle stay resident. glibc's malloc_trim(0) gives back every free page of every
// arena (madvise), whichever thread calls it. Node has no binding for it: koffi (an FFI library with
// prebuilt binaries) calls it, loaded lazily and only on Linux with glibc; elsewhere, or when koffi
// fails to load, trimMalloc does nothing (README "Speed", round 15).
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** A message at least this large (bytes) is followed by a trim on the thread that handled it. */
export let TRIM_FROM_BYTES = 256 * 1024;

/** At most one trim per thread this often (ms): each walks every arena and the pages are faulted in again. */
export let TRIM_EVERY_MS = 250;

// Experiment knob (round 15 measurements): MASKGATE_TRIM_EXP = off | <where>:<fromBytes>:<everyMs>,
// where = smtp | pool | all.
const exp = process.env.MASKGATE_TRIM_EXP;
let where = 'all';
let above = 0;
if (exp && exp !== 'off') {
  const [w, b, e, a] = exp.split(':');
  above = Number(a ?? 0) * 1024 * 1024;
  where = w ?? 'all';
  TRIM_FROM_BYTES = Number(b);
  TRIM_EVERY_MS = Number(e);
}

/** mallocTrimStatus's reason where there is no glibc (musl, macOS, Windows): nothing to trim, nothing to log. */
export const NOT_GLIBC = 'not Linux with glibc';

type Trim = (pad: number) => number;

/** The bound malloc_trim, null when it cannot be had here, undefined until first asked. */
let trimFn: Trim | null | undefined;
let unavailable: string | null = null;
let lastAt = 0;
let count = 0;
let spent = 0;

/** Whether this process runs on glibc (process.report's header names its version only there). */
function onGlibc(): boolean {
  if (process.platform !== 'linux') return false;
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return typeof report?.header?.glibcVersionRuntime === 'string';
}

/** Loads koffi and binds libc's malloc_trim once; records why not when it cannot. */
function load(): Trim | null {
  if (trimFn !== undefined) return trimFn;
  trimFn = null;
  try {
    if (!onGlibc()) {
      unavailable = NOT_GLIBC;
      return null;
    }
    const koffi = createRequire(import.meta.url)('koffi') as { load(path: string): { func(signature: string): Trim } };
    trimFn = koffi.load('libc.so.6').func('int malloc_trim(size_t)');
  } catch (err) {
    unavailable = (err as Error).message ?? String(err);
  }
  return trimFn;
}

/**
 * Whether malloc_trim can be called in this process; loads it (koffi) on first call. `reason` says
 * why not (not glibc, koffi missing or failing), for the one log line the gateway writes at start.
 */
export function mallocTrimStatus(): { readonly available: boolean; readonly reason: string | null } {
  return { available: load() !== null, reason: unavailable };
}

/** How many times this thread called malloc_trim (for tests and the bench). */
export function trimCount(): number {
  return count;
}

/**
 * Called on a thread after a message it handled is done with (after collectIfGrown), `bytes` the
 * message's size: calls malloc_trim(0) when the message was at least TRIM_FROM_BYTES and this
 * thread has not trimmed in the last TRIM_EVERY_MS. Returns whether it trimmed. Never throws.
 */
export function trimMalloc(bytes: number, thread: 'smtp' | 'pool' = 'smtp'): boolean {
  if (exp === 'off' || (where !== 'all' && where !== thread)) return false;
  if (bytes < TRIM_FROM_BYTES) return false;
  const now = Date.now();
  if (now - lastAt < TRIM_EVERY_MS) return false;
  if (above && process.memoryUsage.rss() < above) return false;
  const trim = load();
  if (!trim) return false;
  lastAt = now;
  try {
    const t0 = process.hrtime.bigint();
    trim(0);
    count++;
    spent += Number(process.hrtime.bigint() - t0);
    if (process.env.MASKGATE_TRIM_DEBUG && count % 10 === 0)
      appendFileSync(process.env.MASKGATE_TRIM_DEBUG, `${process.pid} trim ${thread} ${count} ${(spent / 1e6).toFixed(1)} ms\n`);
    return true;
  } catch {
    return false;
  }
}
