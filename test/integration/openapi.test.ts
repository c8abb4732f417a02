// The API describes itself: the OpenAPI 3.1 document is generated from the zod schemas the routes
// validate with, names every route the app serves, its example requests pass those schemas, and a
// well-kept OpenAPI validator accepts it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/db.js';
import { API_OPERATIONS, openApiDocument } from '../../src/web/api/openapi.js';
import { createHttpApp } from '../../src/web/app.js';
import { startHarness, type Harness } from '../helpers/gateway.js';

let dir: string;
let db: Db;
let h: Harness;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'maskgate-openapi-'));
  db = openDb(dir);
  h = await startHarness({}, { sink: false });
});
afterAll(async () => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
  await h.close();
});

describe('GET /api/v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, served without a token', async () => {
    const res = await fetch(`http://127.0.0.1:${h.gw.httpPort}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('names every route the app serves under /api/v1, and nothing it does not serve', () => {
    // The app is only built, never started: the route table is all this reads.
    const app = createHttpApp({
      db,
      domains: ['relay.localhost'],
      hostname: 'mx.test',
      trustedProxies: [],
      campaigns: {},
      publicUrl: () => '',
      submission: () => null,
      log: pino({ level: 'silent' }),
    } as never);
    const served = new Set(
      app.routes
        .filter((r) => r.path.startsWith('/api/v1/') && r.method !== 'ALL' && r.path !== '/api/v1/openapi.json')
        .map((r) => `${r.method} ${r.path.slice('/api/v1'.length).replace(/:(\w+)/g, '{$1}')}`),
    );
    const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const described = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
    expect([...described].sort()).toEqual([...served].sort());
  });

  it('gives an example for every JSON body, and each passes the schema the route validates with', () => {
    for (const op of API_OPERATIONS.filter((o) => o.body)) {
      expect(op.example, `${op.method} ${op.path} has an example`).toBeDefined();
      const parsed = op.body!.safeParse(op.example);
      expect(parsed.success, `${op.method} ${op.path}: ${parsed.error?.message}`).toBe(true);
    }
    // And the document carries them, so a reader can copy one.
    const doc = openApiDocument() as any;
    expect(doc.paths['/orders'].post.requestBody.content['application/json'].example.number).toBe('A-1001');
    expect(doc.paths['/webhooks'].post.requestBody.content['application/json'].schema).toBeDefined();
  });
});
