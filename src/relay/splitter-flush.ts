// Owns one change to how mailparser's MIME splitter (@zone-eu/mailsplit's MessageSplitter) ends,
// for every parse in the process (relay/parse.ts): the end of the input ends every header block it
// is in, not only the first. At the end of its input the splitter reads the header block it is in
// as complete (its `_flush` calls processLine with `final`). When that block is an inline
// message/rfc822 part's, reading it opens the embedded message, whose header block starts there and
// is never read: no node is pushed for it, and mailparser waits for it for ever. A message that
// ended there (`Content-Disposition: inline` on a message/rfc822 part, then nothing) held a pool
// thread until the parse timeout (20 s) and got a 451, so its sender retried it and held one again,
// and two such messages at a time stopped every parse of the gateway. Here, while the end of the
// input has opened another header block, the splitter's own `_flush` runs again: the embedded
// message is read as an empty one, as the splitter reads the same input with its header block
// ended by one more line end. relay/splitter-flush.test.ts holds that equivalence, and fails if an
// update moves the internals used here.
import { createRequire } from 'node:module';

type Done = (error?: Error | null) => void;

/** The part of mailsplit's MessageSplitter used here. */
interface Splitter {
  node: unknown;
  hasFailed: boolean;
  _flush(this: Splitter, done: Done): void;
}

/** mailsplit's MessageSplitter as mailparser loads it, or null when it cannot be found (an update moved it). */
function splitterPrototype(): Splitter | null {
  try {
    const fromMailparser = createRequire(createRequire(import.meta.url).resolve('mailparser'));
    const proto = (fromMailparser('@zone-eu/mailsplit') as { Splitter?: { prototype?: Splitter } }).Splitter?.prototype;
    return typeof proto?._flush === 'function' ? proto : null;
  } catch {
    return null;
  }
}

/**
 * How many header blocks the end of the input may close: the splitter's own limit on nesting is
 * its node count, and each block closed here opens at most one more (an inline message/rfc822 in
 * an inline message/rfc822 …); a message cannot nest deeper than its bytes allow, so this only
 * bounds the loop.
 */
const MAX_BLOCKS = 64;

const proto = splitterPrototype();
const own = proto?._flush ?? null;

/** Whether the splitter was changed (false only if an update moved it: then it ends as before, and the test fails). */
export const replaced = own !== null;

let library = false;

/** For the equivalence test: end with the splitter's own `_flush` while `fn` runs. */
export async function withOwnFlush<T>(fn: () => Promise<T> | T): Promise<T> {
  library = true;
  try {
    return await fn();
  } finally {
    library = false;
  }
}

if (proto && own) {
  proto._flush = function (done) {
    if (library) return own.call(this, done);
    let closed = 0;
    const flush = (): void => {
      const before = this.node;
      own.call(this, (err) => {
        // A new node is the header block the end of the input opened (an embedded message): end it too.
        if (err || this.hasFailed || this.node === before || ++closed >= MAX_BLOCKS) return done(err);
        flush();
      });
    };
    flush();
  };
}
