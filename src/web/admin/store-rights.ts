// Owns how the admin answers a store change its user may not make (usecases/store-rights.ts): the
// rule's sentence with 403, which error-pages.ts shows a browser inside the admin's frame.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { refusalText, VERDICTS } from '../../core/verdicts.js';
import { allowedActions, storeActionRefusal, type StoreAction } from '../../usecases/store-rights.js';
import type { AdminEnv } from './session.js';

/** The 403 answer when the logged-in user may not take `action`; null when they may. */
export function refusedStoreAction(c: Context<AdminEnv>, action: StoreAction): Response | null {
  const r = storeActionRefusal(c.get('user'), action);
  return r ? c.text(refusalText(r), VERDICTS[r.code].http as ContentfulStatusCode) : null;
}

/** What the logged-in user may do to a store, for a page to show only the controls that work. */
export function storeActionsOf(c: Context<AdminEnv>): ReadonlySet<StoreAction> {
  return allowedActions(c.get('user'));
}
