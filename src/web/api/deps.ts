// Owns what the API routes are handed: the storage ports and the relay domains. No globals.
import type { DnsResolver } from '../../dns/resolver.js';
import type { CampaignService } from '../../campaigns/service.js';
import type { CampaignSender, NoticeQueue } from '../../campaigns/sender.js';
import type { Logger } from 'pino';
import type { Relay } from '../../relay/pipeline.js';
import type { CampaignStore, InboxStore, MailStore, MarketStore, OutboxQueue, SettingsStore, Storage, WebhookStore } from '../../store/ports.js';

/**
 * What the API's core routes are handed (stores, permitted senders, orders, pairs: the routes a
 * PostgreSQL node serves too): the storage ports only, so one route works on both databases.
 */
export interface CoreApiDeps {
  readonly domains: readonly string[];
  /** The first relay domain: aliases and store addresses are shown on it. */
  readonly domain: string;
  readonly resolver: DnsResolver;
  readonly mail: MailStore;
  readonly market: MarketStore;
  /** Banned words (/banned-words). */
  readonly settings: SettingsStore;
  /** Webhook endpoints and the events feed (/webhooks, /events). */
  readonly webhooks: WebhookStore;
  /** Conversations read back, the report and erasure (src/store/inbox-ports.ts). */
  readonly inbox: InboxStore;
  /** The delivered bytes of a message (the outbox row's: what its recipient got, masked). */
  readonly deliveries: Pick<OutboxQueue, 'raw'>;
}

/** The core and what sending a message needs: the pipeline every message goes through. */
export interface MessageApiDeps extends CoreApiDeps {
  readonly relay: Relay;
  readonly log: Logger;
}

/** Everything the API's routes are handed: the core, the pipeline and the campaigns (web/app.ts apiRoutes). */
export interface ApiDeps extends MessageApiDeps {
  readonly campaigns: CampaignDeps;
}

/** Campaigns: the campaign port (drafts, the ledger's progress, the audience, prospects and credits), and what staff may do. */
export interface CampaignDeps {
  readonly store: CampaignStore;
  readonly service: CampaignService;
  readonly sender: CampaignSender;
  /** Queues a plain notice (the admin's test email). */
  readonly notice: NoticeQueue;
}

/** The ports the core routes use, from any storage. */
export type CorePorts = Pick<Storage, 'mail' | 'market' | 'settings' | 'webhooks' | 'inbox' | 'outbox'>;

export function coreApiDeps(storage: CorePorts, domains: readonly string[], resolver: DnsResolver): CoreApiDeps {
  return {
    domains,
    domain: domains[0] as string,
    resolver,
    mail: storage.mail,
    market: storage.market,
    settings: storage.settings,
    webhooks: storage.webhooks,
    inbox: storage.inbox,
    deliveries: storage.outbox,
  };
}
