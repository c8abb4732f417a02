// Owns one change to how mailparser's MIME splitter (@zone-eu/mailsplit's MessageSplitter) reads a
// body, for every parse in the process (relay/parse.ts): a run of body lines none of which can be a
// delimiter is handed on in one piece instead of line by line. The splitter walks every byte of its
// input in JavaScript looking for LF and, per line, makes a view, checks it for a boundary and
// groups it with the line before (~3 ms a MiB on the pool thread, 13 000 lines). Inside a body no
// line can change the state but a delimiter line of the node's own boundary or an open ancestor's
// (RFC 2046 5.1.1); such a line starts right after an LF with `--` (or `\r--`: the splitter strips
// one leading CR). So: in the body state, the lines up to the next candidate (`\n--` or `\n\r--`,
// native searches, each candidate checked with the splitter's own checkBoundary) are pushed as the
// splitter itself pushes a group of body lines (same objects, same bytes, same line end held back
// in front of a possible delimiter); every other line (headers, delimiters, an unfinished last
// line) goes to the splitter's own `_transform` as a chunk of its own, as if the input had arrived
// cut there. The splitter reads bytes the same whatever the chunks (its input comes from a
// network) but where a line end is held at a cut: it reads it with the lines after the cut, and a
// line starting with a CR reads differently then (see bodyRun), where no cut is made. Right after
// a header block nothing is held, so a cut is made there whatever follows, unless a delimiter line
// in the block may have moved the splitter into a body: then no cut at all (see headMayHold).
// relay/splitter-body.test.ts compares with the unchanged splitter on hostile inputs, whole (as
// the gateway parses) and cut anywhere, and fails if an update moves the internals used here.
import { createRequire } from 'node:module';

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
const NL_DASHES = Buffer.from('\n--', 'latin1');
const NL_CR_DASHES = Buffer.from('\n\r--', 'latin1');
const BLANK_LF = Buffer.from('\n\n', 'latin1');
const BLANK_CRLF = Buffer.from('\n\r\n', 'latin1');

/** The part of mailsplit's MimeNode read here. */
interface SplitterNode {
  multipart: unknown;
  parentNode: unknown;
}

type Done = (error?: Error | null) => void;
type Transform = (this: Splitter, chunk: Buffer, encoding: BufferEncoding, done: Done) => void;

/** The part of mailsplit's MessageSplitter used here (its own fields and methods). */
interface Splitter {
  state: number;
  node: SplitterNode;
  hasFailed: boolean;
  nodeCounter: number;
  maxChildNodes: number;
  lineLength: number;
  pendingLineTruncated: boolean;
  push(chunk: unknown): boolean;
  processLine(line: Buffer | false, final: boolean, next: (...args: unknown[]) => void): void;
  checkBoundary(line: Buffer): number | false;
  appendPendingLine(chunk: Buffer): void;
  takePendingLine(): Buffer | false;
  enforcePendingLineLimit(): Error | null;
  _transform: Transform;
}

type SplitterClass = (new (config?: object) => Splitter) & { prototype: Splitter };

const METHODS = ['processLine', 'checkBoundary', 'appendPendingLine', 'takePendingLine', 'enforcePendingLineLimit', '_transform'] as const;

/** mailsplit's MessageSplitter as mailparser loads it, or null when it cannot be found or lacks what is used here (an update moved it). */
function splitterClass(): SplitterClass | null {
  try {
    const fromMailparser = createRequire(createRequire(import.meta.url).resolve('mailparser'));
    const Splitter = (fromMailparser('@zone-eu/mailsplit') as { Splitter?: SplitterClass }).Splitter;
    if (!Splitter || METHODS.some((m) => typeof Splitter.prototype[m] !== 'function')) return null;
    return Splitter;
  } catch {
    return null;
  }
}

/** The splitter's head and body states, read from a splitter before and after an empty header block. */
function states(Splitter: SplitterClass): { head: number; body: number } | null {
  const probe = new Splitter();
  const head = probe.state;
  probe.processLine(Buffer.from('\r\n'), false, () => undefined);
  const body = probe.state;
  const fields = ['lineLength', 'pendingLineTruncated', 'nodeCounter', 'maxChildNodes', 'hasFailed'] as const;
  if (typeof head !== 'number' || typeof body !== 'number' || head === body || fields.some((f) => probe[f] === undefined)) return null;
  return { head, body };
}

const Splitter = splitterClass();
const state = Splitter ? states(Splitter) : null;
const own = Splitter && state ? Splitter.prototype._transform : null;

/** Whether the splitter was changed (false only if an update moved its internals: then it reads line by line as before, and the test fails). */
export const replaced = own !== null;

/** The splitter class and its own `_transform`, for the equivalence test. */
export const splitter = Splitter && own ? { Splitter, own } : null;

/** Bytes handed on in runs and chunks given to the splitter's own reading since the start (for the tests: the change is used). */
export const counts = { runBytes: 0, ownChunks: 0 };

let library = false;

/** For the equivalence test: split with the splitter's own line-by-line reading while `fn` runs. */
export async function withOwnSplitting<T>(fn: () => Promise<T> | T): Promise<T> {
  library = true;
  try {
    return await fn();
  } finally {
    library = false;
  }
}

/** Candidate lines checked for a delimiter before the splitting yields to the event loop (the parse timeout runs there). */
const CHECKS_PER_TURN = 4096;
const budget = { checked: 0 };

/** `end` moved back over one LF and then one CR, not below `start` (the splitter's trimBodyLineEnd). */
function withoutLineEnd(chunk: Buffer, start: number, end: number): number {
  if (end > start && chunk[end - 1] === LF) {
    end--;
    if (end > start && chunk[end - 1] === CR) end--;
  }
  return end;
}

const DASHES = Buffer.from('--', 'latin1');

/**
 * The first index at or after `from` (≥ 0) where `\n--` or `\n\r--` starts (-1: neither), found
 * from the dashes: a search for either needle stops at every LF (a MiB of lines read twice, ~0.08
 * ms each), dashes are rare in a body. A run of dashes is skipped whole once its first two have no
 * line end in front of them: none of the others has.
 */
function candidateFrom(chunk: Buffer, from: number): number {
  for (let d = chunk.indexOf(DASHES, from + 1); d !== -1;) {
    if (chunk[d - 1] === LF) return d - 1;
    if (chunk[d - 1] === CR && d - 2 >= from && chunk[d - 2] === LF) return d - 2;
    let end = d + 2;
    while (end < chunk.length && chunk[end] === DASH) end++;
    d = chunk.indexOf(DASHES, end);
  }
  return -1;
}

/** The first index of either needle at or after `from` (-1: neither), `cache` holding the last one found. */
function nextCandidate(chunk: Buffer, from: number, cache: { next: number }): number {
  if (cache.next !== -1 && cache.next < from) cache.next = candidateFrom(chunk, from);
  return cache.next;
}

/**
 * Hands on the body lines of `chunk` from `at` (a line start) that cannot be a delimiter, as the
 * splitter's own `_transform` would for a chunk holding just those lines. Returns where it stopped,
 * `at` when the first line must go to the splitter itself, `{ to }` when the lines up to `to` must
 * (see below), or the error the splitter gives. Only called in the body state with fewer nodes
 * than the limit.
 *
 * Where a piece given to the splitter starts, it reads the line held back before (a child's line
 * end) and the line as one; for a line that starts with a CR that differs from reading the line on
 * its own (checkBoundary strips one leading CR, LF or CRLF), so no piece is cut in front of a line
 * starting with a CR: a delimiter of that kind goes to the splitter with the lines of the run.
 */
function bodyRun(s: Splitter, chunk: Buffer, at: number, lastLf: number): number | { to: number } | Error {
  if (lastLf < at) return at;
  const firstEnd = chunk.indexOf(LF, at) + 1;
  const pending = s.lineLength;
  const type = s.node.multipart ? 'data' : 'body';
  // The line end in front of a delimiter belongs to it: a child's body holds its last one back.
  const child = type === 'body' && Boolean(s.node.parentNode);
  // The first line, with what is left of the line before it (as processLine reads it).
  let first: Buffer;
  const held = pending ? (s.takePendingLine() as Buffer) : null;
  if (held) {
    first = Buffer.concat([held, chunk.subarray(at, firstEnd)]);
    // The one edge where the splitter holds a CR back twice (a held CR, then an empty line in a
    // child's body; only where the input was cut): the rest goes to the splitter.
    if (child && firstEnd === at + 1 && held[held.length - 1] === CR) {
      s.appendPendingLine(held);
      return { to: chunk.length };
    }
  } else first = chunk.subarray(at, firstEnd);
  if (!s.pendingLineTruncated && s.checkBoundary(first)) {
    // given back as it was, for the splitter to read
    if (held) s.appendPendingLine(held);
    return at;
  }
  // A child's body that is one empty line right in front of a delimiter: the splitter reading the
  // two lines together hands that line on as the body, line end and all (its group is the line's
  // own value once the line end is trimmed off), where the line end held back in front of the
  // delimiter would leave no body at all. Both lines go to the splitter, which decides.
  if (!held && child && firstEnd - at <= 2 && (firstEnd - at === 1 || chunk[at] === CR) && firstEnd < chunk.length) {
    const nextEnd = chunk.indexOf(LF, firstEnd) + 1;
    if (nextEnd > 0 && s.checkBoundary(chunk.subarray(firstEnd, nextEnd))) return { to: nextEnd };
  }
  // The lines after the first, up to the next that can be a delimiter.
  // (Searched in every body, boundary or not: what can be a delimiter is for checkBoundary to say.)
  let end = lastLf + 1;
  const cache = { next: candidateFrom(chunk, firstEnd - 1) };
  for (let c = nextCandidate(chunk, firstEnd - 1, cache); c !== -1 && c + 1 < end; c = nextCandidate(chunk, c + 1, cache)) {
    const line = c + 1;
    // Many candidates in a row (a body of `--` lines): the run ends here, and the splitting
    // goes on after a turn of the event loop, as the splitter's own does every 16 KiB.
    if (budget.checked >= CHECKS_PER_TURN && chunk[line] !== CR) {
      end = line;
      break;
    }
    budget.checked++;
    const lineEnd = chunk.indexOf(LF, line) + 1;
    if (s.checkBoundary(chunk.subarray(line, lineEnd))) {
      if (chunk[line] === CR) {
        if (held) s.appendPendingLine(held);
        return { to: lineEnd };
      }
      end = line;
      break;
    }
  }
  s.pendingLineTruncated = false;
  counts.runBytes += end - at;
  const node = s.node;
  let from = at;
  if (held) {
    // processLine's first line with the held bytes is pushed on its own, its line end held back.
    let value = first;
    from = firstEnd;
    if (child) {
      const cut = value.length > 1 && value[value.length - 2] === CR ? 2 : 1;
      from -= cut;
      value = value.subarray(0, value.length - cut);
    }
    if (value.length) s.push({ node, type, value });
  }
  if (from < end) {
    const kept = child ? withoutLineEnd(chunk, from, end) : end;
    if (kept > from) s.push({ node, type, value: chunk.subarray(from, kept) });
    if (kept < end) s.appendPendingLine(chunk.subarray(kept, end));
  }
  const error = s.enforcePendingLineLimit();
  if (error) {
    s.hasFailed = true;
    return error;
  }
  return end;
}

/** Where the piece from `at` given to the splitter's own reading ends: past the header block's empty line in the head, past one line in a body. */
function ownPieceEnd(s: Splitter, chunk: Buffer, at: number): number {
  if (s.state !== state?.body) {
    if (chunk[at] === LF) return at + 1;
    if (chunk[at] === CR && chunk[at + 1] === LF) return at + 2;
    // The CRLF form first, then the LF one only in front of it (a two-byte search stops at every
    // LF: over the rest of a CRLF chunk, where it finds none, it read every line).
    const crlf = chunk.indexOf(BLANK_CRLF, at);
    const lf = (crlf === -1 ? chunk : chunk.subarray(0, crlf + 1)).indexOf(BLANK_LF, at);
    if (lf === -1 && crlf === -1) return chunk.length;
    return lf !== -1 ? lf + 2 : crlf + 3;
  }
  const lf = chunk.indexOf(LF, at);
  return lf === -1 ? chunk.length : lf + 1;
}

/**
 * Whether the splitter may hold a line end back after reading the head piece chunk[at, end) (see
 * ownPieceEnd), so that no piece may be cut at its end: the rest of the chunk goes to the splitter
 * then. A piece that is all header lines ends in the empty line that ends the block, and nothing
 * is held after it. But a delimiter line in it moves the splitter on: a closing delimiter of an
 * ancestor (processLine's case 4) into that ancestor's body, read up to the piece's empty line,
 * and the body of a node that is no multipart but has a boundary (`text/plain; boundary=b`, whose
 * `--b` lines make children all the same) holds its last line end, as a child's body does. The
 * splitter reads a held line end with the lines after the cut: with one starting with a CR, or
 * with an empty line whose LF it then moves onto the next (a held LF, `\n`, then `\r--b` is read
 * as `\n\r--b`, no delimiter), where the whole input has a delimiter. So a piece with a line
 * starting with `--` or `\r--` (what checkBoundary can take for a delimiter), or whose first line
 * continues one held from the previous input, may hold one.
 */
function headMayHold(s: Splitter, chunk: Buffer, at: number, end: number): boolean {
  if (s.lineLength) return true;
  const piece = chunk.subarray(at, end);
  const dashes = (i: number) => piece[i] === DASH && piece[i + 1] === DASH;
  return dashes(0) || (piece[0] === CR && dashes(1)) || piece.includes(NL_DASHES) || piece.includes(NL_CR_DASHES);
}

/** `end`, or the chunk's end when the line there starts with a CR (no piece is cut in front of one: see bodyRun). */
function notBeforeCr(chunk: Buffer, end: number): number {
  return chunk[end] === CR ? chunk.length : end;
}

if (Splitter && state && own) {
  Splitter.prototype._transform = function (chunk, encoding, done) {
    if (library || !Buffer.isBuffer(chunk)) return own.call(this, chunk, encoding, done);
    const lastLf = chunk.lastIndexOf(LF);
    let at = 0;
    const next = (): void => {
      while (at < chunk.length) {
        let end = -1;
        if (this.state === state.body && this.nodeCounter <= this.maxChildNodes) {
          const stopped = bodyRun(this, chunk, at, lastLf);
          if (stopped instanceof Error) return done(stopped);
          if (typeof stopped === 'number' && stopped > at) {
            at = stopped;
            if (budget.checked >= CHECKS_PER_TURN) {
              budget.checked = 0;
              setImmediate(next);
              return;
            }
            continue;
          }
          if (typeof stopped !== 'number') end = stopped.to;
        }
        // Right after a header block's empty line nothing is held back (no body line has been
        // read yet), so a cut there reads as the splitter reads it whatever the next line starts
        // with: a body whose first line is empty (CRLF) is run like any other. Unless a line of
        // the piece may have left the header block first: then no cut (see headMayHold).
        if (end === -1) {
          end = ownPieceEnd(this, chunk, at);
          if (this.state === state.body) end = notBeforeCr(chunk, end);
          else if (headMayHold(this, chunk, at, end)) end = chunk.length;
        } else end = notBeforeCr(chunk, end);
        const piece = at === 0 && end === chunk.length ? chunk : chunk.subarray(at, end);
        at = end;
        counts.ownChunks++;
        budget.checked = 0;
        own.call(this, piece, encoding, (error) => (error ? done(error) : next()));
        return;
      }
      done();
    };
    next();
  };
}
