// Owns the ordered list of schema migrations. Append only: a released migration never changes.
import { sql as initial } from './001-initial.js';
import { sql as admin } from './002-admin.js';
import { sql as campaigns } from './003-campaigns.js';
import { sql as prospects } from './004-prospects.js';
import { sql as storeItems } from './005-store-items.js';
import { sql as conversations } from './012-conversations.js';

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
  { version: 12, name: 'conversations', sql: conversations },
];
