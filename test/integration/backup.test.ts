// A backup taken with `maskgate backup` while the gateway accepts mail holds every message that
// got its 250 before the backup began; `maskgate restore` brings it back into an empty data dir.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { buildMessage, SmtpClient } from '../helpers/smtp-client.js';

const root = new URL('../../', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'maskgate-backup-'));
const cli = (dataDir: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: root,
    env: { ...process.env, MASKGATE_DATA_DIR: dataDir, MASKGATE_CONFIG: '' },
    encoding: 'utf8',
  });

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
  rmSync(work, { recursive: true, force: true });
});

describe('backup and restore', () => {
  it('backs up under load and restores every message acknowledged before the backup began', async () => {
    const pair = await seedPair(h);
    const acked: number[] = [];
    let stop = false;
    // Four clients keep sending while the backup runs.
    const load = Promise.all(
      [0, 1, 2, 3].map(async (k) => {
        const c = await SmtpClient.connect(h.gw.smtpPort);
        for (let i = 0; !stop && i < 400; i++) {
          const r = await c.send(
            'jane@buyer.example',
            [pair.address],
            buildMessage({ from: 'jane@buyer.example', to: pair.address, subject: `load ${k}-${i}`, body: 'x'.repeat(2000) }),
          );
          const id = /queued as (\d+)/.exec(r.reply.text)?.[1];
          if (r.reply.code === 250 && id) acked.push(Number(id));
        }
        await c.quit();
      }),
    );
    while (acked.length < 40) await new Promise((r) => setTimeout(r, 20));
    const before = [...acked];
    const file = join(work, 'maskgate-backup.sqlite');
    const b = cli(h.dataDir, 'backup', file);
    expect(b.stderr).toBe('');
    expect(b.status).toBe(0);
    // The DKIM key is a row in the database now (no key file on a new installation): the line says
    // the key is in the backup, not "0 key file(s)", which read as if it were missing.
    expect(b.stdout).toMatch(/^backup written to .*: \d+ messages and the DKIM key \(in the database\)\n$/);
    stop = true;
    await load;
    expect(acked.length).toBeGreaterThan(before.length); // the gateway kept accepting during the backup

    const restored = join(work, 'restored');
    const r = cli(restored, 'restore', file);
    expect(r.status).toBe(0);
    const db = openDb(restored);
    try {
      const ids = new Set((db.prepare('SELECT id FROM messages').all() as { id: number }[]).map((row) => row.id));
      for (const id of before) expect(ids.has(id), `message ${id}`).toBe(true);
      // The DKIM key came back with it, unchanged.
      const key = "SELECT value FROM settings WHERE key = 'dkim_key:relay.localhost:maskgate'";
      const live = openDb(h.dataDir);
      try {
        expect((db.prepare(key).get() as { value: string }).value).toBe((live.prepare(key).get() as { value: string }).value);
      } finally {
        live.close();
      }
      const raw = db.prepare('SELECT raw FROM message_bodies WHERE message_id = ?').get(before[0]) as { raw: Buffer };
      expect(raw.raw.toString()).toContain('Subject: load');
      expect((db.prepare('SELECT count(*) AS n FROM outbox WHERE message_id IN (SELECT id FROM messages)').get() as { n: number }).n).toBeGreaterThanOrEqual(
        before.length,
      );
    } finally {
      db.close();
    }
    // Restoring over an existing database is refused.
    const again = cli(restored, 'restore', file);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already holds a database');
    // 40 messages and more under load, then three CLI starts with tsx: beside 3 busy loops 34 s at load
    // ~20 (over the 30 s default), 52–70 s at load 25–30.
  }, 120_000);
});
