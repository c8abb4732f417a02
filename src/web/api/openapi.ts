// Owns the API's description of itself: an OpenAPI 3.1 document built by zod-openapi from the very
// zod schemas the routes validate with (schemas.ts), plus one line per route saying what it does
// and an example request for each body. A test checks that every route of the app is here, that
// every example passes its schema, and that the document is valid OpenAPI 3.1.
import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { reportQuery } from './routes-reports.js';
import { RESPONSES } from './response-schemas.js';
import * as s from './schemas.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ApiOperation {
  readonly method: Method;
  /** OpenAPI style: `/pairs/{alias}`. */
  readonly path: string;
  readonly tag: string;
  readonly summary: string;
  readonly body?: z.ZodType;
  readonly query?: z.ZodObject;
  /** A request body that passes `body` (checked by a test). */
  readonly example?: unknown;
  /** The success status, 200 unless said. */
  readonly status?: 200 | 201 | 204;
  /** Not JSON: the content type of the success answer. */
  readonly produces?: string;
  /** A CSV upload (text/csv) rather than JSON. */
  readonly csv?: boolean;
}

const ALIAS = 'k3v9qzm2x7wd4hb6tj1c';
const order = {
  storeId: 1,
  number: 'A-1001',
  buyer: { email: 'jane@buyer.example', name: 'Jane Doe' },
  items: [{ sku: 'K-1', name: 'Kettle', category: 'Kitchen', manufacturer: 'Boil Co', unitPrice: 19.99, quantity: 1 }],
  total: 19.99,
  currency: 'EUR',
  placedAt: '2026-11-01T10:00:00Z',
  completedAt: null,
};

/** Every route under /api/v1. */
export const API_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'post',
    path: '/stores',
    tag: 'stores',
    summary: 'Create a store',
    body: s.createStoreSchema,
    status: 201,
    example: { slug: 'acme', name: 'Acme Store', mailbox: 'support@acme.example' },
  },
  { method: 'get', path: '/stores', tag: 'stores', summary: 'List the stores' },
  { method: 'get', path: '/stores/{id}', tag: 'stores', summary: 'One store' },
  { method: 'get', path: '/stores/{id}/policy', tag: 'stores', summary: "The store's messaging rules" },
  {
    method: 'patch',
    path: '/stores/{id}/policy',
    tag: 'stores',
    summary: "Change the store's messaging rules",
    body: s.patchPolicySchema,
    example: { windowDays: 45, requireOrderId: false },
  },
  {
    method: 'post',
    path: '/stores/{id}/permitted-senders',
    tag: 'stores',
    summary: 'Add a permitted sender',
    body: s.createSenderSchema,
    status: 201,
    example: { email: 'john@acme.example' },
  },
  { method: 'get', path: '/stores/{id}/permitted-senders', tag: 'stores', summary: "The store's permitted senders" },
  {
    method: 'patch',
    path: '/permitted-senders/{id}',
    tag: 'stores',
    summary: 'Enable or block a permitted sender',
    body: s.patchSenderSchema,
    example: { status: 'blocked' },
  },
  { method: 'get', path: '/permitted-senders/{id}/readiness', tag: 'stores', summary: "Whether the sender's domain publishes SPF, DMARC and DKIM" },
  {
    method: 'post',
    path: '/permitted-senders/{id}/credentials',
    tag: 'stores',
    summary: 'Issue an app password for the submission port (shown once)',
    body: s.createCredentialSchema,
    status: 201,
    example: { label: 'Outlook on the shop PC' },
  },
  { method: 'get', path: '/permitted-senders/{id}/credentials', tag: 'stores', summary: "The sender's app passwords (never the secret)" },
  { method: 'delete', path: '/credentials/{id}', tag: 'stores', summary: 'Revoke an app password' },
  {
    method: 'post',
    path: '/orders',
    tag: 'orders',
    summary: "Record an order; the buyer's first order with a store creates the pair and its alias",
    body: s.createOrderSchema,
    status: 201,
    example: order,
  },
  {
    method: 'post',
    path: '/orders/import',
    tag: 'orders',
    summary: 'Import orders from a CSV file (preview with ?dryRun=true); the same file twice changes nothing',
    query: s.orderImportQuery,
    csv: true,
  },
  { method: 'get', path: '/orders/{id}', tag: 'orders', summary: 'One order' },
  {
    method: 'patch',
    path: '/orders/{id}',
    tag: 'orders',
    summary: "Change an order's status or completion time",
    body: s.patchOrderSchema,
    example: { status: 'shipped' },
  },
  { method: 'get', path: '/pairs/{alias}', tag: 'conversations', summary: 'A pair: store, buyer, opt-out, orders' },
  {
    method: 'put',
    path: '/pairs/{alias}/opt-out',
    tag: 'conversations',
    summary: 'Opt the buyer out of (or back into) non-critical messages',
    body: s.optOutSchema,
    example: { optedOut: true },
  },
  { method: 'delete', path: '/buyers/{email}', tag: 'conversations', summary: "Erase a buyer's personal data and message texts" },
  { method: 'get', path: '/messages', tag: 'conversations', summary: 'Stored messages with verdict, findings and changes', query: s.messagesQuery },
  {
    method: 'post',
    path: '/pairs/{alias}/messages',
    tag: 'conversations',
    summary: 'The store writes to the buyer (same pipeline and rules as mail)',
    body: s.sendMessageSchema,
    status: 201,
    example: { senderId: 1, subject: 'Your order A-1001', text: 'It ships today.' },
  },
  {
    method: 'get',
    path: '/pairs/{alias}/messages',
    tag: 'conversations',
    summary: 'The conversation read back, newest first, as each side received it (masked)',
    query: s.pairMessagesQuery,
  },
  {
    method: 'get',
    path: '/pairs/{alias}/messages/{id}/attachments/{n}',
    tag: 'conversations',
    summary: 'One attachment of a message, as delivered',
    produces: 'application/octet-stream',
  },
  {
    method: 'post',
    path: '/pairs/{alias}/buyer-messages',
    tag: 'website',
    summary: "The pair's buyer writes from the website to the store",
    body: s.buyerMessageSchema,
    status: 201,
    example: { subject: 'Where is my kettle?', text: 'It has not arrived yet.' },
  },
  {
    method: 'post',
    path: '/stores/{id}/visitor-messages',
    tag: 'website',
    summary: 'A visitor writes from the website to the store; answers the new or existing alias',
    body: s.visitorMessageSchema,
    status: 201,
    example: { email: 'vera@visitor.example', name: 'Vera', subject: 'Do you ship to Norway?', text: 'Thanks!' },
  },
  { method: 'get', path: '/outbox', tag: 'delivery', summary: 'Deliveries with status, attempts and last error', query: s.outboxQuery },
  { method: 'get', path: '/outbox/{id}', tag: 'delivery', summary: 'One delivery' },
  { method: 'get', path: '/outbox/{id}/raw', tag: 'delivery', summary: 'The exact bytes delivered or captured', produces: 'message/rfc822' },
  { method: 'get', path: '/dns', tag: 'delivery', summary: 'The MX, SPF, DKIM and DMARC records to publish' },
  { method: 'get', path: '/banned-words', tag: 'settings', summary: 'Banned words, global and per store', query: s.bannedWordsQuery },
  {
    method: 'post',
    path: '/banned-words',
    tag: 'settings',
    summary: 'Add a banned word',
    body: s.createBannedWordSchema,
    status: 201,
    example: { word: 'cheap', storeId: 1 },
  },
  { method: 'delete', path: '/banned-words/{id}', tag: 'settings', summary: 'Remove a banned word', status: 204 },
  {
    method: 'post',
    path: '/campaigns',
    tag: 'campaigns',
    summary: 'Create a campaign draft',
    body: s.campaignSchema,
    status: 201,
    example: { storeId: 1, name: 'Kettle fans', subject: 'A code for you', body: 'Hello {{buyer.name | there}}', audience: { skus: ['K-1'] } },
  },
  { method: 'get', path: '/campaigns/{id}', tag: 'campaigns', summary: 'A campaign with its status and progress' },
  { method: 'get', path: '/campaigns/{id}/audience', tag: 'campaigns', summary: 'How many buyers (and prospects) the audience matches, and a sample' },
  { method: 'post', path: '/campaigns/{id}/start', tag: 'campaigns', summary: 'Start sending', body: s.campaignStartSchema, example: { confirm: false } },
  {
    method: 'post',
    path: '/campaigns/{id}/schedule',
    tag: 'campaigns',
    summary: 'Schedule the start',
    body: s.campaignScheduleSchema,
    example: { at: '2026-12-01T09:00:00Z' },
  },
  { method: 'post', path: '/campaigns/{id}/pause', tag: 'campaigns', summary: 'Pause' },
  { method: 'post', path: '/campaigns/{id}/resume', tag: 'campaigns', summary: 'Resume' },
  { method: 'post', path: '/campaigns/{id}/cancel', tag: 'campaigns', summary: 'Cancel' },
  {
    method: 'post',
    path: '/stores/{id}/prospects',
    tag: 'campaigns',
    summary: 'Import prospects into a named list',
    body: s.prospectImportSchema,
    status: 201,
    example: { list: 'wishlist', prospects: [{ email: 'p@prospect.example', name: 'Pat' }] },
  },
  { method: 'get', path: '/stores/{id}/credits', tag: 'campaigns', summary: "The store's credit balance" },
  {
    method: 'post',
    path: '/stores/{id}/credits',
    tag: 'campaigns',
    summary: 'Add (or take) credits',
    body: s.creditsSchema,
    example: { delta: 100, reason: 'invoice 118' },
  },
  { method: 'put', path: '/credits/price', tag: 'campaigns', summary: 'Credits per prospect message', body: s.priceSchema, example: { credits: 3 } },
  {
    method: 'get',
    path: '/reports/response-times',
    tag: 'reports',
    summary: 'The response clock over 7, 30 or 90 days: late-response rate, average and median first response, per store, agent and category, and volume',
    query: reportQuery,
  },
  { method: 'get', path: '/events', tag: 'events', summary: 'The ordered events feed (what webhooks carry), for catching up', query: s.eventsQuery },
  {
    method: 'post',
    path: '/webhooks',
    tag: 'events',
    summary: 'Register a webhook endpoint; the signing secret is in this answer only',
    body: s.webhookSchema,
    status: 201,
    example: { url: 'https://market.example/hooks/maskgate', events: ['message.received', 'message.sent'] },
  },
  { method: 'get', path: '/webhooks', tag: 'events', summary: 'Webhook endpoints and their delivery state' },
  { method: 'get', path: '/webhooks/{id}', tag: 'events', summary: 'One webhook endpoint' },
  { method: 'delete', path: '/webhooks/{id}', tag: 'events', summary: 'Remove a webhook endpoint', status: 204 },
];

const errorSchema = z
  .object({ error: z.string(), code: z.string().meta({ description: 'A code of the verdict catalogue (docs/verdicts.md)' }), message: z.string() })
  .meta({ id: 'Error' });

function pathParams(path: string): z.ZodObject | undefined {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  if (names.length === 0) return undefined;
  return z.object(
    Object.fromEntries(
      names.map((n) => [n, n === 'alias' ? z.string().meta({ example: ALIAS }) : n === 'email' ? z.string() : z.string().regex(/^[1-9]\d*$/)]),
    ),
  );
}

function operation(o: ApiOperation): ZodOpenApiOperationObject {
  const path = pathParams(o.path);
  const status = String(o.status ?? 200);
  const success =
    status === '204'
      ? { description: 'Done' }
      : {
          description: 'Success',
          content: o.produces
            ? { [o.produces]: { schema: z.string().meta({ format: 'binary' }) } }
            : {
                'application/json': {
                  schema: RESPONSES[`${o.method} ${o.path}`] ?? z.record(z.string(), z.unknown()),
                },
              },
        };
  return {
    tags: [o.tag],
    summary: o.summary,
    ...(path || o.query ? { requestParams: { ...(path ? { path } : {}), ...(o.query ? { query: o.query } : {}) } } : {}),
    ...(o.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: o.body, ...(o.example !== undefined ? { example: o.example } : {}) } } } }
      : {}),
    ...(o.csv ? { requestBody: { required: true, content: { 'text/csv': { schema: z.string() } } } } : {}),
    responses: {
      [status]: success,
      '4XX': {
        description: 'Refused: `{error, code, message}` with the verdict’s status; nothing was changed',
        content: { 'application/json': { schema: errorSchema } },
      },
      '5XX': {
        description: 'A temporary failure (503 `TEMPORARY_FAILURE`): nothing was changed; try again later',
        content: { 'application/json': { schema: errorSchema } },
      },
    },
  };
}

let cached: object | null = null;

/** The OpenAPI 3.1 document of /api/v1 (built once). */
export function openApiDocument(): object {
  if (cached) return cached;
  const paths: ZodOpenApiPathsObject = {};
  for (const o of API_OPERATIONS) paths[o.path] = { ...paths[o.path], [o.method]: operation(o) };
  cached = createDocument({
    openapi: '3.1.0',
    info: {
      title: 'maskgate API',
      version: '1',
      description: 'Masked buyer–seller mail for marketplaces. Every request needs `Authorization: Bearer <token>`.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  });
  return cached;
}
