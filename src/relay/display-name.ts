// Owns reading a display name as a person sees it, for the header reading on the SMTP thread (which
// must not load the MIME parser: it runs on the pool threads).
import libmime from 'libmime';

/** A display name as written in a header (RFC 2047 encoded words allowed) → the text a reader sees. */
export function decodeDisplayName(raw: string): string {
  try {
    return libmime.decodeWords(raw).replace(/\s+/g, ' ').trim();
  } catch {
    return raw;
  }
}
