// Owns how a large original is stored: in pieces, so a commit never binds the whole message at once
// (the database driver copies every bound value: better-sqlite3 with SQLITE_TRANSIENT, node-postgres
// into the Bind message it writes). A message of up to PIECED_FROM bytes is one row of
// message_bodies, as it always was; a larger one keeps its first PIECE_BYTES there and the rest in
// message_body_pieces (seq 1, 2, …, each PIECE_BYTES but the last; migration 027, PostgreSQL 015).
// Both adapters write and read the same shape through these helpers (issue 14, README "Speed",
// round 19: the memory tier).

import { inFile, readAt, type SpooledFile } from './spooled-bytes.js';

/** The bytes of one stored piece (the first, in message_bodies.raw, and each row of message_body_pieces). */
export const PIECE_BYTES = 1024 * 1024;

/**
 * An original larger than this is stored in pieces. Up to it, one row as before: the 1 MiB tier's
 * originals (whose bodies a relay copy may share, store/outbox.ts) stay one read.
 */
export const PIECED_FROM = 4 * 1024 * 1024;

/** The original's later pieces (after message_bodies.raw), in order: `param` is the message id (`?` or `$1`). */
export const laterPiecesQuery = (param: string): string => `SELECT bytes FROM message_body_pieces WHERE message_id = ${param} ORDER BY seq`;

/** The row a later piece is inserted as: message id, seq (from 1), bytes. */
export const PIECE_INSERT = 'INSERT INTO message_body_pieces (message_id, seq, bytes) VALUES';

/**
 * The most bytes of pieces one insert binds where several rows go in one query (PostgreSQL): the
 * driver copies every bound value into the one Bind message it writes, so this is what one query
 * holds in memory at once, four pieces. A 24 MiB original is then 6 queries, not 23.
 */
export const PIECES_BOUND_BYTES = 4 * PIECE_BYTES;

/**
 * `later` (storedPieces) in runs for multi-row inserts, in order: each run at most `bound` bytes
 * (but at least one piece, however large) and `seq` the seq of its first piece (from 1).
 */
export function pieceRuns(later: readonly Buffer[], bound = PIECES_BOUND_BYTES): { readonly seq: number; readonly pieces: readonly Buffer[] }[] {
  return [...eachPieceRun(later, bound)];
}

/**
 * pieceRuns, one run at a time as `later` gives its pieces: over an original in its spool file
 * (originalPieces), at most one run and the piece after it are in memory at once.
 */
export function* eachPieceRun(later: Iterable<Buffer>, bound = PIECES_BOUND_BYTES): Generator<{ readonly seq: number; readonly pieces: readonly Buffer[] }> {
  let run: { seq: number; pieces: Buffer[] } | null = null;
  let bytes = 0;
  let k = 0;
  for (const piece of later) {
    if (run && bytes + piece.length <= bound) {
      run.pieces.push(piece);
      bytes += piece.length;
    } else {
      if (run) yield run;
      run = { seq: k + 1, pieces: [piece] };
      bytes = piece.length;
    }
    k++;
  }
  if (run) yield run;
}

/**
 * storedPieces of an original in memory or in its spool file (store/spooled-bytes.ts): from a file,
 * `first` is read at once and each later piece only when `later` is iterated to it (one read of
 * PIECE_BYTES a piece), so storing it never holds the whole message (round 22). With `reuse`, every
 * later piece is read into one buffer, valid only until the next is read: for a caller whose driver
 * copies each piece as it is bound and written before asking for the next (better-sqlite3), so the
 * pieces are not 1 MiB each of garbage until the next collection.
 */
export function originalPieces(raw: Uint8Array | SpooledFile, reuse = false): { readonly first: Buffer; readonly later: Iterable<Buffer> } {
  if (!inFile(raw)) return storedPieces(raw);
  if (raw.byteLength <= PIECED_FROM) return { first: readAt(raw, 0, raw.byteLength), later: [] };
  const file = raw;
  const into = reuse ? Buffer.allocUnsafeSlow(PIECE_BYTES) : null;
  function* later(): Generator<Buffer> {
    for (let at = PIECE_BYTES; at < file.byteLength; at += PIECE_BYTES) yield readAt(file, at, PIECE_BYTES, into);
  }
  return { first: readAt(file, 0, PIECE_BYTES), later: later() };
}

/**
 * `raw` as stored: `first` for message_bodies.raw and `later` for message_body_pieces (seq = index + 1).
 * Views of `raw`, not copies; `later` is empty up to PIECED_FROM bytes.
 */
export function storedPieces(raw: Uint8Array): { readonly first: Buffer; readonly later: readonly Buffer[] } {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (bytes.length <= PIECED_FROM) return { first: bytes, later: [] };
  const later: Buffer[] = [];
  for (let at = PIECE_BYTES; at < bytes.length; at += PIECE_BYTES) later.push(bytes.subarray(at, at + PIECE_BYTES));
  return { first: bytes.subarray(0, PIECE_BYTES), later };
}

/** The original read back from its pieces: `first` itself when there are no later ones, else one new Buffer. */
export function joinedOriginal(first: Uint8Array, later: readonly Uint8Array[]): Buffer {
  const head = Buffer.from(first.buffer, first.byteOffset, first.byteLength);
  return later.length === 0 ? head : Buffer.concat([head, ...later]);
}

/**
 * `length` bytes from byte `from` of an original stored as `pieces` (in order), as views into them
 * (none copied); null when the pieces hold fewer bytes than that.
 */
export function rangeOf(pieces: readonly Uint8Array[], from: number, length: number): Buffer[] | null {
  const out: Buffer[] = [];
  let start = 0;
  let left = length;
  for (const p of pieces) {
    const end = start + p.byteLength;
    if (left > 0 && end > from) {
      const at = Math.max(from - start, 0);
      const take = Math.min(p.byteLength - at, left);
      out.push(Buffer.from(p.buffer, p.byteOffset + at, take));
      left -= take;
    }
    start = end;
  }
  return left > 0 || from < 0 ? null : out;
}
