// Our Message-IDs: random on the relay domain, never repeated, also across the CSPRNG draws they share (outbox-entry.ts).
import { describe, expect, it } from 'vitest';
import { newRelayMessageId } from './outbox-entry.js';

describe('newRelayMessageId', () => {
  it('is two 20-character base32 tokens on the relay domain, and no id nor half of one comes twice across many draws', () => {
    const ids = Array.from({ length: 1000 }, () => newRelayMessageId('relay.example'));
    for (const id of ids) expect(id).toMatch(/^<[a-z2-7]{40}@relay\.example>$/);
    expect(new Set(ids).size).toBe(ids.length);
    const halves = ids.flatMap((id) => [id.slice(1, 21), id.slice(21, 41)]);
    expect(new Set(halves).size).toBe(halves.length);
  });
});
