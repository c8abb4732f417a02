// Owns the ordered list of schema migrations. Append only: a released migration never changes.
// Each one needs its PostgreSQL twin in src/store/pg/migrate.ts: `maskgate migrate-to-postgres`
// (and its test) refuses a PostgreSQL schema that lacks a table or column the SQLite one has, and
// test/integration/pg-schema-drift.test.ts fails on any table, column, type, NOT NULL, primary key
// or trigger-kept table one side has and the other lacks. A new trigger-kept table needs its
// PL/pgSQL twin too (see pg/005-derived.ts) and a case in test/integration/pg-derived-tables.test.ts.
import { sql as initial } from './001-initial.js';
import { sql as admin } from './002-admin.js';
import { sql as campaigns } from './003-campaigns.js';
import { sql as prospects } from './004-prospects.js';
import { sql as storeItems } from './005-store-items.js';
import { sql as bounceReports } from './006-bounce-reports.js';
import { sql as trustWeb } from './007-trust-web.js';
import { sql as responseClocks } from './011-response-clocks.js';
import { sql as conversations } from './012-conversations.js';
import { sql as eventsWebhooks } from './013-events-webhooks.js';
import { sql as outboxLease } from './014-outbox-lease.js';
import { sql as inboxIndexes } from './015-inbox-indexes.js';
import { sql as leases } from './016-leases.js';
import { sql as reportBlocks } from './017-report-blocks.js';
import { sql as filesInCode } from './023-files-in-code.js';
import { sql as unusedIndexes } from './024-unused-indexes.js';
import { sql as sharedBodies } from './025-shared-bodies.js';
import { sql as undeliverableReason } from './026-undeliverable-reason.js';
import { sql as bodyPieces } from './027-body-pieces.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'admin', sql: admin },
  { version: 3, name: 'campaigns', sql: campaigns },
  { version: 4, name: 'prospects', sql: prospects },
  { version: 5, name: 'store-items', sql: storeItems },
  { version: 6, name: 'bounce-reports', sql: bounceReports },
  { version: 7, name: 'trust-web', sql: trustWeb },
  { version: 11, name: 'response-clocks', sql: responseClocks },
  { version: 12, name: 'conversations', sql: conversations },
  { version: 13, name: 'events-webhooks', sql: eventsWebhooks },
  { version: 14, name: 'outbox-lease', sql: outboxLease },
  { version: 15, name: 'inbox-indexes', sql: inboxIndexes },
  { version: 16, name: 'leases', sql: leases },
  { version: 17, name: 'report-blocks', sql: reportBlocks },
  { version: 23, name: 'files-in-code', sql: filesInCode },
  { version: 24, name: 'unused-indexes', sql: unusedIndexes },
  { version: 25, name: 'shared-bodies', sql: sharedBodies },
  { version: 26, name: 'undeliverable-reason', sql: undeliverableReason },
  { version: 27, name: 'body-pieces', sql: bodyPieces },
];
