// Owns the admin's API reference page: the OpenAPI document rendered on the server, for anyone
// signed in (it describes the API; it holds no data).
import { Hono } from 'hono';
import { findAddresses } from '../../core/masking/address-finder.js';
import { ApiReferencePage, type ReferenceOperation } from '../../../views/api-reference.js';
import { openApiDocument } from '../api/openapi.js';
import { frameOf, type AdminEnv } from './session.js';

interface DocOperation {
  tags?: string[];
  summary?: string;
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema?: unknown; example?: unknown }> };
}

function operations(): ReferenceOperation[] {
  const doc = openApiDocument() as { paths: Record<string, Record<string, DocOperation>>; components?: { schemas?: Record<string, unknown> } };
  const list: ReferenceOperation[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const [bodyType, body] = Object.entries(op.requestBody?.content ?? {})[0] ?? [null, null];
      list.push({
        method: method.toUpperCase(),
        path: `/api/v1${path}`,
        tag: op.tags?.[0] ?? 'other',
        summary: op.summary ?? '',
        parameters: (op.parameters ?? []).map((p) => ({ name: p.name, in: p.in, required: p.required === true })),
        bodyType,
        bodySchema: body?.schema ?? null,
        example: body?.example,
      });
    }
  }
  return list;
}

export function apiReferenceRoutes(): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.get('/api-reference', (c) => {
    const list = operations();
    // The examples' addresses are shown as written (display-scrub.ts keeps those on domains reserved
    // for documentation); the frame around them is scrubbed as on every page.
    const shown = JSON.stringify(list.map((o) => [o.bodySchema, o.example]));
    c.set('documentedAddresses', [...new Set(findAddresses(shown).map((a) => shown.slice(a.start, a.end)))]);
    return c.html(<ApiReferencePage {...frameOf(c)} operations={list} />);
  });
  return app;
}
