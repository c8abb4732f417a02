// Owns joining byte arrays: the one concat the byte readers and writers of masking/ share (src/core
// takes no node: Buffer.concat).

/** The parts one after another, in one new array (each part copied; none kept by reference). */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}
