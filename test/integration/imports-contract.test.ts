// The import port's contract (src/store/import-ports.ts), the same cases on SQLite and PostgreSQL
// with two nodes on one database: an uploaded order file is taken once (by its user, within the
// hour), a user keeps at most three, the orders a file names that the store has are found with their
// alias, and a one-time form key acts once whichever node sees the second submission.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPLOAD_TTL_MS } from '../../src/store/order-import-uploads.js';
import { ADAPTERS, type ContractHarness as Harness } from '../helpers/contract-harness.js';

const NOW = 1_800_000_000_000;

describe.each(ADAPTERS)('the import port on %s', (_name, make) => {
  let h: Harness;
  let storeId: number;
  let aliasOfA1 = '';
  beforeAll(async () => {
    h = await make();
    storeId = (await h.a.market.createStore({ slug: 'shop', name: 'Shop', mailbox: 'seller@shop.example' }, NOW))!.id;
    const made = await h.a.market.createOrder(
      {
        storeId,
        number: 'A-1',
        buyer: { email: 'jane@buyer.example', name: 'Jane' },
        items: [],
        totalMinor: 100,
        currency: 'EUR',
        placedAt: NOW,
        completedAt: null,
        status: 'placed',
      },
      NOW,
    );
    aliasOfA1 = made!.pair.pair.token;
  }, 120_000);
  afterAll(async () => h?.close());

  it('gives an uploaded file back once, to its user, within the hour, with its bytes', async () => {
    const bytes = new Uint8Array([0, 1, 2, 255]);
    const token = await h.a.imports.keepUpload(7, storeId, 'orders.csv', bytes, NOW);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await h.b.imports.takeUpload(token, 8, NOW)).toBeNull();
    const [first, second] = await Promise.all([h.a.imports.takeUpload(token, 7, NOW), h.b.imports.takeUpload(token, 7, NOW)]);
    expect([first, second].filter((x) => x !== null)).toEqual([{ storeId, fileName: 'orders.csv', bytes }]);
    const late = await h.a.imports.keepUpload(7, storeId, 'late.csv', bytes, NOW);
    expect(await h.b.imports.takeUpload(late, 7, NOW + UPLOAD_TTL_MS)).toBeNull();
    expect(await h.b.imports.takeUpload('not a token', 7, NOW)).toBeNull();
  });

  it('keeps at most three uploads per user (the oldest goes) and drops everybody’s expired ones', async () => {
    const old = await h.a.imports.keepUpload(9, storeId, 'old.csv', new Uint8Array([1]), NOW);
    const tokens = [];
    for (let i = 0; i < 3; i++) tokens.push(await h.b.imports.keepUpload(5, storeId, `f${i}.csv`, new Uint8Array([i]), NOW + UPLOAD_TTL_MS + i));
    expect(await h.a.imports.takeUpload(old, 9, NOW)).toBeNull();
    await h.a.imports.keepUpload(5, storeId, 'f3.csv', new Uint8Array([3]), NOW + UPLOAD_TTL_MS + 3);
    expect(await h.a.imports.takeUpload(tokens[0] as string, 5, NOW + UPLOAD_TTL_MS + 4)).toBeNull();
    expect((await h.a.imports.takeUpload(tokens[1] as string, 5, NOW + UPLOAD_TTL_MS + 4))?.fileName).toBe('f1.csv');
    expect(Number((await h.exec('SELECT count(*) AS n FROM order_import_uploads'))[0]?.n)).toBe(2);
  });

  it("finds the order numbers the store has, with the buyer's alias", async () => {
    expect([...(await h.b.imports.existingOrders(storeId, ['A-1', 'A-2']))]).toEqual([['A-1', aliasOfA1]]);
    expect([...(await h.b.imports.existingOrders(storeId + 1000, ['A-1']))]).toEqual([]);
    expect([...(await h.b.imports.existingOrders(storeId, []))]).toEqual([]);
  });

  it('lets a form key act once, across nodes, until it is given back', async () => {
    const claims = await Promise.all([h.a.imports.claimFormKey('k-1', 3, NOW), h.b.imports.claimFormKey('k-1', 3, NOW)]);
    expect(claims.sort()).toEqual([false, true]);
    await h.a.imports.formKeyDone('k-1', { messageId: 12 });
    expect(await h.exec('SELECT result FROM form_submissions WHERE key = ?', ['k-1'])).toEqual([{ result: '{"messageId":12}' }]);
    expect(await h.b.imports.claimFormKey('k-1', 3, NOW)).toBe(false);
    await h.b.imports.releaseFormKey('k-1');
    expect(await h.a.imports.claimFormKey('k-1', 3, NOW)).toBe(true);
  });
});
