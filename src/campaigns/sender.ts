// Owns sending campaigns: the one sender that starts scheduled campaigns, claims ledger rows, skips
// who must not get mail (checked now, at send time), and hands each message to the one pipeline
// as the store's mailbox, with List-Unsubscribe and a visible unsubscribe link. The ledger row is
// marked sent in the same transaction that stores the message and queues it, so a crash can never
// leave a message queued and its row pending. A rate limit applies where mail enters the outbox,
// and a full outbox (a smarthost answering 4xx) makes it wait.
import type { Logger } from 'pino';
import { describeAudience } from '../core/audience.js';
import { baseValues, renderTemplate, type TemplateValues } from '../core/template.js';
import { isRefusal } from '../core/alias-token.js';
import type { CampaignRecipientFacts } from '../core/messaging-rules.js';
import { refusalText, type Refusal } from '../core/verdicts.js';
import type { Metrics } from '../metrics.js';
import type { CampaignHandover, Relay } from '../relay/pipeline.js';
import { previewAsStore, sendAsStore, type StoreMessage } from '../relay/send-as-store.js';
import { LedgerClaimLost } from '../relay/outbox-entry.js';
import type { Campaign, CampaignStore, ClaimedRecipient, Overdraw, Progress, Storage } from '../store/ports.js';
import type { StoreRow } from '../store/stores.js';
import type { UnsubscribeTokens } from './unsubscribe-token.js';

export interface CampaignSenderOptions {
  /** Messages per second handed to the outbox, over all campaigns. */
  readonly ratePerSecond: number;
  /** A buyer who got a campaign from the store within this many days is skipped. */
  readonly repeatDays: number;
  /** A scheduled campaign this late (the server was down) waits for a confirmation. */
  readonly lateAfterMs: number;
  readonly pollIntervalMs: number;
  /** Outbox rows waiting (queued or deferred) above which the sender waits. */
  readonly maxQueued: number;
  /** Where the public unsubscribe page is (the admin's public URL). */
  readonly publicUrl: () => string;
  readonly domain: string;
  /** This gateway's node id (store/ports.ts nodeId): recipients are claimed under it, with a lease. */
  readonly nodeId: string;
  /**
   * How long a claimed recipient stays leased to this node (ms); 5 minutes unless set. Far longer
   * than claim to commit takes (seconds): a node that dies leaves its claims to be resolved from the
   * stored messages once they run out.
   */
  readonly claimLeaseMs?: number | undefined;
}

/**
 * The ports the sender uses: the campaign store, the ledger (claims with leases: each recipient
 * at most once across nodes), the outbox's depth (the back-pressure: every node's waiting rows),
 * and the store and its mailbox as a permitted sender.
 */
export type CampaignStorage = Pick<Storage, 'campaigns' | 'ledger' | 'outbox' | 'market' | 'mail'>;

/** Queues a plain notice to a store's mailbox (the completion notice). */
export type NoticeQueue = (to: string, subject: string, text: string) => Promise<void>;

/**
 * Messages between claim and commit at once. The sender keeps this many moving rather than waiting
 * for a whole batch before claiming the next, so the signing thread and the commits never idle
 * between batches.
 */
const WINDOW = 200;
/** Rows claimed at a time: starting many at once would hold the event loop (and delivery) up. */
const CHUNK = 25;
/** The default claim lease (CampaignSenderOptions.claimLeaseMs); recovery runs at start and every RECOVER_EVERY_MS (or the lease, if shorter). */
export const CLAIM_LEASE_MS = 5 * 60_000;
const RECOVER_EVERY_MS = 60_000;

export class CampaignSender {
  readonly #repo: CampaignStore;
  readonly #storage: CampaignStorage;
  readonly #claimLeaseMs: number;
  readonly #relay: Relay;
  readonly #tokens: UnsubscribeTokens;
  readonly #o: CampaignSenderOptions;
  readonly #notice: NoticeQueue;
  readonly #log: Logger;
  readonly #metrics: Metrics | undefined;
  #timer: NodeJS.Timeout | null = null;
  #busy: Promise<void> | null = null;
  /** Messages claimed and not yet stored (or skipped, or failed). */
  readonly #inFlight = new Set<Promise<void>>();
  #budget = 0;
  #refilledAt = Date.now();
  #recoveredAt = 0;
  readonly #topItems = new Map<number, { at: number; text: string }>();

  constructor(
    storage: CampaignStorage,
    relay: Relay,
    tokens: UnsubscribeTokens,
    o: CampaignSenderOptions,
    notice: NoticeQueue,
    log: Logger,
    metrics?: Metrics,
  ) {
    this.#repo = storage.campaigns;
    this.#storage = storage;
    this.#claimLeaseMs = o.claimLeaseMs ?? CLAIM_LEASE_MS;
    this.#relay = relay;
    this.#tokens = tokens;
    this.#o = o;
    this.#notice = notice;
    this.#log = log;
    this.#metrics = metrics;
  }

  /** Call (and await) before the outbound worker starts: resolves what a crash left half done, then polls. */
  async start(): Promise<void> {
    await this.#recoverInterrupted().catch((err: Error) =>
      this.#log.error({ event: 'campaign.error', err: err.message }, 'resolving what a crash left half done failed; retried at the next pass'),
    );
    this.#timer = setInterval(() => void this.tick(), this.#o.pollIntervalMs);
    this.#timer.unref();
  }

  /**
   * What a dead node (or this process before a crash) left half done, once its leases ran out:
   * at-most-once deliveries cut mid-attempt are reported unknown, claimed recipients are resolved
   * from the stored messages (sent, or pending again). Nothing is sent blindly.
   */
  async #recoverInterrupted(now = Date.now()): Promise<void> {
    this.#recoveredAt = now;
    const { deliveries, unknown, sent, pending } = await this.#repo.recoverInterrupted(now);
    if (deliveries) {
      this.#log.warn({ event: 'campaign.unknown', deliveries, recipients: unknown }, 'deliveries interrupted by a crash reported as unknown');
    }
    if (sent || pending) this.#log.info({ event: 'campaign.recovered', sent, pending }, 'ledger rows caught mid-send resolved from the stored messages');
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#busy;
    await Promise.allSettled([...this.#inFlight]);
  }

  /** One pass: start what is due, send what the rate allows. Concurrent calls share the pass. */
  tick(): Promise<void> {
    this.#busy ??= this.#pass()
      .catch((err: Error) => this.#log.error({ event: 'campaign.error', err: err.message }, 'campaign pass failed'))
      .finally(() => {
        this.#busy = null;
      });
    return this.#busy;
  }

  async #pass(): Promise<void> {
    const now = Date.now();
    // Another node may have died holding claims: resolved here once its leases ran out.
    if (now - this.#recoveredAt >= Math.min(RECOVER_EVERY_MS, this.#claimLeaseMs)) await this.#recoverInterrupted(now);
    for (const c of await this.#repo.withStatus(['scheduled'])) {
      if (c.scheduledAt === null || c.scheduledAt > now) continue;
      if (now - c.scheduledAt > this.#o.lateAfterMs) {
        if (await this.#repo.transition(c.id, ['scheduled'], 'late', now)) {
          this.#log.warn({ event: 'campaign.late', campaignId: c.id, lateMs: now - c.scheduledAt }, 'scheduled campaign is late; waiting for a confirmation');
        }
        continue;
      }
      const r = await this.startCampaign(c.id, now);
      if (r !== null && typeof r === 'object') {
        // Not enough credits for its prospects: it waits, like a late campaign, for someone to act.
        await this.#repo.transition(c.id, ['scheduled'], 'late', now);
        this.#log.warn({ event: 'campaign.overdraw', campaignId: c.id, ...r.overdraw }, 'scheduled campaign would overdraw the store credits; not started');
      }
    }
    for (const c of await this.#repo.withStatus(['sending'])) await this.#sendSome(c);
  }

  /** Writes the ledger and starts sending; null when the campaign was not startable. */
  async startCampaign(id: number, now = Date.now()): Promise<number | Overdraw | null> {
    const r = await this.#repo.start(id, await this.#repo.price(), now);
    if (typeof r === 'number') {
      this.#log.info({ event: 'campaign.started', campaignId: id, recipients: r }, 'campaign started');
      queueMicrotask(() => void this.tick());
    }
    return r;
  }

  #refill(now: number): void {
    const rate = this.#o.ratePerSecond;
    this.#budget = Math.min(rate, this.#budget + ((now - this.#refilledAt) / 1000) * rate);
    this.#refilledAt = now;
  }

  async #sendSome(c: Campaign): Promise<void> {
    const now = Date.now();
    this.#refill(now);
    // The smarthost is pushing back (or slow): hand over no more than the queue has room for,
    // counting what is on its way there.
    const room = this.#o.maxQueued - (await this.#storage.outbox.pendingCount()) - this.#inFlight.size;
    const n = Math.min(Math.floor(this.#budget), room, WINDOW - this.#inFlight.size, CHUNK);
    if (n < 1) return;
    const taken = await this.#storage.ledger.claim(c.id, this.#o.nodeId, n, this.#claimLeaseMs, now);
    const rows = await this.#repo.claimed(taken.map((r) => r.id));
    if (rows.length === 0) {
      // Rows still in flight count as pending: the campaign is done once the last one is stored.
      const p = await this.#repo.progress(c.id, now);
      if (p.pending === 0 && (await this.#repo.transition(c.id, ['sending'], 'done', now))) {
        await this.#repo.settleCredits(c.id, now);
        await this.#finished(c, p);
      }
      return;
    }
    this.#budget -= rows.length;
    for (const r of rows) {
      const p: Promise<void> = this.#sendOne(c, r)
        .catch((err: Error) => this.#log.error({ event: 'campaign.error', campaignId: c.id, recipientId: r.id, err: err.message }, 'campaign message failed'))
        .finally(() => {
          this.#inFlight.delete(p);
          // A chunk's worth of the window is free: claim more now rather than at the next poll.
          if (this.#inFlight.size <= WINDOW - CHUNK && this.#timer) void this.tick();
        });
      this.#inFlight.add(p);
    }
  }

  /** The rendered subject and text for one recipient (before the unsubscribe footer). */
  async #content(c: Campaign, storeName: string, pairId: number, buyerName: string | null, orderNumber?: string): Promise<{ subject: string; text: string }> {
    const values: TemplateValues = {
      ...baseValues(buyerName, storeName, await this.#repo.latestOrder(pairId, orderNumber)),
      'store.top_items': await this.#topItemsOf(c.storeId),
      'promo.code': c.extras.promoCode,
      'promo.item': c.extras.promoItem,
      'campaign.items': (c.extras.items ?? '')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .map((l) => `- ${l}`)
        .join('\n'),
    };
    return { subject: renderTemplate(c.subject, values).text.replace(/\s+/g, ' ').trim(), text: renderTemplate(c.body, values).text };
  }

  /**
   * What one buyer would get (for a test email): the campaign text run through the pipeline's rules,
   * filters and rewrite like the real send, with a placeholder for the personal unsubscribe link.
   * Nothing is stored or sent; a refusal (opted out, a banned word…) comes back as an error.
   */
  async preview(
    c: Campaign,
    buyer: { readonly pairId: number; readonly token: string; readonly name: string | null },
    orderNumber?: string,
  ): Promise<{ subject: string; text: string } | { error: string }> {
    if (orderNumber !== undefined && !(await this.#repo.latestOrder(buyer.pairId, orderNumber))) return { error: `That buyer has no order ${orderNumber}.` };
    const from = await this.#storeSender(c.storeId);
    if ('error' in from) return { error: `The real message would fail: ${from.error}.` };
    const facts = await this.#repo.recipientFacts(c.id, buyer.pairId);
    if (!facts) return { error: 'No such buyer.' };
    const { subject, text } = await this.#content(c, from.store.name, buyer.pairId, buyer.name, orderNumber);
    const kind: RecipientKind = (await this.#repo.latestOrder(buyer.pairId)) ? 'buyer' : 'prospect';
    const result = await previewAsStore(
      this.#relay,
      this.#storeMessage(from, buyer.token, subject, text, PLACEHOLDER_LINK, this.#facts(facts), NO_LEDGER, kind),
    );
    if (isRefusal(result)) return { error: `The real message would be refused: ${refusalText(result)}.` };
    const m = result.messages[0]?.message;
    return m ? { subject: m.subject, text: m.text ?? '' } : { error: 'No such buyer.' };
  }

  /** How the progress names a recipient the campaign rules exclude; null for a real failure. */
  #skipReason(r: Refusal): string | null {
    switch (r.code) {
      case 'UNSUBSCRIBED':
        return 'unsubscribed';
      case 'UNDELIVERABLE':
        return 'hard bounced';
      case 'RECENT_CAMPAIGN':
        return `had a campaign in the last ${this.#o.repeatDays} days`;
      case 'OPTED_OUT':
        return 'opted out';
      default:
        return null;
    }
  }

  /** The recipient facts the pipeline's campaign rules decide on. */
  #facts(r: { unsubscribed: boolean; undeliverable: boolean; lastCampaignAt: number | null }): CampaignRecipientFacts {
    return { unsubscribed: r.unsubscribed, undeliverable: r.undeliverable, lastCampaignAt: r.lastCampaignAt, repeatDays: this.#o.repeatDays };
  }

  /** The store and its mailbox as a permitted sender (campaigns are written as the store). */
  async #storeSender(storeId: number): Promise<{ store: StoreRow; sender: { id: number; email: string } } | { error: string }> {
    const store = await this.#storage.market.store(storeId);
    const sender = store ? await this.#storage.mail.findSender(store.id, store.mailbox) : null;
    if (!store || !sender || sender.status !== 'enabled') return { error: "the store's mailbox is not an enabled permitted sender" };
    return { store, sender };
  }

  #storeMessage(
    from: { store: StoreRow; sender: { id: number; email: string } },
    pairToken: string,
    subject: string,
    text: string,
    unsubscribeUrl: string,
    recipient: CampaignRecipientFacts,
    ledger: Pick<CampaignHandover, 'recipientId' | 'leaseOwner'>,
    kind: RecipientKind,
    mailto = unsubscribeUrl,
  ): StoreMessage {
    const { store, sender } = from;
    return {
      sender: { id: sender.id, email: sender.email, storeId: store.id },
      pairToken,
      subject,
      text,
      source: 'campaign',
      log: this.#log,
      campaign: {
        // RFC 8058: one-click unsubscribe by POST; RFC 2369: the mailto for clients without it.
        headers: [
          ['List-Unsubscribe', `<${unsubscribeUrl}>, <mailto:${mailto}?subject=unsubscribe>`],
          ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'],
        ],
        footer: {
          text: `\n\n--\n${whyYouGetThis(kind, store.name)} Unsubscribe: ${unsubscribeUrl}\n`,
          html: `<p style="color:#666;font-size:12px">${escapeHtml(whyYouGetThis(kind, store.name))} <a href="${unsubscribeUrl}">Unsubscribe</a></p>`,
        },
        recipient,
        ...ledger,
      },
    };
  }

  async #topItemsOf(storeId: number): Promise<string> {
    const cached = this.#topItems.get(storeId);
    if (cached && Date.now() - cached.at < 60_000) return cached.text;
    const text = (await this.#repo.topItems(storeId, 4)).map((i) => `- ${i.name}`).join('\n');
    this.#topItems.set(storeId, { at: Date.now(), text });
    return text;
  }

  async #sendOne(c: Campaign, r: ClaimedRecipient): Promise<void> {
    const from = await this.#storeSender(c.storeId);
    if ('error' in from) return this.#notSent(c, r, 'failed', from.error);
    const { subject, text } = await this.#content(c, from.store.name, r.pairId, r.hideName ? null : r.buyerName);
    const token = this.#tokens.sign({ pairId: r.pairId, campaignId: c.id });
    const url = `${this.#o.publicUrl()}/u/${token}`;
    const mailto = `unsubscribe+${token}@${this.#o.domain}`;
    try {
      const result = await sendAsStore(
        this.#relay,
        this.#storeMessage(
          from,
          r.token,
          subject,
          text,
          url,
          this.#facts(r),
          { recipientId: r.id, leaseOwner: this.#o.nodeId },
          r.prospect ? 'prospect' : 'buyer',
          mailto,
        ),
      );
      if (isRefusal(result)) {
        // Who must not get it (decided by the pipeline's campaign rules) is skipped; anything else failed.
        const skipped = this.#skipReason(result);
        return this.#notSent(c, r, skipped ? 'skipped' : 'failed', skipped ?? refusalText(result));
      }
      this.#metrics?.campaignMessages.inc({ outcome: 'sent' });
    } catch (err) {
      if (err instanceof LedgerClaimLost) {
        // The claim ran out before the commit and the row was resolved again (maybe sent by another node): nothing stored, nothing to record.
        this.#log.warn({ event: 'campaign.claim-lost', campaignId: c.id, recipientId: r.id }, 'claim ran out before the message was stored; not sent');
        return;
      }
      // Nothing was handed over (the commit did not happen): recorded as failed, never retried blindly.
      this.#log.error({ event: 'campaign.error', campaignId: c.id, recipientId: r.id, err: (err as Error).message }, 'campaign message failed');
      await this.#notSent(c, r, 'failed', `unexpected error: ${(err as Error).message}`);
    }
  }

  /**
   * Records a message that was not sent. A prospect's credits come back when the campaign settles;
   * a campaign cancelled while this message was in flight has settled already, so it settles again.
   */
  async #notSent(c: Campaign, r: ClaimedRecipient, status: 'skipped' | 'failed', reason: string): Promise<void> {
    const now = Date.now();
    await this.#repo.finish(r.id, status, reason, now);
    this.#metrics?.campaignMessages.inc({ outcome: status });
    if (r.prospect && (await this.#repo.get(c.id))?.status === 'cancelled') await this.#repo.settleCredits(c.id, now);
  }

  async #finished(c: Campaign, p: Progress): Promise<void> {
    this.#log.info({ event: 'campaign.done', campaignId: c.id, sent: p.sent, skipped: p.skipped, failed: p.failed }, 'campaign done');
    const store = await this.#storage.market.store(c.storeId);
    if (!store) return;
    const reasons = (by: Readonly<Record<string, number>>) =>
      Object.entries(by)
        .map(([k, n]) => `  ${n} ${k}`)
        .join('\n');
    const text = [
      `Your campaign "${c.name}" has finished.`,
      '',
      `Audience: ${describeAudience(c.audience)}`,
      `Recipients: ${p.total}`,
      `Sent: ${p.sent}`,
      `Skipped: ${p.skipped}${p.skipped ? `\n${reasons(p.skippedBy)}` : ''}`,
      `Failed: ${p.failed}${p.failed ? `\n${reasons(p.failedBy)}` : ''}`,
      '',
    ].join('\n');
    await this.#notice(store.mailbox, `Campaign finished: ${c.name}`, text);
  }
}

/** A preview stops before the commit: it has no ledger row to name or mark. */
const NO_LEDGER: Pick<CampaignHandover, 'recipientId' | 'leaseOwner'> = { recipientId: 0, leaseOwner: null };

/** Where the personal unsubscribe link goes in a test email (a real one would unsubscribe the buyer). */
const PLACEHOLDER_LINK = '(a personal link in the real email)';

/** A buyer has bought from the store; a prospect is on one of its imported lists and has not. */
type RecipientKind = 'buyer' | 'prospect';

/** The footer's reason, true for the kind of recipient (a prospect never bought anything). */
const whyYouGetThis = (kind: RecipientKind, storeName: string) =>
  kind === 'buyer' ? `You get this because you bought from ${storeName}.` : `You get this because you are on a mailing list of ${storeName}.`;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
