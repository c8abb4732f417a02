import { describe, expect, it } from 'vitest';
import { ByteBudget } from './byte-budget.js';

describe('ByteBudget.acquireFirst', () => {
  it('is granted ahead of ordinary waiters, after the earlier acquireFirst ones, first come first served', async () => {
    const budget = new ByteBudget(10);
    const full = await budget.acquire(10, 1000);
    const order: string[] = [];
    const take = (name: string, p: Promise<(() => void) | null>) =>
      p.then((release) => {
        order.push(name);
        release?.();
      });
    const waits = [
      take('intake 1', budget.acquire(10, 1000)),
      take('delivery 1', budget.acquireFirst(4, 1000)),
      take('intake 2', budget.acquire(4, 1000)),
      take('delivery 2', budget.acquireFirst(4, 1000)),
    ];
    expect(budget.waiting).toBe(4);
    full?.();
    await Promise.all(waits);
    expect(order).toEqual(['delivery 1', 'delivery 2', 'intake 1', 'intake 2']);
    expect([budget.used, budget.holders, budget.waiting]).toEqual([0, 0, 0]);
  });

  it('is granted at once when it fits and no other acquireFirst waits, even with ordinary waiters queued', async () => {
    const budget = new ByteBudget(10);
    const held = await budget.acquire(6, 1000);
    const intake = budget.acquire(6, 1000);
    const delivery = await budget.acquireFirst(4, 1000);
    expect(delivery).not.toBeNull();
    expect([budget.used, budget.waiting]).toEqual([10, 1]);
    delivery?.();
    held?.();
    (await intake)?.();
    expect([budget.used, budget.holders, budget.waiting]).toEqual([0, 0, 0]);
  });

  it('asks what is reclaimable to give its room back before it waits, as acquire does', async () => {
    const budget = new ByteBudget(10);
    const arriving = budget.tryAcquire(8);
    const unregister = budget.reclaimable(() => arriving?.());
    const delivery = await budget.acquireFirst(4, 1000);
    unregister();
    expect(delivery).not.toBeNull();
    delivery?.();
    expect([budget.used, budget.holders]).toEqual([0, 0]);
  });

  it('answers null when its wait runs out, and lets the waiters behind it in', async () => {
    const budget = new ByteBudget(10);
    const held = await budget.acquire(8, 1000);
    const big = budget.acquireFirst(10, 20);
    const small = budget.acquire(2, 1000);
    expect(await big).toBeNull();
    const release = await small;
    expect(release).not.toBeNull();
    release?.();
    held?.();
    expect([budget.used, budget.holders, budget.waiting]).toEqual([0, 0, 0]);
  });
});
