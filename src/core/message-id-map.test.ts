import { describe, expect, it } from 'vitest';
import { translateThreading, type IdMapping } from './message-id-map.js';

// b1 (buyer) → r1 to store; s1 (store) → r2 to buyer; b2 (buyer) → r3 to store.
const MAP: IdMapping[] = [
  { relayId: '<r1@relay>', originalId: '<b1@buyer>', author: 'buyer' },
  { relayId: '<r2@relay>', originalId: '<s1@store>', author: 'store' },
  { relayId: '<r3@relay>', originalId: '<b2@buyer>', author: 'buyer' },
];

describe('translateThreading (golden table)', () => {
  it.each([
    ['store replies to r1: buyer sees b1', 'store', ['<r1@relay>'], ['<r1@relay>'], '<b1@buyer>', ['<b1@buyer>'], 0],
    [
      'buyer replies to r2: store sees s1, chain in store terms',
      'buyer',
      ['<r2@relay>'],
      ['<b1@buyer>', '<r2@relay>'],
      '<s1@store>',
      ['<r1@relay>', '<s1@store>'],
      0,
    ],
    ['store cites its own s1: buyer sees r2', 'store', ['<s1@store>'], [], '<r2@relay>', ['<r2@relay>'], 0],
    ['unknown ids are dropped and counted', 'buyer', ['<x@else>'], ['<y@else>', '<r2@relay>'], '<s1@store>', ['<s1@store>'], 2],
    ['case-insensitive lookup', 'store', ['<R1@RELAY>'], [], '<b1@buyer>', ['<b1@buyer>'], 0],
    ['no headers, nothing to translate', 'buyer', [], [], null, [], 0],
    ['a writer cannot cite the other side’s original id', 'buyer', ['<s1@store>'], [], null, [], 1],
  ] as const)('%s', (_n, from, irt, refs, expIrt, expRefs, dropped) => {
    const t = translateThreading(irt, refs, from, MAP);
    expect(t.inReplyTo).toBe(expIrt);
    expect(t.references).toEqual(expRefs);
    expect(t.dropped).toBe(dropped);
  });

  it('keeps at most 50 references', () => {
    const many = Array.from({ length: 80 }, (_, i) => ({ relayId: `<r${i}@relay>`, originalId: `<s${i}@store>`, author: 'store' as const }));
    const t = translateThreading(
      [],
      many.map((m) => m.relayId),
      'buyer',
      many,
    );
    expect(t.references).toHaveLength(50);
    expect(t.references[49]).toBe('<s79@store>');
  });
});
