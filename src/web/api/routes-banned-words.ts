// Owns /api/v1/banned-words: the global list and each store's own.
import { Hono } from 'hono';
import type { MarketStore, SettingsStore } from '../../store/ports.js';
import { apiError } from '../api-error.js';
import { iso } from './present.js';
import { bannedWordsQuery, createBannedWordSchema } from './schemas.js';
import { idParam, jsonBody, query } from './validate.js';

/** What the routes use: the settings port, and the market port to check a store exists (both databases). */
export interface BannedWordDeps {
  readonly settings: SettingsStore;
  readonly market: Pick<MarketStore, 'store'>;
}

export function bannedWordRoutes(d: BannedWordDeps): Hono {
  const app = new Hono();
  const present = (r: { id: number; storeId: number | null; word: string; createdAt: number }) => ({ ...r, createdAt: iso(r.createdAt) });

  app.get('/banned-words', async (c) => {
    const q = query(c, bannedWordsQuery);
    return c.json({ items: (await d.settings.bannedWords(q.storeId ?? null)).map(present) });
  });

  app.post('/banned-words', async (c) => {
    const body = await jsonBody(c, createBannedWordSchema);
    if (body.storeId !== null && !(await d.market.store(body.storeId))) return apiError(c, 'VALIDATION_FAILED', `storeId: no store with id ${body.storeId}`);
    const row = await d.settings.addBannedWord(body.word, body.storeId);
    return row ? c.json(present(row), 201) : apiError(c, 'CONFLICT', `"${body.word}" is already on that list`);
  });

  app.delete('/banned-words/:id', async (c) =>
    (await d.settings.removeBannedWord(idParam(c))) ? c.body(null, 204) : apiError(c, 'NOT_FOUND', 'no banned word with that id'),
  );

  return app;
}
