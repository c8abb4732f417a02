// Owns the one reading of an OLE compound file ([MS-CFB]) a part's bytes get on a thread: the
// content filter reads the container to see Word's main stream (filters/attachments.ts), and masking
// then cleans that same container (document-metadata.ts cleanOle) instead of reading the bytes again.
import CFB from 'cfb';

/** The container the last readOle read, and the very bytes it read it from: one a thread at most. */
let last: { readonly bytes: Uint8Array; readonly cfb: CFB.CFB$Container } | null = null;

function parse(bytes: Uint8Array): CFB.CFB$Container {
  // As a Buffer: cfb then hands each stream out as a Buffer over the file's bytes; read as an
  // array it made every stream a JavaScript array, which each reader copied again into bytes
  // (20× slower to read a 1.2 MB .doc, and copies per reading).
  return CFB.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { type: 'buffer' });
}

/**
 * The compound file in `bytes`, read (CFB.read) and remembered for takeOle, in place of the one
 * remembered before: so a thread holds at most one container it has not handed on (about the file's
 * size). The caller must not change it. Throws what CFB.read throws (not a compound file).
 */
export function readOle(bytes: Uint8Array): CFB.CFB$Container {
  last = null;
  const cfb = parse(bytes);
  last = { bytes, cfb };
  return cfb;
}

/**
 * The compound file in `bytes`, to change as the caller likes: the container readOle read last when
 * it read these very bytes (the same Uint8Array; handed on once, then forgotten), else read now.
 * Throws what CFB.read throws.
 */
export function takeOle(bytes: Uint8Array): CFB.CFB$Container {
  const l = last;
  last = null;
  return l !== null && l.bytes === bytes ? l.cfb : parse(bytes);
}
