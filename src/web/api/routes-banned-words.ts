// Owns /api/v1/banned-words: the global list and each store's own.
import { Hono } from 'hono';
import { BannedWordRepo } from '../../store/banned-words.js';
import { apiError } from '../api-error.js';
import type { ApiDeps } from './deps.js';
import { iso } from './present.js';
import { isUniqueViolation } from './routes-stores.js';
import { bannedWordsQuery, createBannedWordSchema } from './schemas.js';
import { idParam, jsonBody, query } from './validate.js';

export function bannedWordRoutes(d: ApiDeps): Hono {
  const app = new Hono();
  const repo = new BannedWordRepo(d.db);
  const present = (r: { id: number; storeId: number | null; word: string; createdAt: number }) => ({ ...r, createdAt: iso(r.createdAt) });

  app.get('/banned-words', (c) => {
    const q = query(c, bannedWordsQuery);
    return c.json({ items: repo.list(q.storeId ?? null).map(present) });
  });

  app.post('/banned-words', async (c) => {
    const body = await jsonBody(c, createBannedWordSchema);
    if (body.storeId !== null && !d.stores.get(body.storeId)) return apiError(c, 'VALIDATION_FAILED', `storeId: no store with id ${body.storeId}`);
    try {
      return c.json(present(repo.add(body.word, body.storeId)), 201);
    } catch (err) {
      if (isUniqueViolation(err)) return apiError(c, 'CONFLICT', `"${body.word}" is already on that list`);
      throw err;
    }
  });

  app.delete('/banned-words/:id', (c) => (repo.remove(idParam(c)) ? c.body(null, 204) : apiError(c, 'NOT_FOUND', 'no banned word with that id')));

  return app;
}
