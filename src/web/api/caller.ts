// Owns who is calling the JSON API, for the rules that depend on it (usecases/store-rights.ts):
// apiGuard sets the caller once the bearer token matches. The one API token carries the owner's
// rights; a store change the caller may not make is 403 OWNER_ONLY in the one error shape.
import type { Context } from 'hono';
import { refusalText } from '../../core/verdicts.js';
import { storeActionRefusal, type Caller, type StoreAction } from '../../usecases/store-rights.js';
import { apiError } from '../api-error.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** Who the API request is from (set by apiGuard); unset, every owner-only change is refused. */
    caller: Caller;
  }
}

/** The 403 OWNER_ONLY answer when the caller may not take `action`; null when it may. */
export function refusedApiAction(c: Context, action: StoreAction): Response | null {
  const r = storeActionRefusal(c.get('caller') as Caller | undefined, action);
  return r ? apiError(c, r.code, refusalText(r)) : null;
}
