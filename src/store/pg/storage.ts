// The PostgreSQL adapter of the storage ports (src/store/ports.ts), for several nodes on one
// database: node-postgres pool, schema migrated at open (under an advisory lock), a unit of work is
// one pooled connection in BEGIN … COMMIT.
import type pg from 'pg';
import type { Repositories, Storage } from '../ports.js';
import { openPool, poolScope, transaction, txScope, type PgScope } from './db.js';
import { pgBounces } from './bounces.js';
import { pgLedger } from './ledger.js';
import { pgLeases } from './leases.js';
import { pgMail } from './mail.js';
import { pgMarket } from './market.js';
import { pgAdmin } from './admin.js';
import { pgInbox } from './inbox.js';
import { pgCampaigns } from './campaigns.js';
import { pgImports } from './imports.js';
import { migratePg } from './migrate.js';
import { pgOutbox } from './outbox.js';
import { pgRecords } from './records.js';
import { pgRetention } from './retention.js';
import { pgSecrets } from './secrets.js';
import { pgSessions } from './sessions.js';
import { pgSettings } from './settings.js';
import { pgWebhooks } from './webhooks.js';
import { pgNotifications } from './notifications.js';
import { pgTemplates } from './templates.js';
import { pgTags } from './tags.js';

export interface PgStorageOptions {
  /** Admin session lifetime (ms), sliding. */
  readonly sessionTtlMs: number;
  /** Pool size (connections to the server); 10 unless set. */
  readonly poolSize?: number;
}

function repositories(s: PgScope, o: PgStorageOptions): Repositories {
  return {
    outbox: pgOutbox(s),
    ledger: pgLedger(s),
    secrets: pgSecrets(s),
    leases: pgLeases(s),
    sessions: pgSessions(s, o.sessionTtlMs),
    records: pgRecords(s),
    bounces: pgBounces(s),
    retention: pgRetention(s),
    mail: pgMail(s),
    market: pgMarket(s),
    admin: pgAdmin(s),
    settings: pgSettings(s),
    webhooks: pgWebhooks(s),
    notifications: pgNotifications(s),
    templates: pgTemplates(s),
    tags: pgTags(s),
    inbox: pgInbox(s),
    campaigns: pgCampaigns(s),
    imports: pgImports(s),
  };
}

/** Connects to `url` (postgres://user:pass@host:port/db), brings its schema up to date, returns the ports. */
export async function openPgStorage(url: string, o: PgStorageOptions): Promise<Storage & { readonly pool: pg.Pool }> {
  const pool = openPool(url, o.poolSize);
  try {
    await migratePg(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return {
    kind: 'postgres',
    pool,
    ...repositories(poolScope(pool), o),
    write: (fn) => transaction(pool, (client) => fn(repositories(txScope(client), o))),
    close: () => pool.end(),
  };
}
