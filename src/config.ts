// Owns the one validated, frozen configuration object: config/default.json, then the file named by
// MASKGATE_CONFIG, then MASKGATE_* environment variables. Nothing else reads the environment.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfigJson } from './config-json.js';
import { configSchema, type Config } from './config-schema.js';

export { configSchema, type Config };

/** Deep-readonly view: config is frozen after validation. */
export type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
export type AppConfig = DeepReadonly<Config>;

export class ConfigError extends Error {}

type Json = Record<string, unknown>;

// src/config.ts when run from source, dist/src/config.js when built: the defaults sit at the root.
const defaultsPath = ['../config/default.json', '../../config/default.json']
  .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
  .find((p) => existsSync(p)) as string;

function readJson(path: string, what: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    // In words: "ENOENT" alone said nothing to someone who mistyped MASKGATE_CONFIG.
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'there is no such file'
        : code === 'EACCES'
          ? 'this user may not read it'
          : code === 'EISDIR'
            ? 'it is a directory, not a file'
            : (code ?? String(err));
    throw new ConfigError(`cannot read ${what} ${path}: ${why}${what === 'config file' ? ' (MASKGATE_CONFIG names it)' : ''}`);
  }
  const read = parseConfigJson(text);
  if ('problem' in read) throw new ConfigError(`${what} ${path} ${read.problem}`);
  return read.value;
}

function isPlainObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function mergeDeep(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeDeep(current, value) : value;
  }
  return out;
}

function setPath(target: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (!isPlainObject(next)) node[key] = {};
    node = node[key] as Json;
  }
  node[keys[keys.length - 1] as string] = value;
}

type EnvKind = 'string' | 'int' | 'list' | 'nullable' | 'nullable-int';
/** The environment variables operators and test harnesses use; each maps onto one config key. */
export const ENV_VARS: Record<string, { key: string; kind: EnvKind }> = {
  MASKGATE_DATA_DIR: { key: 'dataDir', kind: 'string' },
  MASKGATE_DATABASE_URL: { key: 'database.url', kind: 'nullable' },
  MASKGATE_DOMAIN: { key: 'domains', kind: 'list' },
  MASKGATE_HOSTNAME: { key: 'hostname', kind: 'string' },
  MASKGATE_SMTP_HOST: { key: 'smtp.host', kind: 'string' },
  MASKGATE_SMTP_PORT: { key: 'smtp.port', kind: 'int' },
  MASKGATE_MAX_MESSAGE_BYTES: { key: 'smtp.maxMessageBytes', kind: 'int' },
  MASKGATE_WORKER_THREADS: { key: 'smtp.workerThreads', kind: 'int' },
  MASKGATE_SUBMISSION_HOST: { key: 'submission.host', kind: 'string' },
  MASKGATE_SUBMISSION_PORT: { key: 'submission.port', kind: 'int' },
  MASKGATE_SUBMISSION_TLS_PORT: { key: 'submission.implicitTlsPort', kind: 'nullable-int' },
  MASKGATE_TLS_CERT: { key: 'tls.cert', kind: 'nullable' },
  MASKGATE_TLS_KEY: { key: 'tls.key', kind: 'nullable' },
  MASKGATE_HTTP_HOST: { key: 'http.host', kind: 'string' },
  MASKGATE_HTTP_PORT: { key: 'http.port', kind: 'int' },
  MASKGATE_TRUSTED_PROXIES: { key: 'http.trustedProxies', kind: 'list' },
  MASKGATE_API_TOKEN: { key: 'api.token', kind: 'nullable' },
  MASKGATE_ADMIN_URL: { key: 'admin.publicUrl', kind: 'nullable' },
  MASKGATE_SMARTHOST: { key: 'outbound.smarthost', kind: 'nullable' },
  MASKGATE_LOG_LEVEL: { key: 'log.level', kind: 'string' },
};

function envValue(name: string, kind: EnvKind, raw: string): unknown {
  switch (kind) {
    case 'int': {
      if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`invalid config: ${name}=${JSON.stringify(raw)} must be a whole number`);
      return Number(raw.trim());
    }
    case 'nullable-int':
      return raw.trim() === '' ? null : envValue(name, 'int', raw);
    case 'list':
      return raw
        .split(',')
        .map((part) => part.trim().toLowerCase())
        .filter((part) => part !== '');
    case 'nullable':
      return raw.trim() === '' ? null : raw.trim();
    default:
      return raw.trim();
  }
}

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  /** Applied after files and environment; used by tests and the bench harness. */
  overrides?: Json;
}

/** Loads, validates and deep-freezes the configuration. Throws ConfigError with one line naming the key. */
export function loadConfig(options: LoadOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  let merged = readJson(defaultsPath, 'default config');
  const extra = env.MASKGATE_CONFIG;
  if (extra) merged = mergeDeep(merged, readJson(resolve(extra), 'config file'));
  for (const [name, { key, kind }] of Object.entries(ENV_VARS)) {
    const raw = env[name];
    if (raw !== undefined) setPath(merged, key, envValue(name, kind, raw));
  }
  if (options.overrides) merged = mergeDeep(merged, options.overrides);
  return validateConfig(merged);
}

export function validateConfig(value: unknown): AppConfig {
  const parsed = configSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join('.') || '(root)';
    const hint = Object.entries(ENV_VARS).find(([, spec]) => spec.key === key)?.[0];
    throw new ConfigError(`invalid config: ${key}: ${issue?.message ?? 'invalid'}${hint ? ` (set by config file or ${hint})` : ''}`);
  }
  const config = parsed.data;
  config.dataDir = resolve(config.dataDir);
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
