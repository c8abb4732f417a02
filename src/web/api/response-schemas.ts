// Owns the shapes of the marketplace routes' answers, for the OpenAPI document: a developer who
// integrates from /api/v1/openapi.json alone learns every field of the events, webhooks, website
// messages, read-back and CSV import answers. The objects are strict, so a test that parses real
// answers with them fails when a route adds, drops or renames a field the document does not say.
import { z } from 'zod';
import { EVENT_TYPE_NAMES } from '../../core/event-types.js';

const time = z.string().meta({ description: 'ISO 8601 time' });
const nullableTime = time.nullable();

export const eventSchema = z
  .object({
    id: z.number().int().meta({ description: 'Ascending; pass the last one seen as `after`' }),
    type: z.enum(EVENT_TYPE_NAMES),
    createdAt: time,
    storeId: z.number().int().nullable(),
    data: z.record(z.string(), z.unknown()).meta({ description: "The type's fields (docs/webhooks.md); never a staff address" }),
  })
  .strict()
  .meta({ id: 'Event', description: 'One event, as the feed lists it and a webhook POSTs it (docs/webhooks.md)' });

export const eventsPage = z
  .object({
    items: z.array(eventSchema),
    next: z.number().int().meta({ description: 'The `after` of the next page; the same value again when nothing is newer yet' }),
  })
  .strict();

export const webhookResponse = z
  .object({
    id: z.number().int(),
    url: z.string(),
    events: z.array(z.enum(EVENT_TYPE_NAMES)),
    createdAt: time,
    cursor: z.number().int().meta({ description: 'The last event handled (delivered or given up)' }),
    failedAttempts: z.number().int().meta({ description: 'Failed attempts at the event after the cursor' }),
    nextAttemptAt: nullableTime,
    lastStatus: z.number().int().nullable().meta({ description: "The receiver's last HTTP status; null after a network error or timeout" }),
    lastError: z.string().nullable(),
    lastAttemptAt: nullableTime,
    delivered: z.number().int(),
    dropped: z.number().int().meta({ description: 'Events given up after `webhooks.retryFor`' }),
  })
  .strict()
  .meta({ id: 'Webhook' });

export const webhookCreated = webhookResponse
  .extend({ secret: z.string().meta({ description: 'The signing secret (`whsec_…`), in this answer only' }) })
  .strict()
  .meta({ id: 'WebhookCreated' });

export const webhookList = z.object({ items: z.array(webhookResponse) }).strict();

const rule = z.object({ rule: z.string(), result: z.string(), detail: z.string().optional() }).strict();
const change = z.object({ rule: z.string(), detail: z.string(), count: z.number().int().optional() }).strict();

export const storedMessage = z
  .object({
    id: z.number().int(),
    alias: z.string(),
    storeId: z.number().int(),
    direction: z.enum(['buyer_to_store', 'store_to_buyer']),
    source: z.string().meta({ description: '`website` for buyer and visitor messages' }),
    subject: z.string().meta({ description: 'As the recipient got it (masked)' }),
    status: z.string().meta({ description: 'Delivery status: queued, deferred, sent, captured, failed' }),
    verdict: z.string(),
    suspicious: z.boolean(),
    findings: z.array(rule),
    changes: z.array(change),
    size: z.number().int(),
    receivedAt: time,
    relayMessageId: z.string(),
    outboxIds: z.array(z.number().int()),
  })
  .strict()
  .meta({ id: 'StoredMessage' });

export const visitorMessageCreated = z
  .object({ alias: z.string(), address: z.string(), message: storedMessage })
  .strict()
  .meta({ description: "The visitor's pair (new or existing) and the stored message" });

export const readBackPage = z
  .object({
    items: z.array(
      z
        .object({
          id: z.number().int(),
          direction: z.enum(['buyer_to_store', 'store_to_buyer']),
          source: z.string(),
          subject: z.string(),
          text: z.string().nullable(),
          html: z.string().nullable().meta({ description: 'Sanitised HTML as delivered; null when the message had none' }),
          attachments: z.array(
            z.object({ id: z.number().int(), filename: z.string().optional(), contentType: z.string(), size: z.number().int(), url: z.string() }).strict(),
          ),
          bodyAvailable: z.boolean().meta({ description: 'false once retention purged the body' }),
          delivery: z.object({ status: z.string(), attempts: z.number().int(), doneAt: nullableTime }).strict(),
          receivedAt: time,
        })
        .strict(),
    ),
    next: z.number().int().nullable().meta({ description: 'The `before` of the next (older) page; null on the last' }),
  })
  .strict();

export const importReport = z
  .object({
    created: z.number().int(),
    duplicates: z.number().int(),
    invalid: z.number().int(),
    rows: z.array(
      z
        .object({
          row: z.number().int().meta({ description: 'The spreadsheet row (the header is row 1)' }),
          number: z.string(),
          status: z.enum(['new', 'duplicate', 'error']),
          errors: z.array(z.string()),
          alias: z.string().optional(),
          address: z.string().optional(),
        })
        .strict(),
    ),
  })
  .strict();

/** Success answers by `METHOD path` (OpenAPI style); other routes are described as a JSON object. */
export const RESPONSES: Readonly<Record<string, z.ZodType>> = {
  'get /events': eventsPage,
  'post /webhooks': webhookCreated,
  'get /webhooks': webhookList,
  'get /webhooks/{id}': webhookResponse,
  'post /pairs/{alias}/buyer-messages': storedMessage,
  'post /stores/{id}/visitor-messages': visitorMessageCreated,
  'get /pairs/{alias}/messages': readBackPage,
  'post /orders/import': importReport,
};
