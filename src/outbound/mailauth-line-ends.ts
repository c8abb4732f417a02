// Owns one change to mailauth, for every use of it in the process (DKIM signing here, sender
// verification in smtp/authenticate.ts): its message parser repairs bare LF line ends with a
// JavaScript loop over every byte of the message, once per signature and once per verification (a
// few ms per MiB each, on the pool threads). This replacement finds the LFs with native searches and
// yields the same pieces: every LF not preceded (ignoring other LFs, as mailauth's loop does) by a
// CR gets one, and `lastByte` ends as mailauth's would. Equivalence is tested against the original.
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

interface LineEndParser {
  lastByte?: number;
  ensureLinebreaks(input: Buffer): Generator<Buffer>;
}

const CR = 0x0d;
const LF = 0x0a;
const CRLF = Buffer.from('\r\n');

/**
 * Bytes known to end every line in CRLF while they are signed (crlfOnly): a chunk of them, as
 * mailauth slices its input, has no LF to add a CR to.
 */
const knownCrlf = new Set<Uint8Array>();

function inKnownCrlf(input: Buffer): boolean {
  for (const k of knownCrlf)
    if (k.buffer === input.buffer && input.byteOffset >= k.byteOffset && input.byteOffset + input.length <= k.byteOffset + k.byteLength) return true;
  return false;
}

/**
 * Runs `fn` (a DKIM signature of `bytes`) with `bytes` passed through the line-end repair unsearched:
 * the caller knows every LF in them follows a CR (composeMail's output). Chunks of them come out as
 * they went in, and `lastByte` ends as the search would leave it.
 */
export async function crlfOnly<T>(bytes: Uint8Array, fn: () => Promise<T>): Promise<T> {
  knownCrlf.add(bytes);
  try {
    return await fn();
  } finally {
    knownCrlf.delete(bytes);
  }
}

function* ensureLinebreaks(this: LineEndParser, input: Buffer): Generator<Buffer> {
  if (knownCrlf.size > 0 && input.length > 0 && inKnownCrlf(input)) {
    // The last byte that is not an LF: an LF there follows the CR before it (or, as a chunk's only
    // byte, the previous chunk's last byte, kept).
    const last = input[input.length - 1] as number;
    if (last !== LF) this.lastByte = last;
    else if (input.length > 1) this.lastByte = input[input.length - 2];
    yield input;
    return;
  }
  let pos = 0;
  // The last byte that is not an LF before the LF looked at (mailauth's `lastByte`), carried from
  // one LF to the next: when the byte before an LF is an LF, it is the one before that one's. Each
  // LF is looked at once, however long a run of LFs is.
  let before = this.lastByte;
  for (let i = input.indexOf(LF); i !== -1; i = input.indexOf(LF, i + 1)) {
    if (i > 0 && input[i - 1] !== LF) before = input[i - 1];
    if (before === CR) continue;
    yield pos === i ? CRLF : Buffer.concat([input.subarray(pos, i), CRLF]);
    pos = i + 1;
  }
  const end = input.length > 0 && input[input.length - 1] !== LF ? input[input.length - 1] : before;
  if (end !== undefined) this.lastByte = end;
  if (pos === 0) yield input;
  else if (pos < input.length) yield input.subarray(pos);
}

/**
 * mailauth's parser prototype, or null when its internals moved (an update): then mailauth keeps its
 * own loop (slower, same results) instead of the gateway failing to start; the test fails instead.
 */
function parserPrototype(): LineEndParser | null {
  try {
    const mod = requireHere('mailauth/lib/dkim/message-parser') as { MessageParser?: { prototype?: LineEndParser } };
    const proto = mod.MessageParser?.prototype;
    return proto && typeof proto.ensureLinebreaks === 'function' ? proto : null;
  } catch {
    return null;
  }
}

const proto = parserPrototype();

/** mailauth's own version, kept for the equivalence test. */
export const mailauthEnsureLinebreaks = proto?.ensureLinebreaks;

/** Whether mailauth's repair was replaced (false only if an update moved its internals). */
export const replaced = proto !== null;

if (proto) proto.ensureLinebreaks = ensureLinebreaks;

export { ensureLinebreaks };
