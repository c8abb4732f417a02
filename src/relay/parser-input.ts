// Owns one change to how mailparser takes its input, for every parse in the process (relay/parse.ts):
// the message is handed to the MIME splitter without a copy. mailparser writes its input through
// mailsplit's ChunkedPassthrough, which gathers small writes into chunks of at least 64 KiB with
// `Buffer.concat([gathered, chunk])`: for a message handed over whole (as the pool thread parses
// the bytes it received) that concat copies the whole message, a MiB of fresh memory for a MiB, 17
// MB for the memory tier's messages, all garbage as soon as the splitter has read it. A chunk that
// arrives with nothing gathered and is already large enough is passed on as it is: the splitter
// gets the same bytes in the same chunks, and only reads them (it cuts views of its input).
import { createRequire } from 'node:module';

interface Passthrough {
  buffer: Buffer;
  chunkSize: number;
  push(chunk: Buffer): boolean;
}

type Transform = (this: Passthrough, chunk: Buffer, encoding: BufferEncoding, done: () => void) => void;

/** mailsplit's ChunkedPassthrough as mailparser loads it, or null when it cannot be found (an update moved it). */
function passthroughPrototype(): { _transform?: Transform } | null {
  try {
    const fromMailparser = createRequire(createRequire(import.meta.url).resolve('mailparser'));
    const mailsplit = fromMailparser('@zone-eu/mailsplit') as { ChunkedPassthrough?: { prototype?: { _transform?: Transform } } };
    const proto = mailsplit.ChunkedPassthrough?.prototype;
    return typeof proto?._transform === 'function' ? proto : null;
  } catch {
    return null;
  }
}

const proto = passthroughPrototype();
const gathering = proto?._transform ?? null;

/** Whether the passthrough was changed (false only if an update moved it: then it copies as before, and the test fails). */
export const replaced = gathering !== null;

if (proto && gathering) {
  proto._transform = function (chunk, encoding, done) {
    if (this.buffer?.length === 0 && Buffer.isBuffer(chunk) && chunk.length >= this.chunkSize) {
      this.push(chunk);
      done();
      return;
    }
    gathering.call(this, chunk, encoding, done);
  };
}
