// Owns starting campaigns on a node, the same on SQLite and PostgreSQL: the unsubscribe secret from
// the database, the unsubscribe handler (page, one-click, mailto:) given to the relay, the sender and
// the service staff act through, and the sender as a leased job (one node at a time runs scheduled
// starts and sends; another takes over when it dies).
import type { Logger } from 'pino';
import { CampaignSender, type NoticeQueue } from '../campaigns/sender.js';
import { CampaignService } from '../campaigns/service.js';
import { loadUnsubscribeSecret, UnsubscribeTokens } from '../campaigns/unsubscribe-token.js';
import { Unsubscribes } from '../campaigns/unsubscribe.js';
import type { AppConfig } from '../config.js';
import type { Metrics } from '../metrics.js';
import type { Relay } from '../relay/pipeline.js';
import type { Storage } from '../store/ports.js';
import { JOB_LEASE_MS, LeasedJob } from './leased-job.js';

export interface Campaigns {
  readonly campaigns: CampaignSender;
  readonly unsubscribes: Unsubscribes;
  readonly service: CampaignService;
}

/** The campaign module over the storage ports; the relay learns the unsubscribe addresses. */
export async function startCampaigns(
  config: AppConfig,
  storage: Storage,
  relay: Relay,
  notice: NoticeQueue,
  publicUrl: () => string,
  node: string,
  log: Logger,
  metrics?: Metrics,
): Promise<Campaigns> {
  const tokens = new UnsubscribeTokens(await loadUnsubscribeSecret(storage.secrets));
  const clog = log.child({ component: 'campaigns' });
  const unsubscribes = new Unsubscribes(tokens, storage.campaigns, clog);
  relay.setUnsubscribeHandler(unsubscribes);
  const campaigns = new CampaignSender(
    storage,
    relay,
    tokens,
    {
      ratePerSecond: config.campaigns.ratePerSecond,
      repeatDays: config.campaigns.repeatDays,
      lateAfterMs: config.campaigns.lateAfterHours * 3_600_000,
      maxQueued: config.campaigns.maxQueued,
      pollIntervalMs: config.campaigns.pollIntervalMs,
      publicUrl,
      domain: config.domains[0] as string,
      nodeId: node,
      claimLeaseMs: config.campaigns.leaseSeconds * 1000,
    },
    notice,
    clog,
    metrics,
  );
  return { campaigns, unsubscribes, service: new CampaignService(storage.campaigns, campaigns) };
}

/** The sender under the `campaigns` job lease (at most a minute, or campaigns.leaseSeconds when shorter). */
export function campaignLeasedJob(storage: Pick<Storage, 'leases'>, config: AppConfig, node: string, sender: CampaignSender, jobLog: Logger): LeasedJob {
  return new LeasedJob(storage.leases, 'campaigns', node, sender, jobLog, Math.min(JOB_LEASE_MS, config.campaigns.leaseSeconds * 1000));
}
