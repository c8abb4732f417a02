import { describe, expect, it } from 'vitest';
import { FairQueue, type Waiting } from './fair-queue.js';

/** Comparisons one step may cost with `clients` waiting clients: a few per level of the heap. */
const perStep = (clients: number) => 6 * Math.ceil(Math.log2(clients + 1)) + 4;

describe('FairQueue', () => {
  it('serves the oldest waiter of the clients holding the fewest, first come first served among equals', () => {
    const q = new FairQueue<string>();
    q.hold('a');
    q.hold('a');
    q.hold('b');
    for (const [client, name] of [
      ['a', 'a1'],
      ['b', 'b1'],
      ['a', 'a2'],
      ['c', 'c1'],
      ['b', 'b2'],
    ] as const)
      q.add(client, name);
    const next = () => {
      const w = q.shift()!;
      q.hold(w.client);
      return w.value;
    };
    // Held: a 2, b 1, c 0.
    expect(next()).toBe('c1');
    // a 2, b 1, c 1: b's oldest.
    expect(next()).toBe('b1');
    q.letGo('a');
    q.letGo('a');
    // a 0, b 2, c 1: a's, in their order.
    expect(next()).toBe('a1');
    expect(next()).toBe('a2');
    expect(next()).toBe('b2');
    expect(q.shift()).toBeUndefined();
    expect([q.size, q.waitingClients]).toEqual([0, 0]);
  });

  it('takes out a waiter that leaves from the middle of its line, and only once', () => {
    const q = new FairQueue<string>();
    const w = [q.add('x', 'x1')];
    const y = q.add('y', 'y1');
    w.push(q.add('x', 'x2'), q.add('x', 'x3'));
    expect(q.remove(w[0]!)).toBe(true);
    expect(q.remove(w[0]!)).toBe(false);
    expect(q.remove(w[2]!)).toBe(true);
    expect([q.size, q.waitingClients]).toEqual([2, 2]);
    // x's oldest is now x2, younger than y1.
    expect(q.shift()?.value).toBe('y1');
    expect(q.remove(y)).toBe(false);
    expect(q.shift()?.value).toBe('x2');
    expect(q.remove(w[1]!)).toBe(false);
    expect([q.size, q.waitingClients]).toEqual([0, 0]);
  });

  it('gives back nothing for a client that holds nothing, and never counts below zero', () => {
    const q = new FairQueue<string>();
    q.letGo('a');
    expect(q.held('a')).toBe(0);
    q.hold('a');
    q.letGo('a');
    q.letGo('a');
    expect(q.held('a')).toBe(0);
  });

  // Random adds, removals, serves and counts against a scan over one list of every waiter.
  it('matches a scan over all waiters through random adds, removals, serves and counts', () => {
    let seed = 25;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const clients = ['a', 'b', 'c', 'd', 'e'];
    for (let round = 0; round < 20; round++) {
      const q = new FairQueue<number>();
      const all: Waiting<number>[] = [];
      const held = new Map<string, number>();
      let n = 0;
      for (let step = 0; step < 300; step++) {
        const r = rnd();
        const client = clients[Math.floor(rnd() * clients.length)]!;
        if (r < 0.4) all.push(q.add(client, n++));
        else if (r < 0.55 && all.length) {
          const [w] = all.splice(Math.floor(rnd() * all.length), 1);
          expect(q.remove(w!)).toBe(true);
        } else if (r < 0.8) {
          let at = -1;
          for (let i = 0; i < all.length; i++) if (at < 0 || (held.get(all[i]!.client) ?? 0) < (held.get(all[at]!.client) ?? 0)) at = i;
          const expected = at < 0 ? undefined : all.splice(at, 1)[0];
          expect(q.shift()).toBe(expected);
          if (expected) {
            q.hold(expected.client);
            held.set(expected.client, (held.get(expected.client) ?? 0) + 1);
          }
        } else if (r < 0.9) {
          q.hold(client);
          held.set(client, (held.get(client) ?? 0) + 1);
        } else {
          q.letGo(client);
          held.set(client, Math.max(0, (held.get(client) ?? 0) - 1));
        }
        expect(q.size).toBe(all.length);
        expect(q.waitingClients).toBe(new Set(all.map((w) => w.client)).size);
        for (const c of clients) expect(q.held(c)).toBe(held.get(c) ?? 0);
      }
    }
  });

  // The cost of a step grows with the waiting clients, not the waiters (a scan over the waiters
  // made 16 000 waiters of one busy address cost 3 s to drain: README "Round 25").
  it('serves 16 000 waiters of one busy address with a few comparisons each', () => {
    const q = new FairQueue<number>();
    q.hold('busy');
    q.hold('busy');
    const waiting = Array.from({ length: 16_000 }, (_, i) => q.add('busy', i));
    q.add('other', -1);
    expect(q.waitingClients).toBe(2);
    // Every fourth leaves (a timeout, a closed session) before its turn.
    for (let i = 1; i < waiting.length; i += 4) {
      const before = q.comparisons;
      q.remove(waiting[i]!);
      expect(q.comparisons - before).toBeLessThanOrEqual(perStep(2));
    }
    const served: number[] = [];
    while (q.size) {
      const before = q.comparisons;
      q.letGo('busy');
      const w = q.shift()!;
      q.hold(w.client);
      served.push(w.value);
      expect(q.comparisons - before).toBeLessThanOrEqual(perStep(2));
      if (w.client === 'other') q.letGo('other');
      else if (served.length === 1) q.hold('busy');
    }
    expect(served).toHaveLength(12_001);
    expect(served[0]).toBe(-1);
    expect(served.slice(1, 4)).toEqual([0, 2, 3]);
  });

  it('orders 2 000 waiting addresses with comparisons per step bounded by the log of their number', () => {
    const q = new FairQueue<number>();
    const addresses = Array.from({ length: 2000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    for (const a of addresses) q.hold(a);
    for (let i = 0; i < 3; i++) for (const a of addresses) q.add(a, i);
    expect(q.waitingClients).toBe(2000);
    let steps = 0;
    while (q.size) {
      const before = q.comparisons;
      const w = q.shift()!;
      q.hold(w.client);
      q.letGo(addresses[steps % addresses.length]!);
      expect(q.comparisons - before).toBeLessThanOrEqual(perStep(2000));
      steps += 1;
    }
    expect(steps).toBe(6000);
  });
});
