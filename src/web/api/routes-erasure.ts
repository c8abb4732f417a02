// Owns DELETE /api/v1/buyers/{email}: a GDPR erasure request. The buyer's address, name and message
// texts go, the numbers stay (store/erasure.ts says what exactly), through the inbox port, so a
// PostgreSQL node erases in one transaction as SQLite does.
import { Hono } from 'hono';
import { apiError } from '../api-error.js';
import type { CoreApiDeps } from './deps.js';

export function erasureRoutes(d: Pick<CoreApiDeps, 'inbox'>): Hono {
  const app = new Hono();

  app.delete('/buyers/:email', async (c) => {
    const result = await d.inbox.eraseBuyer(decodeURIComponent(c.req.param('email')));
    return result.found ? c.json({ erased: true, pairs: result.pairs, messages: result.messages }) : apiError(c, 'NOT_FOUND', 'no buyer with that address');
  });

  return app;
}
