// Owns one job: every line of what we store and send ends in CRLF (RFC 5322 §2.3). A bare LF or
// CR is what SMTP smuggling and DKIM body-hash mismatches are made of; nodemailer would fix them on
// the wire, but then the stored bytes would not be the bytes sent.

const CR = 0x0d;
const LF = 0x0a;

/** Whether `buf` holds an LF not after a CR or a CR not before an LF (at its start or end too). */
export function hasBareLineEnd(buf: Uint8Array): boolean {
  const n = buf.byteLength;
  if (n === 0) return false;
  if (buf[0] === LF || buf[n - 1] === CR) return true;
  return hasBareLineEndInside(Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, n));
}

/**
 * Whether `b` holds a bare line end whose other half would lie inside it: an LF after its first
 * byte that does not follow a CR, or a CR before its last byte that no LF follows. Its first LF and
 * its last CR are left to the caller (they meet whatever comes before and after). Native indexOf
 * jumps from line end to line end: a JS loop over every byte cost ~10 ms a MB.
 */
function hasBareLineEndInside(b: Buffer): boolean {
  const n = b.length;
  for (let i = b.indexOf(LF, 1); i >= 0; i = b.indexOf(LF, i + 1)) if (b[i - 1] !== CR) return true;
  for (let i = b.indexOf(CR); i >= 0 && i < n - 1; i = b.indexOf(CR, i + 1)) if (b[i + 1] !== LF) return true;
  return false;
}

/**
 * hasBareLineEnd of the pieces' bytes one after another, without joining them; the pieces in
 * `clean` are taken to have no bare line end of their own (hasBareLineEnd false: the 7bit parts
 * compose wrote, relay/transfer-encoding.ts textPartContent) and are only looked at where they meet
 * their neighbours, so a MiB of text is not searched line by line a second time.
 */
export function hasBareLineEndIn(pieces: readonly Uint8Array[], clean: readonly Uint8Array[]): boolean {
  let last = -1; // the last byte of the pieces so far; -1 before the first
  for (const piece of pieces) {
    const n = piece.byteLength;
    if (n === 0) continue;
    const first = piece[0] as number;
    // Where two pieces meet: a CR that ends the bytes so far needs this LF, this LF needs that CR.
    if ((last === CR && first !== LF) || (first === LF && last !== CR)) return true;
    if (!clean.includes(piece) && hasBareLineEndInside(Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, n))) return true;
    last = piece[n - 1] as number;
  }
  return last === CR;
}

export function toCrlf(buf: Buffer): Buffer {
  if (!hasBareLineEnd(buf)) return buf;
  return Buffer.from(buf.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n'), 'latin1');
}
