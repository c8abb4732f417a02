// Owns one job on the intake path: read a stream to its end, keeping at most `limit` bytes.
// Past the limit it keeps draining (the SMTP session needs the final dot) but stores nothing more.
import type { Readable } from 'node:stream';

export interface Collected {
  readonly raw: Buffer;
  readonly size: number;
  readonly exceeded: boolean;
}

export function collectCapped(stream: Readable, limit: number): Promise<Collected> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let exceeded = false;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (exceeded) return;
      if (size > limit) {
        exceeded = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    stream.once('error', reject);
    stream.once('end', () => resolve({ raw: exceeded ? Buffer.alloc(0) : Buffer.concat(chunks, size), size, exceeded }));
  });
}
