// The store_items summary behind the builder's suggestions and the best sellers: kept by triggers
// as orders arrive (or items go), and filled from existing orders by its migration.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AudienceRepo } from './audience.js';
import { openDb, type Db } from './db.js';
import { MIGRATIONS } from './migrations/index.js';
import { OrderRepo } from './orders.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mg-items-'));
  db = openDb(dir);
  db.prepare("INSERT INTO stores (slug, name, mailbox, created_at) VALUES ('a', 'A', 'a@shop.example', 0), ('b', 'B', 'b@shop.example', 0)").run();
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const item = (sku: string, category: string | null, manufacturer: string | null, quantity = 1) => ({
  sku,
  name: `Item ${sku}`,
  category,
  manufacturer,
  unitPriceMinor: 100,
  quantity,
});

function order(storeId: number, number: string, items: ReturnType<typeof item>[]) {
  new OrderRepo(db).create({
    storeId,
    number,
    buyer: { email: `${number}@buyer.example`, name: number },
    items,
    totalMinor: 100,
    currency: 'EUR',
    placedAt: 0,
    completedAt: 0,
    status: 'completed',
  });
}

function seed() {
  order(1, 'N-1', [item('KET', 'Kitchen', 'Boil Co', 2), item('LAMP', 'Living', null)]);
  order(1, 'N-2', [item('KET', 'Kitchen', 'Boil Co'), item('MUG', null, 'Cup Ltd', 5)]);
  order(2, 'N-3', [item('SAW', 'Tools', 'Cut Inc', 9)]);
}

describe('store_items', () => {
  it("sums each store's items as orders arrive: best sellers and suggestions, per store", () => {
    seed();
    const a = new AudienceRepo(db);
    expect(a.topItems(1, 2)).toEqual([
      { sku: 'MUG', name: 'Item MUG', quantity: 5 },
      { sku: 'KET', name: 'Item KET', quantity: 3 },
    ]);
    expect(a.choices(1)).toEqual({ categories: ['Kitchen', 'Living'], manufacturers: ['Boil Co', 'Cup Ltd'] });
    expect(a.choices(2)).toEqual({ categories: ['Tools'], manufacturers: ['Cut Inc'] });
  });

  it('forgets what is no longer in any order', () => {
    seed();
    db.prepare("DELETE FROM order_items WHERE sku = 'LAMP'").run();
    db.prepare("DELETE FROM order_items WHERE sku = 'KET' AND quantity = 2").run();
    const a = new AudienceRepo(db);
    expect(a.choices(1).categories).toEqual(['Kitchen']);
    expect(a.topItems(1, 4).find((i) => i.sku === 'KET')?.quantity).toBe(1);
  });

  it('is filled from the orders already there when the migration runs', () => {
    seed();
    const expected = db.prepare('SELECT * FROM store_items ORDER BY store_id, sku').all();
    db.exec('DROP TRIGGER store_items_add; DROP TRIGGER store_items_remove; DROP TABLE store_items;');
    // Only this migration again: later ones are not meant to run twice.
    db.exec(MIGRATIONS.find((m) => m.name === 'store-items')!.sql);
    expect(db.prepare('SELECT * FROM store_items ORDER BY store_id, sku').all()).toEqual(expected);
  });
});
