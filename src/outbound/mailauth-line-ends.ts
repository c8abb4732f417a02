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

function* ensureLinebreaks(this: LineEndParser, input: Buffer): Generator<Buffer> {
  let pos = 0;
  // The last byte that is not an LF, before the one looked at (mailauth's `lastByte`).
  const before = (i: number): number | undefined => {
    let j = i - 1;
    while (j >= 0 && input[j] === LF) j--;
    return j >= 0 ? input[j] : this.lastByte;
  };
  for (let i = input.indexOf(LF); i !== -1; i = input.indexOf(LF, i + 1)) {
    if (before(i) === CR) continue;
    yield pos === i ? CRLF : Buffer.concat([input.subarray(pos, i), CRLF]);
    pos = i + 1;
  }
  const last = before(input.length);
  if (last !== undefined) this.lastByte = last;
  if (pos === 0) yield input;
  else if (pos < input.length) yield input.subarray(pos);
}

const proto = (requireHere('mailauth/lib/dkim/message-parser') as { MessageParser: { prototype: LineEndParser } }).MessageParser.prototype;

/** mailauth's own version, kept for the equivalence test. */
export const mailauthEnsureLinebreaks = proto.ensureLinebreaks;

proto.ensureLinebreaks = ensureLinebreaks;

export { ensureLinebreaks };
