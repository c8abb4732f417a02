// Owns one change to mailparser, for every parse in the process (relay/parse.ts): how a text part's
// characters are made. mailparser collects a text or HTML part's decoded bytes, turns them into a
// string and then replaces every CRLF with LF (`.toString().replace(/\r?\n/g, '\n')`): the replace
// builds its result as a chain of ~13 000 pieces for a MiB of 79-character lines (~1.2 MB of small
// objects), and the first thing that reads the chain whole (the hand-over to the SMTP thread, the
// masking) copies it into one more string of a MiB. Here the CRs before LFs are taken out of a copy
// of the collected bytes in a buffer the thread reuses (native searches, one memmove a line), and
// one flat string is made; a part with no CRLF is decoded where it is.
// Same characters: a CR or LF byte is never part of a UTF-8 sequence, so taking a CR out before
// decoding gives what taking it out after decoding gives (an incomplete sequence before it
// decodes to U+FFFD either way). Equivalence is tested against mailparser's own reading.
// The string is made as Latin-1 when every byte is ASCII (isAscii, one native scan): the same
// characters (an ASCII byte is its own code point in both), a plain copy instead of V8's UTF-8
// decoder (~0.8 ms a MiB of ASCII on Node 20 against ~0.1).
import { isAscii } from 'node:buffer';
import { MailParser } from 'mailparser';
import { textScratch } from './scratch.js';

const CR = 0x0d;
const LF = 0x0a;
const copyWithin = Uint8Array.prototype.copyWithin;

/** What mailparser's content stream hands out: Buffers, or strings after a charset conversion. */
type Chunk = Buffer | string;

interface TextNode {
  readonly isAttachment?: boolean;
  readonly disposition?: string;
  readonly contentStream?: NodeJS.ReadableStream & { read(): Chunk | null };
  textContent?: string;
}

interface ParserInternals {
  curnode?: TextNode | false;
  processChunk(this: ParserInternals, data: { type: string }, done: () => void): unknown;
}

/** bytes[0, end) as UTF-8: copied as Latin-1 when all of them are ASCII (the same characters). */
export function utf8Text(bytes: Buffer, end = bytes.length): string {
  const view = end === bytes.length ? bytes : bytes.subarray(0, end);
  return isAscii(view) ? view.toString('latin1') : view.toString('utf8');
}

/**
 * `bytes` as UTF-8 with every CRLF made LF, as mailparser's `toString().replace(/\r?\n/g, '\n')`.
 * `bytes` is changed (the caller's own copy).
 */
export function textWithLfLineEnds(bytes: Buffer): string {
  let at = -1;
  let from = 0;
  for (let i = bytes.indexOf(LF); i !== -1; i = bytes.indexOf(LF, i + 1)) {
    if (i === 0 || bytes[i - 1] !== CR) continue;
    // bytes[from, i - 1) is kept, the CR at i - 1 goes
    if (at === -1) at = i - 1;
    else {
      copyWithin.call(bytes, at, from, i - 1);
      at += i - 1 - from;
    }
    from = i;
  }
  if (at === -1) return utf8Text(bytes);
  copyWithin.call(bytes, at, from);
  return utf8Text(bytes, at + bytes.length - from);
}

/** The bytes a text is decoded from, reused on this thread (scratch.ts): texts up to 2 MiB. */
const scratch = textScratch;

/** The text of a part's decoded bytes, as mailparser's `Buffer.concat(chunks).toString().replace(/\r?\n/g, '\n')`. */
function textOf(chunks: readonly Buffer[], length: number): string {
  const only = chunks.length === 1 ? (chunks[0] as Buffer) : null;
  // Nothing to take out (or nothing at all): decoded where it is, no copy.
  if (length === 0 || (only && only.indexOf('\r\n') === -1)) return only ? utf8Text(only) : '';
  const bytes = scratch.borrow(length);
  try {
    let at = 0;
    for (const chunk of chunks) at += chunk.copy(bytes, at);
    return textWithLfLineEnds(bytes);
  } finally {
    scratch.giveBack(bytes);
  }
}

const proto = (MailParser as unknown as { prototype?: Partial<ParserInternals> }).prototype;
const original = typeof proto?.processChunk === 'function' ? proto.processChunk : null;

/** Whether mailparser was changed (false only if an update moved its internals: then it keeps its own way, the test fails). */
export const replaced = original !== null;

/** For the equivalence test: parse with mailparser's own text reading while `fn` runs. */
export async function withMailparserText<T>(fn: () => Promise<T>): Promise<T> {
  own = true;
  try {
    return await fn();
  } finally {
    own = false;
  }
}
let own = false;

if (proto && original) {
  proto.processChunk = function (this: ParserInternals, data, done) {
    const result = original.call(this, data, done);
    const node = this.curnode;
    // A text part mailparser reads into textContent: the node this chunk created, inline, with the
    // stream its decoded bytes come from (not yet read: its body arrives in later chunks).
    if (own || data.type !== 'node' || !node || node.isAttachment || node.disposition !== 'inline') return result;
    const stream = node.contentStream;
    if (!stream || node.textContent !== undefined) return result;
    const chunks: Buffer[] = [];
    let length = 0;
    // Read before mailparser's own reader (which then finds nothing), and set textContent after
    // its 'end' handler (which sets it to '' from no bytes).
    stream.prependListener('readable', () => {
      let chunk: Chunk | null;
      while ((chunk = stream.read()) !== null) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        chunks.push(bytes);
        length += bytes.length;
      }
    });
    stream.once('end', () => {
      node.textContent = textOf(chunks, length);
    });
    return result;
  };
}
