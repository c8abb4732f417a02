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

export function campaignRoutes(d: ApiDeps): Hono {
  const app = new Hono();
  const present = (c: Campaign) => ({
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
    progress: d.campaigns.repo.progress(c.id),
  });
  const answer = (c: Parameters<typeof apiError>[0], id: number, r: Outcome) => {
    if (r.ok) return c.json({ ...present(d.campaigns.repo.get(id) as Campaign), ...(r.recipients !== undefined ? { recipients: r.recipients } : {}) });
    return r.status === 404
      ? apiError(c, 'NOT_FOUND', r.message)
      : c.json({ error: 'Conflict', code: 'CONFLICT', message: r.message, confirm: r.confirm ?? false }, 409);
  };

  app.post('/campaigns', async (c) => {
    const body = await jsonBody(c, campaignSchema);
    if (!d.stores.get(body.storeId)) return apiError(c, 'VALIDATION_FAILED', `storeId: no store with id ${body.storeId}`);
    const id = d.campaigns.repo.create({ ...body, createdBy: null });
    return c.json(present(d.campaigns.repo.get(id) as Campaign), 201);
  });

  app.get('/campaigns/:id', (c) => {
    const campaign = d.campaigns.repo.get(idParam(c));
    return campaign ? c.json(present(campaign)) : apiError(c, 'NOT_FOUND', 'no campaign with that id');
  });

  app.get('/campaigns/:id/audience', (c) => {
    const campaign = d.campaigns.repo.get(idParam(c));
    if (!campaign) return apiError(c, 'NOT_FOUND', 'no campaign with that id');
    const { purchasers, prospects } = d.campaigns.audience.split(campaign.storeId, campaign.audience);
    const sample = d.campaigns.audience.members(campaign.storeId, campaign.audience, 10).map((m) => ({ alias: m.token, name: m.name, orders: m.orders }));
    const price = d.campaigns.prospects.price();
    const count = purchasers + prospects;
    // Variables of the text that are empty for part of this audience (the builder shows the same).
    const gaps = count
      ? campaignGaps(
          { subject: campaign.subject, body: campaign.body, ...campaign.extras },
          { total: count, prospects, nameless: d.campaigns.audience.nameless(campaign.storeId, campaign.audience) },
        ).map((g) => g.text)
      : [];
    return c.json({
      count,
      purchasers,
      prospects,
      // What starting now would cost (messages to prospects), and what the store has.
      cost: prospects * price,
      balance: d.campaigns.prospects.balance(campaign.storeId),
      sample,
      audienceText: describeAudience(campaign.audience),
      gaps,
    });
  });

  app.post('/stores/:id/prospects', async (c) => {
    const storeId = idParam(c);
    const body = await jsonBody(c, prospectImportSchema);
    if (!d.stores.get(storeId)) return apiError(c, 'NOT_FOUND', 'no store with that id');
    return c.json(d.campaigns.prospects.import(storeId, body.list, body.prospects, d.domains));
  });

  app.get('/stores/:id/credits', (c) => {
    const storeId = idParam(c);
    if (!d.stores.get(storeId)) return apiError(c, 'NOT_FOUND', 'no store with that id');
    return c.json({ balance: d.campaigns.prospects.balance(storeId), pricePerProspectMessage: d.campaigns.prospects.price() });
  });

  app.post('/stores/:id/credits', async (c) => {
    const storeId = idParam(c);
    const body = await jsonBody(c, creditsSchema);
    if (!d.stores.get(storeId)) return apiError(c, 'NOT_FOUND', 'no store with that id');
    return c.json({
      balance: d.campaigns.prospects.addCredits(storeId, body.delta, body.reason, null),
      pricePerProspectMessage: d.campaigns.prospects.price(),
    });
  });

  app.put('/credits/price', async (c) => {
    const body = await jsonBody(c, priceSchema);
    d.campaigns.prospects.setPrice(body.credits);
    return c.json({ pricePerProspectMessage: d.campaigns.prospects.price() });
  });

  app.post('/campaigns/:id/start', async (c) => {
    const id = idParam(c);
    const body = await jsonBody(c, campaignStartSchema);
    return answer(c, id, d.campaigns.service.start(id, body.confirm));
  });
  app.post('/campaigns/:id/schedule', async (c) => {
    const id = idParam(c);
    const body = await jsonBody(c, campaignScheduleSchema);
    return answer(c, id, d.campaigns.service.schedule(id, Date.parse(body.at)));
  });
  app.post('/campaigns/:id/pause', (c) => answer(c, idParam(c), d.campaigns.service.pause(idParam(c))));
  app.post('/campaigns/:id/resume', (c) => answer(c, idParam(c), d.campaigns.service.resume(idParam(c))));
  app.post('/campaigns/:id/cancel', (c) => answer(c, idParam(c), d.campaigns.service.cancel(idParam(c))));
  return app;
}
