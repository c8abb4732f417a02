// Owns the shapes the JSON API accepts.
import { webhookHostProblem } from '../../outbound/webhook-target.js';
import { z } from 'zod';
import { isValidSlug } from '../../core/alias-token.js';
import { PLAIN_EMAIL } from '../../usecases/stores.js';
import { checkPolicyChange } from '../../core/policy-limits.js';
import { ORDER_STATUSES } from '../../store/orders.js';
import { EVENT_TYPE_NAMES } from '../../core/event-types.js';
import { MAX_LINE } from '../../core/line-limit.js';

// A deliberately plain address grammar: one @, no spaces, quotes, brackets or routing characters.
export const email = z
  .string()
  .trim()
  .max(254)
  .regex(PLAIN_EMAIL, 'must be a plain email address like name@example.com')
  .transform((s) => s.toLowerCase());

const name = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters');
const money = z
  .number()
  .finite()
  .min(0)
  .max(1e12)
  .refine((n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6, 'must have at most 2 decimals');
const when = z.iso.datetime({ offset: true });

export const createStoreSchema = z
  .object({
    slug: z.string().trim().toLowerCase().refine(isValidSlug, 'must be 1–32 lowercase letters, digits or inner hyphens (and not look like an alias)'),
    name: name(100),
    mailbox: email,
  })
  .strict();

export const senderStatus = z.enum(['enabled', 'blocked']);
export const createSenderSchema = z.object({ email, status: senderStatus.default('enabled') }).strict();
export const patchSenderSchema = z.object({ status: senderStatus }).strict();
export const createCredentialSchema = z.object({ label: z.string().trim().min(1).max(80).default('mail client') }).strict();

const item = z
  .object({
    sku: name(64),
    name: name(200),
    category: z
      .string()
      .trim()
      .max(100)
      .nullish()
      .transform((v) => v || null),
    manufacturer: z
      .string()
      .trim()
      .max(100)
      .nullish()
      .transform((v) => v || null),
    unitPrice: money,
    quantity: z.number().int().min(1).max(100000),
  })
  .strict();

export const createOrderSchema = z
  .object({
    storeId: z.number().int().positive(),
    number: name(64),
    buyer: z.object({ email, name: name(100) }).strict(),
    items: z.array(item).max(500).default([]),
    total: money,
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code like EUR'),
    placedAt: when,
    completedAt: when.nullable().default(null),
    status: z.enum(ORDER_STATUSES).optional(),
  })
  .strict();

export const patchOrderSchema = z
  .object({ completedAt: when.nullable().optional(), status: z.enum(ORDER_STATUSES).optional() })
  .strict()
  .refine((v) => v.completedAt !== undefined || v.status !== undefined, 'give completedAt or status');

export const optOutSchema = z.object({ optedOut: z.boolean() }).strict();

const limit = z.coerce.number().int().min(1).max(500).default(50);
const before = z.coerce.number().int().positive().optional();
/** Subject, text and optional HTML: the body of every message written through the API. */
const messageBody = {
  subject: z.string().trim().min(1).max(MAX_LINE),
  text: z
    .string()
    .min(1)
    .max(512 * 1024),
  html: z
    .string()
    .max(512 * 1024)
    .optional(),
};

export const sendMessageSchema = z
  .object({
    senderId: z.number().int().positive(),
    ...messageBody,
    /** Our id of the message this answers (a buyer message of the same pair). */
    inReplyTo: z.number().int().positive().optional(),
  })
  .strict();

export const messagesQuery = z
  .object({
    alias: z.string().trim().toLowerCase().optional(),
    storeId: z.coerce.number().int().positive().optional(),
    direction: z.enum(['buyer_to_store', 'store_to_buyer']).optional(),
    before,
    limit,
  })
  .strict();

export const outboxQuery = z.object({ status: z.enum(['queued', 'sent', 'captured', 'deferred', 'failed']).optional(), before, limit }).strict();

// The limits live in core/policy-limits.ts, shared with the admin's store page.
export const patchPolicySchema = z.unknown().transform((v, ctx) => {
  const r = checkPolicyChange(v);
  if ('error' in r) {
    ctx.addIssue({ code: 'custom', message: r.error });
    return z.NEVER;
  }
  return r.ok;
});

export const createBannedWordSchema = z
  .object({
    word: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .refine((w) => /[\p{L}\p{N}]/u.test(w), 'must contain a letter or digit'),
    storeId: z.number().int().positive().nullable().default(null),
  })
  .strict();

export const bannedWordsQuery = z.object({ storeId: z.coerce.number().int().positive().optional() }).strict();

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day like 2026-11-23');
const words = z.array(z.string().trim().min(1).max(200)).max(200);

export const audienceSchema = z
  .object({
    placedFrom: day.optional(),
    placedTo: day.optional(),
    categories: words.optional(),
    amountMin: money.optional(),
    amountMax: money.optional(),
    manufacturers: words.optional(),
    skus: words.optional(),
    boughtAll: words.optional(),
    boughtNone: words.optional(),
    prospectLists: words.optional(),
    noPurchasers: z.boolean().optional(),
  })
  .strict();

export const campaignSchema = z
  .object({
    storeId: z.number().int().positive(),
    name: name(200),
    preset: z.enum(['early_access', 'promo_item', 'promo_store', 'popular', 'blank']).default('blank'),
    subject: name(300),
    body: z.string().min(1).max(100_000),
    audience: audienceSchema.default({}),
    extras: z
      .object({ promoCode: z.string().trim().max(100).optional(), promoItem: z.string().trim().max(300).optional(), items: z.string().max(5000).optional() })
      .strict()
      .default({}),
  })
  .strict();

export const campaignStartSchema = z.object({ confirm: z.boolean().default(false) }).strict();
export const campaignScheduleSchema = z.object({ at: when }).strict();

export const prospectImportSchema = z
  .object({
    list: name(100),
    prospects: z
      .array(z.object({ email: z.string().max(254), name: z.string().max(200).default('') }).strict())
      .min(1)
      .max(100_000),
  })
  .strict();

export const creditsSchema = z.object({ delta: z.number().int().min(-1_000_000).max(1_000_000), reason: name(200).default('top-up') }).strict();
export const priceSchema = z.object({ credits: z.number().int().min(0).max(1000) }).strict();

export const webhookSchema = z
  .object({
    url: z
      .string()
      .trim()
      .max(2000)
      .refine((u) => {
        try {
          const url = new URL(u);
          return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '' && url.username === '' && url.password === '';
        } catch {
          return false;
        }
      }, 'must be an http(s):// URL without credentials')
      .superRefine((u, ctx) => {
        // Loopback and private networks are allowed (a marketplace on the same host); link-local,
        // unspecified, multicast and broadcast never are (webhook-target.ts).
        const problem = URL.canParse(u) ? webhookHostProblem(new URL(u)) : null;
        if (problem) ctx.addIssue({ code: 'custom', message: `must not go to ${problem}` });
      }),
    events: z.array(z.enum(EVENT_TYPE_NAMES)).min(1).max(EVENT_TYPE_NAMES.length),
  })
  .strict();

export const eventsQuery = z
  .object({
    after: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    type: z.enum(EVENT_TYPE_NAMES).optional(),
  })
  .strict();

/** An attachment in a JSON request: the file's bytes in base64 (the whole request stays under 1 MiB). */
const attachment = z
  .object({
    filename: name(255),
    contentType: z
      .string()
      .trim()
      .max(100)
      .regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a MIME type like application/pdf')
      .optional(),
    content: z.base64(),
  })
  .strict();

const websiteMessage = {
  ...messageBody,
  attachments: z.array(attachment).max(10).optional(),
};

export const buyerMessageSchema = z
  .object({
    ...websiteMessage,
    /** Our id of the store message this answers (in the same conversation). */
    inReplyTo: z.number().int().positive().optional(),
  })
  .strict();

export const visitorMessageSchema = z
  .object({
    email,
    name: name(100).optional(),
    ...websiteMessage,
  })
  .strict();

export const pairMessagesQuery = z.object({ before, limit: z.coerce.number().int().min(1).max(100).default(20) }).strict();

export const orderImportQuery = z
  .object({
    storeId: z.coerce.number().int().positive(),
    dryRun: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  })
  .strict();
