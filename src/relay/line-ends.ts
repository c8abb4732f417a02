// Owns one job: every line of what we store and send ends in CRLF (RFC 5322 §2.3). A bare LF or
// CR is what SMTP smuggling and DKIM body-hash mismatches are made of; nodemailer would fix them on
// the wire, but then the stored bytes would not be the bytes sent.

export function hasBareLineEnd(buf: Uint8Array): boolean {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c === 0x0a && buf[i - 1] !== 0x0d) return true;
    if (c === 0x0d && buf[i + 1] !== 0x0a) return true;
  }
  return false;
}

export function toCrlf(buf: Buffer): Buffer {
  if (!hasBareLineEnd(buf)) return buf;
  return Buffer.from(buf.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n'), 'latin1');
}
