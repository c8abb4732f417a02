// The storage port of order import and one-time form keys (re-exported by src/store/ports.ts): the
// admin's uploaded order file between its preview and its import (order_import_uploads, named by
// an unguessable token of which only the SHA-256 is stored), the aliases of orders a file names
// that the store already has, and the keys that make a form submitted twice act once
// (form_submissions). Both adapters implement it (src/store/sqlite/imports.ts wraps
// order-import-uploads.ts and form-submissions.ts; src/store/pg/imports.ts); contract cases in
// test/integration/imports-contract.test.ts. The orders themselves are created through
// MarketStore.createOrder, inside one unit of work.
//
// Times are integer milliseconds since the epoch (UTC).
import type { KeptUpload } from './order-import-uploads.js';

export type { KeptUpload };

export interface ImportStore {
  /**
   * Keeps a previewed file for `userId` (removing everybody's uploads older than an hour, and the
   * user's oldest beyond three); returns the token (43 base64url characters) that names it.
   */
  keepUpload(userId: number, storeId: number, fileName: string, bytes: Uint8Array, now?: number): Promise<string>;
  /**
   * Removes and returns the upload the token names when it is `userId`'s and under an hour old;
   * null otherwise (unknown, another user's, expired, or taken already: two nodes taking one token
   * at once, one gets it). Inside the import's unit of work, so a failed import keeps it.
   */
  takeUpload(token: string, userId: number, now?: number): Promise<KeptUpload | null>;
  /** For the order numbers the store already has among `numbers`: number → the pair's alias token. */
  existingOrders(storeId: number, numbers: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /** Claims a one-time form key for the user; false when it was claimed before (on any node). */
  claimFormKey(key: string, userId: number, now?: number): Promise<boolean>;
  /** Gives the key back (the action was refused; the form may be sent again). */
  releaseFormKey(key: string): Promise<void>;
  /** Records what the form's action gave (JSON). */
  formKeyDone(key: string, result: unknown): Promise<void>;
}
