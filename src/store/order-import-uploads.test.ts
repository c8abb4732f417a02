// The order file kept between the admin's preview and its import: found by its token for its user
// only, taken once, gone after an hour, at most three per user.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from './db.js';
import { OrderImportUploads, UPLOAD_TTL_MS } from './order-import-uploads.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mg-uploads-'));
  db = openDb(dir);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : null);

describe('order import uploads', () => {
  it('hands the bytes and store back once, to the user who kept them, and stores only the hash of the token', () => {
    const uploads = new OrderImportUploads(db);
    const token = uploads.keep(7, 3, 'orders.csv', bytes('number\nA-1\n'), 1_000);
    expect(db.prepare('SELECT count(*) FROM order_import_uploads WHERE token_hash = ?').pluck().get(token)).toBe(0);
    expect(uploads.take(token, 8, 2_000)).toBeNull();
    const got = uploads.take(token, 7, 2_000);
    expect({ ...got, bytes: text(got?.bytes) }).toEqual({ storeId: 3, fileName: 'orders.csv', bytes: 'number\nA-1\n' });
    expect(uploads.take(token, 7, 2_000)).toBeNull();
    expect(uploads.take('not a token', 7, 2_000)).toBeNull();
  });

  it('forgets an upload after an hour, and removes the expired ones of everybody at the next upload', () => {
    const uploads = new OrderImportUploads(db);
    const late = uploads.keep(1, 1, 'a.csv', bytes('a'), 0);
    uploads.keep(2, 1, 'b.csv', bytes('b'), 0);
    expect(uploads.take(late, 1, UPLOAD_TTL_MS)).toBeNull();
    expect(uploads.count()).toBe(1);
    const fresh = uploads.keep(3, 1, 'c.csv', bytes('c'), UPLOAD_TTL_MS + 1);
    expect(uploads.count()).toBe(1);
    expect(text(uploads.take(fresh, 3, UPLOAD_TTL_MS + 2)?.bytes)).toBe('c');
  });

  it('keeps at most three uploads per user, dropping the oldest', () => {
    const uploads = new OrderImportUploads(db);
    const tokens = [1, 2, 3, 4].map((i) => uploads.keep(5, 1, `${i}.csv`, bytes(String(i)), i));
    uploads.keep(6, 1, 'other.csv', bytes('x'), 5);
    expect(uploads.count()).toBe(4);
    expect(uploads.take(tokens[0]!, 5, 10)).toBeNull();
    expect(tokens.slice(1).map((t) => text(uploads.take(t, 5, 10)?.bytes))).toEqual(['2', '3', '4']);
  });
});
