// The storage port of reply templates (re-exported by src/store/ports.ts): global ones (store
// null, the owner's) and per-store ones. Both adapters implement it (src/store/sqlite/templates.ts,
// src/store/pg/templates.ts); the contract cases are in test/integration/templates-tags-contract.test.ts.
// Times are integer milliseconds since the epoch (UTC).
import type { Template } from './templates.js';

export type { Template };

export interface TemplateFields {
  readonly name: string;
  readonly subject: string;
  readonly body: string;
}

export interface TemplateStore {
  /** Global templates and those of these stores, by name (binary order), then id. */
  visible(storeIds: readonly number[]): Promise<Template[]>;
  /** One template; null when unknown. */
  get(id: number): Promise<Template | null>;
  create(t: TemplateFields & { readonly storeId: number | null }, now?: number): Promise<Template>;
  update(id: number, t: TemplateFields, now?: number): Promise<void>;
  remove(id: number): Promise<void>;
}
