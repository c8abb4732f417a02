// Owns /api/v1/orders and /api/v1/pairs: the marketplace pushes orders and gets each buyer's alias.
// orderRoutes are the core (create and get an order, which makes the buyer's pair; get a pair with
// its orders) and orderChangeRoutes (order updates, a buyer's opt-out) on the storage ports, served
// on SQLite and PostgreSQL alike.
import { Hono } from 'hono';
import { aliasAddress, isToken } from '../../core/alias-token.js';
import { apiError } from '../api-error.js';
import type { CoreApiDeps } from './deps.js';
import { presentOrder, presentPair, toMinor } from './present.js';
import { createOrderSchema, optOutSchema, patchOrderSchema } from './schemas.js';
import { idParam, InvalidRequest, jsonBody } from './validate.js';

/** Accepts a bare token or the full alias address on one of our domains. */
function aliasToken(raw: string, domains: readonly string[]): string {
  const value = decodeURIComponent(raw).trim().toLowerCase();
  const at = value.indexOf('@');
  const token = at < 0 ? value : value.slice(0, at);
  if (at >= 0 && !domains.includes(value.slice(at + 1))) throw new InvalidRequest('alias: not an address on this relay');
  if (!isToken(token)) throw new InvalidRequest('alias: must be a 20-character alias token or its address');
  return token;
}

/** The core: on both databases, through the ports (d.market, d.mail). */
export function orderRoutes(d: CoreApiDeps): Hono {
  const app = new Hono();

  app.post('/orders', async (c) => {
    const body = await jsonBody(c, createOrderSchema);
    if (!(await d.market.store(body.storeId))) return apiError(c, 'VALIDATION_FAILED', `storeId: no store with id ${body.storeId}`);
    if (d.domains.some((dom) => body.buyer.email.endsWith(`@${dom}`))) {
      return apiError(c, 'VALIDATION_FAILED', 'buyer.email: must be the buyer’s real address, not one on the relay domain');
    }
    const completedAt = body.completedAt ? Date.parse(body.completedAt) : null;
    const made = await d.market.createOrder({
      storeId: body.storeId,
      number: body.number,
      buyer: body.buyer,
      items: body.items.map((i) => ({ ...i, unitPriceMinor: toMinor(i.unitPrice) })),
      totalMinor: toMinor(body.total),
      currency: body.currency,
      placedAt: Date.parse(body.placedAt),
      completedAt,
      status: body.status ?? (completedAt !== null ? 'completed' : 'placed'),
    });
    if (!made) return apiError(c, 'CONFLICT', `order ${body.number} already exists for this store; PATCH it instead`);
    const { order, pair } = made;
    return c.json(withAlias(presentOrder(order), pair.pair.token, d.domain), 201);
  });

  app.get('/orders/:id', async (c) => {
    const order = await d.market.order(idParam(c));
    if (!order) return apiError(c, 'NOT_FOUND', 'no order with that id');
    const pair = await d.mail.pairById(order.pairId);
    return c.json(withAlias(presentOrder(order), pair?.pair.token ?? null, d.domain));
  });

  app.get('/pairs/:alias', async (c) => {
    const view = await d.mail.pairByToken(aliasToken(c.req.param('alias'), d.domains));
    if (!view) return apiError(c, 'NOT_FOUND', 'no pair with that alias');
    return c.json(presentPair(view, await d.market.ordersForPair(view.pair.id), d.domain));
  });

  return app;
}

/** Order updates and a buyer's opt-out: on both databases, through the ports (d.market, d.mail). */
export function orderChangeRoutes(d: CoreApiDeps): Hono {
  const app = new Hono();

  app.patch('/orders/:id', async (c) => {
    const id = idParam(c);
    const body = await jsonBody(c, patchOrderSchema);
    const updated = await d.market.updateOrder(id, {
      ...(body.status !== undefined ? { status: body.status } : {}),
      ...(body.completedAt !== undefined ? { completedAt: body.completedAt === null ? null : Date.parse(body.completedAt) } : {}),
    });
    if (!updated) return apiError(c, 'NOT_FOUND', 'no order with that id');
    const pair = await d.mail.pairById(updated.pairId);
    return c.json(withAlias(presentOrder(updated), pair?.pair.token ?? null, d.domain));
  });

  app.put('/pairs/:alias/opt-out', async (c) => {
    const token = aliasToken(c.req.param('alias'), d.domains);
    const body = await jsonBody(c, optOutSchema);
    const view = await d.mail.pairByToken(token);
    if (!view) return apiError(c, 'NOT_FOUND', 'no pair with that alias');
    // The change and its buyer.opted_out event commit together (none when nothing changed).
    await d.market.setOptOut(view.pair.id, body.optedOut, 'api');
    const updated = await d.mail.pairById(view.pair.id);
    return c.json(presentPair(updated ?? view, await d.market.ordersForPair(view.pair.id), d.domain));
  });

  return app;
}

/** An order as every order route answers it: with its buyer's alias, the token and the whole address (null once erased). */
function withAlias<T extends object>(order: T, token: string | null, domain: string): T & { alias: string | null; address: string | null } {
  return { ...order, alias: token, address: token === null ? null : aliasAddress(token, domain) };
}
