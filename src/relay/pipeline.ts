// Owns the one pipeline every message travels: receive → identify → decide → rewrite → commit.
// Shells (SMTP now; web reply, campaigns, API later) call resolveRecipient at RCPT time and accept
// once the bytes are in. Nothing is written before a message is accepted; a visitor's new pair is
// the only row made before the commit, and only for mail that passed every rule.
import { aliasAddress, isRefusal, parseRecipient } from '../core/alias-token.js';
import { isAutoSubmitted } from '../core/auto-reply.js';
import { envelopeRefusal, identifySender, identifySubmitter, normalizeEmail, type Identity, type Target } from '../core/identify.js';
import { readHeaderBlock } from '../core/header-block.js';
import { latestCited, translateThreading, type IdMapping } from '../core/message-id-map.js';
import { decide } from '../core/policy.js';
import type { Change, Finding, OutgoingMail, ParsedMail, PermittedSenderFacts } from '../core/types.js';
import type { ResolvedUnsubscribe, UnsubscribeHandler } from './campaign-handover.js';

export type { CampaignHandover, ResolvedUnsubscribe, UnsubscribeHandler } from './campaign-handover.js';
import { refusal, type Refusal } from '../core/verdicts.js';
import type { Db } from '../store/db.js';
import type { ContentRules } from '../core/filters/content-rules.js';
import { BannedWordRepo } from '../store/banned-words.js';
import { CategoryRuleRepo } from '../store/category-rules.js';
import { categorize, type Category } from '../core/categorize.js';
import { MessageStats } from '../store/message-stats.js';
import { EventRepo } from '../store/events.js';
import { MessageRepo } from '../store/messages.js';
import { OrderRepo } from '../store/orders.js';
import { PairRepo } from '../store/pairs.js';
import { StoreRepo } from '../store/stores.js';
import { GroupCommit } from './group-commit.js';
import { newRelayMessageId, type Letter, type OutboxEntry } from './outbox-entry.js';
import { decodeDisplayName } from './parse.js';
import { RefusalEvents } from './refusal-events.js';
import { roleForward } from './role-mail.js';
import { UserRepo } from '../store/users.js';
import { inlineWork, ParseTimeout, type RelayWork } from './work.js';

export type {
  AcceptInput,
  Accepted,
  BounceHandler,
  Preview,
  RelayOptions,
  ResolvedBounce,
  ResolvedRecipient,
  ResolvedRole,
  Submitter,
} from './pipeline-types.js';
import type {
  AcceptInput,
  Accepted,
  BounceHandler,
  Preview,
  RelayOptions,
  ResolvedBounce,
  ResolvedRecipient,
  ResolvedRole,
  Submitter,
} from './pipeline-types.js';

export { newRelayMessageId };

export class Relay {
  readonly #options: RelayOptions;
  readonly #stores: StoreRepo;
  readonly #pairs: PairRepo;
  readonly #messages: MessageRepo;
  readonly #stats: MessageStats;
  readonly #banned: BannedWordRepo;
  readonly #orders: OrderRepo;
  readonly #outbox: OutboxEntry;
  readonly #events: EventRepo;
  readonly #refusals: RefusalEvents;
  readonly #work: RelayWork;
  #unsubscribe: UnsubscribeHandler | null = null;

  readonly #bounceHandler: BounceHandler;
  readonly #categoryRules: CategoryRuleRepo;
  readonly #users: UserRepo;

  /** work: where parse, rewrite and compose run (the gateway's worker threads; in-process by default). */
  constructor(db: Db, commit: GroupCommit, options: RelayOptions, bounceHandler: BounceHandler, outbox: OutboxEntry, work: RelayWork = inlineWork) {
    this.#work = work;
    this.#bounceHandler = bounceHandler;
    this.#options = options;
    this.#stores = new StoreRepo(db);
    this.#pairs = new PairRepo(db);
    this.#messages = new MessageRepo(db);
    this.#stats = new MessageStats(db);
    this.#banned = new BannedWordRepo(db);
    this.#orders = new OrderRepo(db);
    this.#outbox = outbox;
    this.#events = new EventRepo(db);
    this.#refusals = new RefusalEvents(db, commit, options.domains);
    this.#categoryRules = new CategoryRuleRepo(db);
    this.#users = new UserRepo(db);
  }

  get primaryDomain(): string {
    return this.#options.domains[0] as string;
  }

  aliasAddress(token: string): string {
    return aliasAddress(token, this.primaryDomain);
  }

  #contentRules(storeId: number): ContentRules {
    return { ...this.#options.filters, keepEmailDomains: this.#options.domains, bannedWords: this.#banned.wordsFor(storeId) };
  }

  /** Identify one recipient for one envelope sender. Read-only: safe at RCPT time. */
  /** Set once at start by the campaign module; without it unsubscribe addresses are unknown. */
  setUnsubscribeHandler(h: UnsubscribeHandler): void {
    this.#unsubscribe = h;
  }

  /** Where postmaster@ and abuse@ mail goes: smtp.postmaster, else the first owner account. */
  #postmaster(): string | null {
    return this.#options.postmaster ?? this.#users.list().find((u) => u.role === 'owner' && u.disabledAt === null)?.email ?? null;
  }

  resolveRecipient(
    recipient: string,
    envelopeFrom: string,
    submitter?: Submitter,
  ): ResolvedRecipient | ResolvedBounce | ResolvedUnsubscribe | ResolvedRole | Refusal {
    const parsed = parseRecipient(recipient, this.#options.domains);
    if (isRefusal(parsed)) return parsed;
    if (parsed.kind === 'unsubscribe') {
      // Anyone may write here (the buyer's mail client), but only with a token we signed.
      return this.#unsubscribe?.verify(parsed.token) ? { unsubscribe: true, address: recipient, token: parsed.token } : refusal('UNKNOWN_ALIAS');
    }
    if (submitter) return this.#resolveForSubmitter(recipient, parsed, submitter);
    if (parsed.kind === 'role') {
      // RFC 5321 §4.5.1: postmaster must be accepted, from anyone (the null sender too).
      const deliverTo = this.#postmaster();
      return deliverTo ? { role: parsed.role, address: recipient, deliverTo } : refusal('NO_POSTMASTER');
    }
    if (parsed.kind === 'bounce') {
      // Anyone may bounce (bounces come from <>), but only to an address we signed, in time.
      const v = this.#bounceHandler.verify(parsed.local);
      return 'outboxId' in v ? { bounce: true, address: recipient, outboxId: v.outboxId } : refusal('BAD_BOUNCE_ADDRESS');
    }
    let target: Target;
    if (parsed.kind === 'alias') {
      const view = this.#pairs.byToken(parsed.token);
      if (!view) return refusal('UNKNOWN_ALIAS');
      target = { kind: 'pair', store: view.store, pair: view.pair, buyer: view.buyer };
    } else {
      const store = this.#stores.bySlug(parsed.slug);
      if (!store) return refusal('UNKNOWN_ALIAS');
      target = { kind: 'store', store, existing: null };
    }
    // Who writes is the authenticated From, known only after DATA; the envelope alone decides
    // just a null sender and a loop.
    const early = envelopeRefusal(envelopeFrom, this.#options.domains);
    if (early) return early;
    return { address: recipient, target };
  }

  /** Who writes to one resolved recipient: the From of the header reading, or the submitter. */
  #identify(r: ResolvedRecipient, writer: string, envelopeFrom: string, submitter: Submitter | undefined): Identity | Refusal {
    if (submitter) return identifySubmitter(r.target, this.#stores.sender(submitter.permittedSenderId), submitter.storeId);
    let target = r.target;
    const email = normalizeEmail(writer);
    if (target.kind === 'store') {
      const existing = this.#pairs.byStoreAndEmail(target.store.id, email);
      target = { ...target, existing: existing ? { pair: existing.pair, buyer: existing.buyer } : null };
    }
    const permitted = this.#stores.findSender(target.store.id, email);
    return identifySender(writer, envelopeFrom, target, permitted, this.#options.domains);
  }

  /**
   * An authenticated submitter writes as their own permitted sender, and only to aliases of their
   * own store. An unknown alias and another store's alias get the same answer (no oracle).
   */
  #resolveForSubmitter(recipient: string, parsed: Exclude<ReturnType<typeof parseRecipient>, Refusal>, submitter: Submitter): ResolvedRecipient | Refusal {
    const view = parsed.kind === 'alias' ? this.#pairs.byToken(parsed.token) : null;
    const target: Target | null = view ? { kind: 'pair', store: view.store, pair: view.pair, buyer: view.buyer } : null;
    const identity = identifySubmitter(target, this.#stores.sender(submitter.permittedSenderId), submitter.storeId);
    if (isRefusal(identity)) return identity;
    return { address: recipient, target: target as Target };
  }

  /** Runs the whole pipeline for one received message. Resolves only after the commit. */
  async accept(input: AcceptInput): Promise<Accepted | Refusal> {
    const result = (await this.#run(input, false)) as Accepted | Refusal;
    // The refusal stores nothing; its message.refused event is its own small commit.
    if (isRefusal(result) && !input.campaign) await this.#refusals.record(input, result);
    return result;
  }

  /**
   * The same rules, filters and rewrite as accept, for a message to existing pairs, stopping
   * before anything is signed, stored or sent: what the recipient would get, or the refusal.
   */
  preview(input: AcceptInput): Promise<Preview | Refusal> {
    return this.#run(input, true) as Promise<Preview | Refusal>;
  }

  async #run(input: AcceptInput, dryRun: boolean): Promise<Accepted | Preview | Refusal> {
    // The one reading of the header block: the From it names is the writer for identity, rules,
    // masking and sender authentication alike; a block parsers could read two ways is refused.
    const header = readHeaderBlock(input.raw);
    if (isRefusal(header)) return header;
    let mail: ParsedMail;
    try {
      mail = await this.#work.parse(input.raw, this.#options.parseTimeoutMs);
    } catch (err) {
      if (err instanceof ParseTimeout) return refusal('TEMPORARY_FAILURE', 'the message took too long to parse; please try again later');
      input.log.info({ event: 'relay.unparsable', err: (err as Error).message }, 'message could not be parsed');
      return refusal('UNPARSABLE');
    }
    mail = {
      ...mail,
      from: { name: decodeDisplayName(header.from.rawName), address: header.from.address },
      headers: header.fields.map((f) => [f.key, f.value] as const),
    };

    // Re-resolve at the end of DATA: a sender may have been blocked since RCPT.
    const resolved: (ResolvedRecipient & { identity: Identity })[] = [];
    const bounces: ResolvedBounce[] = [];
    const unsubscribes: ResolvedUnsubscribe[] = [];
    const roles: ResolvedRole[] = [];
    const seen = new Set<string>();
    for (const rcpt of input.recipients) {
      const r = this.resolveRecipient(rcpt, input.envelopeFrom, input.submitter);
      if (isRefusal(r)) return r;
      if ('unsubscribe' in r) {
        unsubscribes.push(r);
        continue;
      }
      if ('role' in r) {
        if (!roles.some((x) => x.role === r.role)) roles.push(r);
        continue;
      }
      if (r.bounce) {
        bounces.push(r);
        continue;
      }
      const key = r.target.kind === 'pair' ? `pair:${r.target.pair.id}` : `store:${r.target.store.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const identity = this.#identify(r, header.from.address, input.envelopeFrom, input.submitter);
      if (isRefusal(identity)) return identity;
      resolved.push({ ...r, identity });
    }

    // postmaster@/abuse@: judged and composed now, committed after the conversation mail.
    const roleMail: Letter[] = [];
    for (const r of dryRun ? [] : roles) {
      const forward = await roleForward(mail, {
        role: r.role,
        domain: this.primaryDomain,
        deliverTo: r.deliverTo,
        envelopeFrom: input.envelopeFrom,
        proof: input.proof,
        content: { ...this.#options.filters, keepEmailDomains: this.#options.domains, bannedWords: this.#banned.wordsFor(0) },
        messageId: newRelayMessageId(this.primaryDomain),
        now: new Date(),
      });
      if (isRefusal(forward)) return forward;
      roleMail.push({ mail: forward.message, kind: 'notice', envFrom: '', envTo: r.deliverTo });
    }
    const handleBounces = async () => {
      for (const b of bounces) await this.#bounceHandler.handle(mail, b.outboxId, input.log);
      for (const u of unsubscribes) this.#unsubscribe?.handle(u.token);
    };
    const forwardRoleMail = async (): Promise<readonly number[]> => (await this.#outbox.post(roleMail)).outboxIds;
    if (resolved.length === 0) {
      if (dryRun) return { messages: [] };
      const outboxIds = await forwardRoleMail();
      await handleBounces();
      return { messageIds: [], outboxIds };
    }

    // Looked up once per recipient and shared by decide and rewrite.
    const cited = [...mail.inReplyTo, ...mail.references];
    const decided: {
      r: ResolvedRecipient & { identity: Identity };
      findings: readonly Finding[];
      critical: boolean;
      criticalToOptedOut: boolean;
      suspicious: boolean;
      content: ContentRules;
      senders: readonly PermittedSenderFacts[];
      mappings: readonly IdMapping[];
    }[] = [];
    for (const r of resolved) {
      const id = r.identity;
      const content = this.#contentRules(id.store.id);
      const senders = this.#stores.senders(id.store.id);
      const mappings = id.pair ? this.#messages.idMappings(id.pair.id, cited) : [];
      let rules;
      if (id.direction === 'store_to_buyer') {
        const now = Date.now();
        rules = {
          now,
          policy: this.#stores.policy(id.store.id),
          optedOut: id.pair.optedOut,
          repliesToBuyerAt: latestCited(cited, 'buyer', mappings),
          orders: this.#orders.summariesForPair(id.pair.id),
          // Campaigns keep their own rate; the per-store and per-pair counts do not apply to them.
          ...(input.campaign
            ? { lastBuyerMessageAt: null, criticalToOptedOutLastDay: 0, storeSentLastHour: 0, pairSentLastDay: 0 }
            : this.#stats.forSend(id.store.id, id.pair.id, now)),
          // Campaign rules only with the campaign's handover (its unsubscribe headers and ledger).
          campaign: input.campaign?.recipient,
        };
      }
      const decision = decide(mail, { identity: id, proof: input.proof, permittedSenders: senders, rules, content });
      // One reply answers the whole DATA, so one refused recipient refuses the message: the
      // sender's own server bounces it, and nothing is half-delivered.
      if (decision.verdict === 'reject') return decision.refusal;
      decided.push({
        r,
        findings: decision.findings,
        critical: decision.critical,
        criticalToOptedOut: decision.criticalToOptedOut,
        suspicious: decision.suspicious,
        content,
        senders,
        mappings,
      });
    }

    const prepared: {
      pairId: number;
      identity: Identity;
      relayId: string;
      findings: readonly Finding[];
      changes: readonly Change[];
      bytes: Uint8Array;
      snippet: string;
      searchText: string;
      subject: string;
      buyerName: string;
      category: Category;
      envTo: string;
      envFrom: string;
      critical: boolean;
      criticalToOptedOut: boolean;
      suspicious: boolean;
    }[] = [];
    const previews: { message: OutgoingMail; changes: readonly Change[] }[] = [];
    const categoryRules = this.#categoryRules.list();
    for (const { r, findings, critical, criticalToOptedOut, suspicious, content, senders, mappings } of decided) {
      const id = r.identity;
      let pair = id.pair;
      let buyer = id.buyer;
      if (!pair || !buyer) {
        // A visitor's pair is the one row made before the commit: never for a preview.
        if (dryRun) return refusal('UNKNOWN_ALIAS');
        const visitorName = mail.from?.name ?? '';
        const { view } = this.#pairs.ensure(id.store.id, id.senderEmail, visitorName, 'visitor');
        pair = view.pair;
        buyer = view.buyer;
      }
      const from = id.direction === 'buyer_to_store' ? 'buyer' : 'store';
      const threading = translateThreading(mail.inReplyTo, mail.references, from, mappings);
      const hide =
        id.direction === 'buyer_to_store'
          ? { addresses: [id.senderEmail, buyer.email, mail.from?.address ?? '', mail.sender?.address ?? '', input.envelopeFrom], names: [] }
          : {
              addresses: [
                id.senderEmail,
                id.store.mailbox,
                mail.from?.address ?? '',
                mail.sender?.address ?? '',
                input.envelopeFrom,
                ...senders.map((s) => s.email),
              ],
              names: [mail.from?.name ?? '', mail.sender?.name ?? ''].filter(Boolean),
              // A full staff name ("John Smith", "Smith, John"), from From: or from Sender: for
              // "on behalf of" mail, is hidden everywhere; a first name alone is a choice.
              fullNames: [mail.from?.name ?? '', mail.sender?.name ?? ''].filter((n) => /\S[\s,]+\S/.test(n)),
            };
      const relayId = newRelayMessageId(this.primaryDomain);
      const alias = this.aliasAddress(pair.token);
      // Rewrite, the campaign's parts and compose run on a worker thread (plain data in and out).
      const {
        message,
        changes,
        bytes: composed,
      } = await this.#work.prepare({
        mail,
        ctx: {
          direction: id.direction,
          aliasAddress: alias,
          store: id.store,
          buyer: { name: buyer.name, email: buyer.email },
          hide,
          messageId: relayId,
          threading,
          now: new Date(),
          content,
        },
        campaign: input.campaign ? { headers: input.campaign.headers, footer: input.campaign.footer } : null,
        compose: !dryRun,
      });
      if (dryRun) {
        previews.push({ message, changes });
        continue;
      }
      if (!composed) throw new Error('the message was not composed');
      const bytes = composed;
      // The envelope comes from our database, never from headers of the incoming mail.
      const envTo = id.direction === 'buyer_to_store' ? id.store.mailbox : buyer.email;
      const flat = (message.text ?? '').slice(0, 20_000).replace(/\s+/g, ' ').trim();
      prepared.push({
        pairId: pair.id,
        identity: id,
        relayId,
        findings,
        changes,
        bytes,
        snippet: flat.slice(0, 200),
        searchText: flat,
        // The subject as delivered (masked), like the snippet: the stored copy staff see.
        subject: message.subject,
        buyerName: buyer.name,
        category: categorize(categoryRules, { direction: id.direction, subject: mail.subject, sender: id.senderEmail }),
        envTo,
        envFrom: alias,
        critical,
        criticalToOptedOut,
        suspicious,
      });
    }

    if (dryRun) return { messages: previews };

    const now = Date.now();
    const autoSubmitted = isAutoSubmitted(mail.headers);
    // A campaign message has no client waiting on it: it joins a larger, cheaper commit. The
    // outbox entry signs (DKIM last, on the exact bytes stored and sent) and wakes the worker.
    const result = await this.#outbox.post(
      prepared.map((p) => ({
        mail: p.bytes,
        kind: 'relay',
        envFrom: p.envFrom,
        envTo: p.envTo,
        atMostOnce: input.campaign !== undefined,
        record: () => {
          const messageId = this.#messages.insert({
            pairId: p.pairId,
            storeId: p.identity.store.id,
            critical: p.critical,
            criticalToOptedOut: p.criticalToOptedOut,
            suspicious: p.suspicious,
            snippet: p.snippet,
            searchText: p.searchText,
            category: p.category,
            buyerName: p.buyerName,
            autoSubmitted,
            direction: p.identity.direction,
            source: input.source,
            authorEmail: p.identity.senderEmail,
            permittedSenderId: p.identity.direction === 'store_to_buyer' ? p.identity.sender.id : null,
            subject: p.subject,
            originalMessageId: mail.messageId,
            relayMessageId: p.relayId,
            verdict: 'accept',
            findings: p.findings,
            changes: p.changes,
            raw: input.raw,
            receivedAt: now,
            campaignRecipientId: input.campaign?.recipientId ?? null,
          });
          this.#events.messageReceived(messageId, now);
          return messageId;
        },
        recorded: (messageId, outboxId) => input.campaign?.onCommit(messageId as number, outboxId),
      })),
      { batched: input.campaign !== undefined, now },
    );
    // Bounces sharing the transaction take effect only once the message itself was accepted.
    await handleBounces();
    const roleIds = await forwardRoleMail();
    return roleIds.length ? { ...result, outboxIds: [...result.outboxIds, ...roleIds] } : result;
  }
}
