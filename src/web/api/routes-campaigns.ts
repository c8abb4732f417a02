// Owns /api/v1/campaigns: drafts, the audience count and cost, start/schedule/pause/resume/cancel,
// progress; and a store's prospects (CSV lists as JSON) and credits. The admin's campaign pages do the same through the same service.
import { Hono } from 'hono';
import { describeAudience } from '../../core/audience.js';
import { campaignGaps } from '../../core/campaign-gaps.js';
import type { Campaign } from '../../store/campaigns.js';
import { apiError } from '../api-error.js';
import type { ApiDeps } from './deps.js';
import { campaignScheduleSchema, campaignSchema, campaignStartSchema, creditsSchema, priceSchema, prospectImportSchema } from './schemas.js';
import { idParam, jsonBody } from './validate.js';
import type { Outcome } from '../../campaigns/service.js';

/** Built from the ports only (the campaign port and the market port's stores): served on either database. */
export function campaignRoutes(d: Pick<ApiDeps, 'campaigns' | 'market' | 'domains'>): Hono {
  const app = new Hono();
  const store = d.campaigns.store;
  const present = async (c: Campaign) => ({
    id: c.id,
    storeId: c.storeId,
    name: c.name,
    preset: c.preset,
    subject: c.subject,
    body: c.body,
    audience: c.audience,
    audienceText: describeAudience(c.audience),
    extras: c.extras,
    status: c.status,
    scheduledAt: c.scheduledAt ? new Date(c.scheduledAt).toISOString() : null,
    startedAt: c.startedAt ? new Date(c.startedAt).toISOString() : null,
    finishedAt: c.finishedAt ? new Date(c.finishedAt).toISOString() : null,
    progress: await store.progress(c.id),
  });
  const answer = async (c: Parameters<typeof apiError>[0], id: number, r: Outcome) => {
    if (r.ok) return c.json({ ...(await present((await store.get(id)) as Campaign)), ...(r.recipients !== undefined ? { recipients: r.recipients } : {}) });
    return r.status === 404
      ? apiError(c, 'NOT_FOUND', r.message)
      : c.json({ error: 'Conflict', code: 'CONFLICT', message: r.message, confirm: r.confirm ?? false }, 409);
  };

  app.post('/campaigns', async (c) => {
    const body = await jsonBody(c, campaignSchema);
    if (!(await d.market.store(body.storeId))) return apiError(c, 'VALIDATION_FAILED', `storeId: no store with id ${body.storeId}`);
    const id = await store.create({ ...body, createdBy: null });
    return c.json(await present((await store.get(id)) as Campaign), 201);
  });

  app.get('/campaigns/:id', async (c) => {
    const campaign = await store.get(idParam(c));
    return campaign ? c.json(await present(campaign)) : apiError(c, 'NOT_FOUND', 'no campaign with that id');
  });

  app.get('/campaigns/:id/audience', async (c) => {
    const campaign = await store.get(idParam(c));
    if (!campaign) return apiError(c, 'NOT_FOUND', 'no campaign with that id');
    const { purchasers, prospects } = await store.split(campaign.storeId, campaign.audience);
    const sample = (await store.members(campaign.storeId, campaign.audience, 10)).map((m) => ({ alias: m.token, name: m.name, orders: m.orders }));
    const price = await store.price();
    const count = purchasers + prospects;
    // Variables of the text that are empty for part of this audience (the builder shows the same).
    const gaps = count
      ? campaignGaps(
          { subject: campaign.subject, body: campaign.body, ...campaign.extras },
          { total: count, prospects, nameless: await store.nameless(campaign.storeId, campaign.audience) },
        ).map((g) => g.text)
      : [];
    return c.json({
      count,
      purchasers,
      prospects,
      // What starting now would cost (messages to prospects), and what the store has.
      cost: prospects * price,
      balance: await store.balance(campaign.storeId),
      sample,
      audienceText: describeAudience(campaign.audience),
      gaps,
    });
  });

  app.post('/stores/:id/prospects', async (c) => {
    const storeId = idParam(c);
    const body = await jsonBody(c, prospectImportSchema);
    if (!(await d.market.store(storeId))) return apiError(c, 'NOT_FOUND', 'no store with that id');
    return c.json(await store.importProspects(storeId, body.list, body.prospects, d.domains));
  });

  app.get('/stores/:id/credits', async (c) => {
    const storeId = idParam(c);
    if (!(await d.market.store(storeId))) return apiError(c, 'NOT_FOUND', 'no store with that id');
    return c.json({ balance: await store.balance(storeId), pricePerProspectMessage: await store.price() });
  });

  app.post('/stores/:id/credits', async (c) => {
    const storeId = idParam(c);
    const body = await jsonBody(c, creditsSchema);
    if (!(await d.market.store(storeId))) return apiError(c, 'NOT_FOUND', 'no store with that id');
    return c.json({
      balance: await store.addCredits(storeId, body.delta, body.reason, null),
      pricePerProspectMessage: await store.price(),
    });
  });

  app.put('/credits/price', async (c) => {
    const body = await jsonBody(c, priceSchema);
    await store.setPrice(body.credits);
    return c.json({ pricePerProspectMessage: await store.price() });
  });

  app.post('/campaigns/:id/start', async (c) => {
    const id = idParam(c);
    const body = await jsonBody(c, campaignStartSchema);
    return answer(c, id, await d.campaigns.service.start(id, body.confirm));
  });
  app.post('/campaigns/:id/schedule', async (c) => {
    const id = idParam(c);
    const body = await jsonBody(c, campaignScheduleSchema);
    return answer(c, id, await d.campaigns.service.schedule(id, Date.parse(body.at)));
  });
  app.post('/campaigns/:id/pause', async (c) => answer(c, idParam(c), await d.campaigns.service.pause(idParam(c))));
  app.post('/campaigns/:id/resume', async (c) => answer(c, idParam(c), await d.campaigns.service.resume(idParam(c))));
  app.post('/campaigns/:id/cancel', async (c) => answer(c, idParam(c), await d.campaigns.service.cancel(idParam(c))));
  return app;
}
