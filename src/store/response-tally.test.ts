// The one generator of the response-summary shape (response-tally.ts) writes, for SQLite, exactly
// the triggers migrations 011 (response_daily) and 017 (response_blocks) created: so PostgreSQL's
// schema 005, built from the same generator, keeps the same sums, and a later change to the shape
// is made once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from './db.js';
import { BLOCK_SPANS as SPANS_017 } from './migrations/017-report-blocks.js';
import { BLOCK_SPANS, TALLY_TARGETS, tallySql, type TallyTarget } from './response-tally.js';

let dir: string;
let db: Db;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mg-tally-'));
  db = openDb(dir);
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A trigger's statements (between BEGIN and END), whitespace collapsed. */
function body(name: string): string {
  const row = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?").get(name) as { sql: string } | undefined;
  if (!row) throw new Error(`no trigger ${name}`);
  const m = /\bBEGIN\b([\s\S]*)\bEND$/.exec(row.sql.trim());
  return squash(m?.[1] ?? '');
}
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
const gen = (targets: readonly TallyTarget[], parts: ['NEW' | 'OLD', 1 | -1][]) =>
  squash(parts.flatMap(([row, sign]) => targets.map((t) => tallySql('sqlite', row, sign, t))).join('\n'));

describe('the response tally generator', () => {
  it('has the block spans of migration 017', () => {
    expect(BLOCK_SPANS).toEqual(SPANS_017);
  });

  const daily = TALLY_TARGETS.filter((t) => t.table === 'response_daily');
  const blocks = TALLY_TARGETS.filter((t) => t.table === 'response_blocks');
  const cases: [string, readonly TallyTarget[], ['NEW' | 'OLD', 1 | -1][]][] = [
    ['response_daily_add', daily, [['NEW', 1]]],
    [
      'response_daily_change',
      daily,
      [
        ['OLD', -1],
        ['NEW', 1],
      ],
    ],
    ['response_daily_remove', daily, [['OLD', -1]]],
    ['response_blocks_add', blocks, [['NEW', 1]]],
    [
      'response_blocks_change',
      blocks,
      [
        ['OLD', -1],
        ['NEW', 1],
      ],
    ],
    ['response_blocks_remove', blocks, [['OLD', -1]]],
  ];
  for (const [trigger, targets, parts] of cases) {
    it(`writes the statements of SQLite's trigger ${trigger}`, () => {
      expect(gen(targets, parts)).toBe(body(trigger));
    });
  }
});
