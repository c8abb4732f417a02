// Owns the shop the campaign tests send from, set up through the API of whichever gateway a test
// runs (the SQLite harness, or either storage adapter): the store, six buyers' orders of three
// products, and the calls a campaign test makes (create one, wait for it to end).
import { expect } from 'vitest';

export interface Item {
  readonly sku: string;
  readonly category: string;
  readonly manufacturer: string;
  readonly price: number;
}

export const KETTLE: Item = { sku: 'KET-1', category: 'Kitchen', manufacturer: 'Boil Co', price: 30 };
export const TOASTER: Item = { sku: 'TOA-1', category: 'Kitchen', manufacturer: 'Crisp Ltd', price: 45 };
export const LAMP: Item = { sku: 'LAM-1', category: 'Living', manufacturer: 'Glow', price: 80 };

/** A gateway's JSON API, with the test token. */
export type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

/** A header's value in raw message text, its folded lines unfolded; null when absent. */
export const header = (raw: string, name: string): string | null =>
  new RegExp(`^${name}: (.*(?:\\r\\n[ \\t].*)*)`, 'mi').exec(raw)?.[1]?.replace(/\r\n[ \t]/g, ' ') ?? null;

export interface CampaignShop {
  /** The store's id (0 until `open`). */
  readonly storeId: number;
  /** Each buyer's alias address, by name, as their order answered it. */
  readonly alias: Record<string, string>;
  /** Creates the store (acme, support@acme.example) and the six orders: ann, bob, cat, dan, eve, fay. */
  open(): Promise<void>;
  /** An order by `buyer` (`<buyer>@buyer.example`) of `items`, placed and completed at `placedAt`. */
  order(buyer: string, number: string, items: readonly Item[], placedAt: string): Promise<void>;
  /** A campaign of the store ("Hello from {{store.name}}" unless `body` says otherwise); its id. */
  campaign(body: Record<string, unknown>): Promise<number>;
  /** The campaign once done or cancelled (polled every 50 ms); throws after 20 s. */
  finished(id: number): Promise<any>;
}

/** The shop on the gateway `api()` answers for (read at each call: the gateway starts in a beforeAll). */
export function campaignShop(api: () => Api): CampaignShop {
  const shop = {
    storeId: 0,
    alias: {} as Record<string, string>,
    async open() {
      shop.storeId = (await api()('POST', '/api/v1/stores', { slug: 'acme', name: 'Acme Store', mailbox: 'support@acme.example' })).body.id;
      await shop.order('ann', 'O-1', [KETTLE], '2026-03-01T10:00:00Z');
      await shop.order('bob', 'O-2', [KETTLE, TOASTER], '2026-04-01T10:00:00Z');
      await shop.order('cat', 'O-3', [TOASTER], '2026-05-01T10:00:00Z');
      await shop.order('dan', 'O-4', [LAMP], '2026-06-01T10:00:00Z');
      await shop.order('eve', 'O-5', [LAMP, KETTLE], '2026-07-01T10:00:00Z');
      await shop.order('fay', 'O-6', [TOASTER, LAMP], '2026-08-01T10:00:00Z');
    },
    async order(buyer: string, number: string, items: readonly Item[], placedAt: string) {
      const r = await api()('POST', '/api/v1/orders', {
        storeId: shop.storeId,
        number,
        buyer: { email: `${buyer}@buyer.example`, name: buyer[0]!.toUpperCase() + buyer.slice(1) },
        items: items.map((i) => ({ sku: i.sku, name: `Item ${i.sku}`, category: i.category, manufacturer: i.manufacturer, unitPrice: i.price, quantity: 1 })),
        total: items.reduce((a, i) => a + i.price, 0),
        currency: 'EUR',
        placedAt,
        completedAt: placedAt,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      shop.alias[buyer] = r.body.address;
    },
    async campaign(body: Record<string, unknown>): Promise<number> {
      const r = await api()('POST', '/api/v1/campaigns', {
        storeId: shop.storeId,
        name: 'Test',
        subject: 'Hello from {{store.name}}',
        body: 'Hi {{buyer.name | there}}!',
        ...body,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id;
    },
    async finished(id: number) {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const r = await api()('GET', `/api/v1/campaigns/${id}`);
        if (r.body.status === 'done' || r.body.status === 'cancelled') return r.body;
        if (Date.now() > deadline) throw new Error(`campaign ${id} still ${r.body.status}: ${JSON.stringify(r.body.progress)}`);
        await new Promise((res) => setTimeout(res, 50));
      }
    },
  };
  return shop;
}
