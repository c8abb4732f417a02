// The Deflate walker's golden table (test/fixtures/deflate-streams.ts) checked against the real
// decoder: each stream zlib is said to refuse, Node's zlib (the zlib libtiff links) refuses, and
// each it is said to inflate, it inflates to those bytes. strip-ends.test.ts holds the walker to the
// same table.
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFLATE_CASES } from '../fixtures/deflate-streams.js';

describe('the Deflate streams the strip walker is tested on are judged so by zlib', () => {
  it('zlib refuses each stream the table says it refuses and inflates the others to their bytes', () => {
    for (const { name, stream, inflates } of DEFLATE_CASES) {
      if (inflates === null) expect(() => inflateSync(stream), name).toThrow();
      else expect(inflateSync(stream).toString('latin1'), name).toBe(inflates);
    }
  });
});
