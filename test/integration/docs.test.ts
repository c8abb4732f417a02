// Keeps the documentation in step with the code: every verdict, config key and env variable.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARS } from '../../src/config.js';
import { renderConfigReference } from '../../src/config-reference.js';
import { PART_TABLE } from '../../src/core/masking/part-table.js';
import { VERDICTS } from '../../src/core/verdicts.js';

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');

function leafKeys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k));
}

describe('docs', () => {
  it('docs/masking.md lists exactly the content-type table, one line per type, with its handler', () => {
    const rows = [...read('docs/masking.md').matchAll(/^\| `([a-z0-9.+/-]+)` \| ([a-z]+) \|/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(PART_TABLE.map((r) => [r.type, r.kind]));
  });

  it('docs/verdicts.md lists exactly the catalogue, with the same SMTP and HTTP codes', () => {
    const rows = [...read('docs/verdicts.md').matchAll(/^\| `([A-Z_]+)` \| (\d{3}) (\d\.\d\.\d+) \| (\d{3}) \|/gm)];
    const documented = Object.fromEntries(rows.map((m) => [m[1], { smtp: [Number(m[2]), m[3]], http: Number(m[4]) }]));
    const catalogue = Object.fromEntries(Object.entries(VERDICTS).map(([k, v]) => [k, { smtp: [...v.smtp], http: v.http }]));
    expect(documented).toEqual(catalogue);
  });

  it('docs/config.md is the reference generated from the config schema (npm run docs:config)', () => {
    expect(read('docs/config.md'), 'docs/config.md is stale: run npm run docs:config').toBe(renderConfigReference());
  });

  it('docs/config.md explains every key of config/default.json and every environment variable', () => {
    const doc = read('docs/config.md');
    for (const key of leafKeys(JSON.parse(read('config/default.json')))) expect(doc, key).toContain(`\`${key}\``);
    // The environment table maps each variable onto the key it sets, and nothing else.
    const envRows = [...doc.split('## Environment variables')[1]!.matchAll(/^\| `(MASKGATE_[A-Z_]+)` \| `([a-zA-Z.]+)`/gm)];
    const documented = Object.fromEntries(envRows.map((m) => [m[1], m[2]]));
    expect(documented).toEqual(Object.fromEntries(Object.entries(ENV_VARS).map(([name, spec]) => [name, spec.key])));
  });

  it('docs/events.md lists every event name the source logs', () => {
    const doc = read('docs/events.md');
    const files = readdirSync(new URL('../../src', import.meta.url), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => `src/${f}`);
    const events = new Set(files.flatMap((f) => [...read(f).matchAll(/event: '([a-z]+\.[a-z-]+)'/g)].map((m) => m[1] as string)));
    expect(events.size).toBeGreaterThan(8);
    for (const e of events) expect(doc, e).toContain(`\`${e}\``);
  });
});
