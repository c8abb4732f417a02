// Owns one job: every line of what we store and send ends in CRLF (RFC 5322 §2.3). A bare LF or
// CR is what SMTP smuggling and DKIM body-hash mismatches are made of; nodemailer would fix them on
// the wire, but then the stored bytes would not be the bytes sent.

/** Native indexOf jumps from line end to line end: a JS loop over every byte cost ~10 ms a MB. */
export function hasBareLineEnd(buf: Uint8Array): boolean {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = b.indexOf(0x0a); i >= 0; i = b.indexOf(0x0a, i + 1)) if (i === 0 || b[i - 1] !== 0x0d) return true;
  for (let i = b.indexOf(0x0d); i >= 0; i = b.indexOf(0x0d, i + 1)) if (b[i + 1] !== 0x0a) return true;
  return false;
}

export function toCrlf(buf: Buffer): Buffer {
  if (!hasBareLineEnd(buf)) return buf;
  return Buffer.from(buf.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n'), 'latin1');
}
