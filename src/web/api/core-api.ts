// Owns the list of the JSON API's routes on the storage ports and a router of them alone (used by
// the test that holds the list to the code; the gateway mounts the same groups in web/app.ts
// apiRoutes on both databases): stores, permitted senders, orders, pairs, order changes and
// opt-out, banned words, webhooks and the events feed, a pair's messages read back and sent, the
// messages list, the response-time report, a buyer's erasure, the website's forms; with `more`,
// campaigns, the order import, store settings and app passwords, the outbox. Every other /api/v1
// path answers with `unported`.
import { Hono, type Handler } from 'hono';
import type { Logger } from 'pino';
import type { SecretStore, Storage } from '../../store/ports.js';
import { apiError } from '../api-error.js';
import { apiGuard } from '../api-token.js';
import { bannedWordRoutes } from './routes-banned-words.js';
import type { CampaignDeps, MessageApiDeps } from './deps.js';
import { campaignRoutes } from './routes-campaigns.js';
import { conversationRoutes } from './routes-conversation.js';
import { erasureRoutes } from './routes-erasure.js';
import { messageRoutes, outboxRoutes, type OutboxApiDeps } from './routes-mail.js';
import { orderImportRoutes } from './routes-order-import.js';
import { orderChangeRoutes, orderRoutes } from './routes-orders.js';
import { reportRoutes } from './routes-reports.js';
import { storeRoutes, storeSettingsRoutes, type StoreSettingsDeps } from './routes-stores.js';
import { websiteRoutes } from './routes-website.js';
import { webhookRoutes } from './routes-webhooks.js';
import { InvalidRequest } from './validate.js';

/**
 * The routes a PostgreSQL node serves, as `METHOD /path` under /api/v1 (README, "More than one
 * machine", says the same list; test/integration/api-postgres.test.ts checks it against the app).
 */
export const CORE_API_ROUTES = [
  'POST /stores',
  'GET /stores',
  'GET /stores/:id',
  'POST /stores/:id/permitted-senders',
  'GET /stores/:id/permitted-senders',
  'POST /orders',
  'GET /orders/:id',
  'GET /pairs/:alias',
  'PATCH /orders/:id',
  'PUT /pairs/:alias/opt-out',
  'GET /banned-words',
  'POST /banned-words',
  'DELETE /banned-words/:id',
  'GET /events',
  'POST /webhooks',
  'GET /webhooks',
  'GET /webhooks/:id',
  'DELETE /webhooks/:id',
  'GET /pairs/:alias/messages',
  'GET /pairs/:alias/messages/:id/attachments/:n',
  'POST /pairs/:alias/messages',
  'GET /messages',
  'GET /reports/response-times',
  'DELETE /buyers/:email',
  'POST /pairs/:alias/buyer-messages',
  'POST /stores/:id/visitor-messages',
] as const;

/** Store settings and app passwords (AdminStore) and the outbox: served with `admin` given. */
export const ADMIN_PORT_API_ROUTES = [
  'GET /stores/:id/policy',
  'PATCH /stores/:id/policy',
  'GET /permitted-senders/:id/readiness',
  'PATCH /permitted-senders/:id',
  'POST /permitted-senders/:id/credentials',
  'GET /permitted-senders/:id/credentials',
  'DELETE /credentials/:id',
  'GET /outbox',
  'GET /outbox/:id',
  'GET /outbox/:id/raw',
] as const;

/** The campaign routes (web/api/routes-campaigns.ts), on the campaign port: served with `campaigns` given. */
export const CAMPAIGN_API_ROUTES = [
  'POST /campaigns',
  'GET /campaigns/:id',
  'GET /campaigns/:id/audience',
  'POST /stores/:id/prospects',
  'GET /stores/:id/credits',
  'POST /stores/:id/credits',
  'PUT /credits/price',
  'POST /campaigns/:id/start',
  'POST /campaigns/:id/schedule',
  'POST /campaigns/:id/pause',
  'POST /campaigns/:id/resume',
  'POST /campaigns/:id/cancel',
] as const;

/** The order import (web/api/routes-order-import.ts), on the import port: served with `imports` given. */
export const ORDER_IMPORT_API_ROUTES = ['POST /orders/import'] as const;

/** Route groups on the ports beyond the core, mounted when given. */
export interface MoreApi {
  readonly campaigns?: CampaignDeps | undefined;
  /** The storage the order import reads and writes (a unit of work for the new orders). */
  readonly imports?: Pick<Storage, 'imports' | 'market' | 'write'> | undefined;
  /** The admin's store and operations ports, the queue's rows, and the submission port (store settings, the outbox). */
  readonly admin?: (StoreSettingsDeps & OutboxApiDeps) | undefined;
}

/** The API under /api/v1 on a PostgreSQL node: the core routes (and the groups of `more`), `unported` for the rest. */
export function coreApi(d: MessageApiDeps, settings: Pick<SecretStore, 'getSetting'>, unported: Handler, log: Logger, more: MoreApi = {}): Hono {
  const api = new Hono();
  api.use('*', apiGuard(settings));
  api.route('/', storeRoutes(d));
  api.route('/', orderRoutes(d));
  api.route('/', orderChangeRoutes(d));
  api.route('/', bannedWordRoutes(d));
  api.route('/', webhookRoutes({ webhooks: d.webhooks, log }));
  api.route('/', messageRoutes(d));
  api.route('/', conversationRoutes(d));
  api.route('/', reportRoutes(d));
  api.route('/', erasureRoutes(d));
  api.route('/', websiteRoutes(d));
  if (more.admin) api.route('/', storeSettingsRoutes(more.admin));
  if (more.admin) api.route('/', outboxRoutes(more.admin));
  if (more.campaigns) api.route('/', campaignRoutes({ campaigns: more.campaigns, market: d.market, domains: d.domains }));
  if (more.imports) api.route('/', orderImportRoutes({ market: d.market, domains: d.domains, log }, more.imports));
  api.all('*', unported);
  api.onError((err, c) => {
    if (err instanceof InvalidRequest) return apiError(c, 'VALIDATION_FAILED', err.message);
    log.error({ event: 'http.error', method: c.req.method, path: new URL(c.req.url).pathname, err: err.message }, 'unexpected error');
    return apiError(c, 'TEMPORARY_FAILURE');
  });
  return api;
}
