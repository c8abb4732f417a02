// Secrets, the DKIM key and settings on PostgreSQL: created with INSERT … ON CONFLICT DO NOTHING and
// read back, so nodes racing on first use all get the one value that was stored.
import { randomBytes } from 'node:crypto';
import type { SecretStore } from '../ports.js';
import { dkimSettingKey, newDkimKeyPem } from '../sqlite/storage.js';
import type { PgScope } from './db.js';

export function pgSecrets(s: PgScope): SecretStore {
  const get = async (key: string) => (await s.q.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key])).rows[0]?.value ?? null;
  const putOnce = async (key: string, value: string) => {
    await s.q.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value]);
    return (await get(key)) as string;
  };
  return {
    async secret(name) {
      const have = await get(name);
      return Buffer.from(have ?? (await putOnce(name, randomBytes(32).toString('hex'))), 'hex');
    },
    async dkimKey(domain, selector, imported) {
      const key = dkimSettingKey(domain, selector);
      return (await get(key)) ?? (await putOnce(key, imported ?? newDkimKeyPem()));
    },
    getSetting: get,
    async setSetting(key, value) {
      await s.q.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
    },
  };
}
