// Owns one change to how mailparser ends, for every parse in the process (relay/parse.ts): a message
// whose input ends in an inline message/rfc822 part's header block is read at once. At the end of
// its input the MIME splitter (@zone-eu/mailsplit) reads the header block it is in as complete;
// when that block is an inline message/rfc822 part's, the part is an embedded message (its content
// is the nodes that follow, it has none of its own) whose header block the input never starts. At
// its end mailparser waits for the 'end' of that part's decoder, which nothing reads, unless a
// decoder ended before (its `decoderEnded` is one flag for the whole parse): so a message with a
// text part before such an ending was read at once, and one without (the part alone, or the whole
// message) held a pool thread until the parse timeout (20 s) and got a 451, its sender retried it
// and held one again, and two such messages at a time stopped every parse of the gateway. Here, in
// that one case (the last node an embedded message's part, its decoder unread and not ended, no
// decoder ended), the decoder is let flow: it holds nothing, it ends, and mailparser finishes as it
// does when a decoder ended before. A message mailparser finished reads the same, byte for byte;
// one it waited on reads as if it had not waited. (The splitter is not changed: ending the embedded
// message there, as 1ac6d62 did, read an empty one into messages mailparser had finished, a blank
// text and an empty table in their HTML.) relay/parser-end.test.ts holds that against mailparser's
// own ending, and fails if an update moves the internals used here.
import { MailParser } from 'mailparser';

/** The part of mailparser's tree node read here. */
interface ParserNode {
  readonly node?: { readonly messageNode?: boolean };
  readonly contentStream?: unknown;
  readonly decoder?: NodeJS.ReadableStream & { readonly readable: boolean; resume(): unknown };
}

/** The part of mailparser's MailParser used here. */
interface ParserInternals {
  curnode?: ParserNode | false;
  decoderEnded?: boolean;
  cleanup(this: ParserInternals, done: (error?: Error | null) => void): void;
}

const proto = (MailParser as unknown as { prototype?: Partial<ParserInternals> }).prototype;
const own = typeof proto?.cleanup === 'function' ? proto.cleanup : null;

/** Whether mailparser was changed (false only if an update moved its internals: then it ends as before, and the test fails). */
export const replaced = own !== null;

/**
 * mailparser's cleanup with the one change: what it waits for for ever, the 'end' of an embedded
 * message part's decoder that nothing reads (processChunk reads no content of such a part), when no
 * decoder ended before, is let flow.
 */
const ours: ParserInternals['cleanup'] | null = own
  ? function (done) {
      const last = this.curnode;
      if (last && last.node?.messageNode && !last.contentStream && last.decoder?.readable && !this.decoderEnded) last.decoder.resume();
      own.call(this, done);
    }
  : null;

if (proto && ours) proto.cleanup = ours;

/**
 * For the equivalence test: end with mailparser's own cleanup while `fn` runs (put back in place of
 * ours, then ours again), so the parse's end carries no test switch of its own.
 */
export async function withOwnEnd<T>(fn: () => Promise<T> | T): Promise<T> {
  if (!proto || !own || !ours) return fn();
  proto.cleanup = own;
  try {
    return await fn();
  } finally {
    proto.cleanup = ours;
  }
}
