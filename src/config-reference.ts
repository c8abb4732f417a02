// Owns docs/config.md: the configuration reference, rendered from the config schema (keys, types,
// limits, meanings), the embedded defaults and the environment variables. `npm run docs:config`
// writes it; a test fails when the file and this rendering differ.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ENV_VARS } from './config.js';
import { configSchema } from './config-schema.js';

const INTRO = `# Configuration

<!-- Generated from src/config-schema.ts by \`npm run docs:config\`; edit the schema, not this file. -->

maskgate reads \`config/default.json\` (the embedded defaults below), then the JSON file named by
\`MASKGATE_CONFIG\` (only the keys you want to change; see \`config/example.production.json\`), then
the environment variables. The result is validated once; an invalid value stops the start with
one line naming the key, e.g. \`maskgate: invalid config: smtp.port: Too big: expected number to be <=65535\`.
Check a configuration without starting: \`npx maskgate config check\`.
`;

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  minItems?: number;
};

/** A short human name for a leaf's type and limits, e.g. `integer 0–65535 or null`. */
function typeOf(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(typeOf).join(' or ');
  if (Array.isArray(s.type)) return s.type.map((type) => typeOf({ ...s, type })).join(' or ');
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  switch (s.type) {
    case 'integer':
    case 'number': {
      const name = s.type === 'integer' ? 'integer' : 'number';
      if (s.exclusiveMinimum !== undefined) return `${name} > ${s.exclusiveMinimum}`;
      if (s.minimum !== undefined && s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER) return `${name} ${s.minimum}–${s.maximum}`;
      if (s.minimum !== undefined) return `${name} ≥ ${s.minimum}`;
      return name;
    }
    case 'array':
      return `list of ${
        s.items
          ? typeOf(s.items)
              .replace(/^string$/, 'strings')
              .replace(/^number > 0$/, 'numbers > 0')
          : 'values'
      }`;
    case 'object':
      return 'object';
    case 'null':
      return 'null';
    default:
      return s.type ?? 'any';
  }
}

interface Leaf {
  readonly key: string;
  readonly schema: z.ZodType;
}

function leaves(schema: z.ZodType, prefix = ''): Leaf[] {
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
  }
  return [{ key: prefix, schema }];
}

function valueAt(root: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((node, k) => (node as Record<string, unknown> | undefined)?.[k], root);
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const defaultsPath = ['../config/default.json', '../../config/default.json'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));

/** The whole of docs/config.md. */
export function renderConfigReference(): string {
  const defaults: unknown = JSON.parse(readFileSync(defaultsPath.find((p) => readable(p)) as string, 'utf8'));
  const rows = leaves(configSchema).map(({ key, schema }) => {
    const meaning = schema.description;
    if (!meaning) throw new Error(`config key ${key} has no description in src/config-schema.ts`);
    const type = typeOf(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
    const value = valueAt(defaults, key);
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    return `| \`${key}\` | \`${cell(shown)}\` | ${type} | ${meaning} |`;
  });
  const env = Object.entries(ENV_VARS).map(([name, { key, kind }]) => {
    const how = kind === 'list' ? ' (comma-separated)' : kind.startsWith('nullable') ? ' (empty: null)' : '';
    return `| \`${name}\` | \`${key}\`${how} |`;
  });
  return [
    INTRO,
    '| key | default | type | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
    '## Environment variables',
    '',
    '| variable | sets |',
    '|---|---|',
    '| `MASKGATE_CONFIG` | path of a JSON file merged over the defaults |',
    ...env,
    '',
  ].join('\n');
}

function readable(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}
