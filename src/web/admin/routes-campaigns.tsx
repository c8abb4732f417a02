// Owns the campaign pages: list, builder (draft, audience count and sample, CSV export, test email,
// schedule, send now) and progress with pause, resume and cancel. Staff see only campaigns of
// their stores; every action goes through the same service as the API.
import { Hono, type Context } from 'hono';
import { describeAudience } from '../../core/audience.js';
import { campaignGaps } from '../../core/campaign-gaps.js';
import { presetById } from '../../core/campaign-presets.js';
import { zonedToInstant } from '../../core/zoned-time.js';
import type { Campaign } from '../../store/campaigns.js';
import type { AdminStore, MarketStore } from '../../store/ports.js';
import { parseProspectCsv } from '../prospect-csv.js';
import { CsvUnreadable } from '../csv-file.js';
import type { CampaignDeps } from '../api/deps.js';
import { AudiencePreview, CampaignBuilder, type BuilderValues } from '../../../views/campaign-builder.js';
import { amount, audienceOf, csvCell, draftFields, text, valuesFromCampaign, valuesOf } from './campaign-form.js';
import { CampaignPage, ProgressPanel } from '../../../views/campaign-progress.js';
import { CampaignsPage } from '../../../views/campaigns.js';
import { frameOf, type AdminEnv } from './session.js';
import { paramId } from './param-id.js';
import { TEST_EMAILS_PER_HOUR, TestEmailLimit, testRecipients } from './campaign-test-email.js';

type Status = 200 | 400 | 403 | 409 | 429;

/**
 * Built from the ports only (the campaign port, the market port's stores, the admin port's staff and
 * permitted senders for the test email's recipients): served on either database.
 */
export function campaignAdminRoutes(
  d: CampaignDeps,
  stores: Pick<MarketStore, 'stores' | 'store'>,
  admin: Pick<AdminStore, 'users' | 'stores'>,
  domain: string,
  timeZone: string,
): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const testLimit = new TestEmailLimit();
  const frame = frameOf;
  const storeIds = (c: Context<AdminEnv>) => c.get('storeIds') as number[];
  const repo = d.store;
  const visibleStores = async (c: Context<AdminEnv>) =>
    (await stores.stores()).filter((s) => storeIds(c).includes(s.id)).map((s) => ({ id: s.id, name: s.name }));
  const mine = async (c: Context<AdminEnv>): Promise<Campaign | null> => {
    const campaign = await repo.get(paramId(c.req.param('id')));
    return campaign && storeIds(c).includes(campaign.storeId) ? campaign : null;
  };

  const builder = async (
    c: Context<AdminEnv>,
    v: BuilderValues,
    campaign: Campaign | null,
    status: Status = 200,
    msg: { error?: string; notice?: string; confirm?: string } = {},
  ) =>
    c.html(
      <CampaignBuilder
        {...frame(c)}
        v={v}
        campaign={campaign}
        stores={await visibleStores(c)}
        choices={v.storeId ? await repo.choices(v.storeId) : { categories: [], manufacturers: [] }}
        lists={v.storeId ? (await repo.lists([v.storeId])).map((l) => ({ list: l.list, count: l.count })) : []}
        testTo={campaign ? await testRecipients(admin, campaign.storeId, c.get('user').email) : []}
        tz={timeZone}
        error={msg.error}
        notice={msg.notice}
        confirm={msg.confirm}
      />,
      status,
    );

  const show = async (c: Context<AdminEnv>, campaign: Campaign, msg: { error?: string; notice?: string; confirm?: string } = {}, status: Status = 200) =>
    ['draft', 'scheduled', 'late'].includes(campaign.status)
      ? builder(c, valuesFromCampaign(campaign), campaign, status, msg)
      : c.html(
          <CampaignPage
            {...frame(c)}
            c={campaign}
            p={await repo.progress(campaign.id)}
            audienceText={describeAudience(campaign.audience)}
            tz={timeZone}
            error={msg.error}
            notice={msg.notice}
          />,
          status,
        );

  /** Validates the builder's form; an error sentence, or the draft. */
  const draftOf = (c: Context<AdminEnv>, v: BuilderValues): string | { storeId: number } => {
    if (!v.storeId || !storeIds(c).includes(v.storeId)) return 'Pick one of your stores.';
    if (!v.name) return 'Give the campaign a name.';
    if (!v.subject || !v.body.trim()) return 'Write a subject and a text.';
    if (v.amountMin && amount(v.amountMin) === undefined) return 'The order total must be a number.';
    return { storeId: v.storeId };
  };

  app.get('/campaigns', async (c) => {
    const campaigns = await Promise.all((await repo.list(storeIds(c))).map(async (x) => ({ ...x, progress: await repo.progress(x.id) })));
    const q = c.req.query();
    const notice =
      q.imported !== undefined
        ? `Imported ${q.imported} prospect(s); ${q.known ?? 0} already known; ${q.invalid ?? 0} line(s) not usable.`
        : q.credits
          ? 'Credits updated.'
          : undefined;
    return c.html(
      <CampaignsPage
        {...frame(c)}
        campaigns={campaigns}
        stores={await Promise.all((await visibleStores(c)).map(async (s) => ({ ...s, balance: await repo.balance(s.id) })))}
        lists={await repo.lists(storeIds(c))}
        price={await repo.price()}
        tz={timeZone}
        notice={notice}
        error={q.error}
      />,
    );
  });

  // A prospect list from a CSV file (email,name per line; a header line is fine).
  app.post('/campaigns/prospects', async (c) => {
    const f = await c.req.parseBody({ all: true });
    const storeId = Number(text(f, 'storeId'));
    const list = text(f, 'list').trim().slice(0, 100);
    const file = Array.isArray(f.file) ? f.file[0] : f.file;
    if (!storeIds(c).includes(storeId)) return c.redirect('/campaigns?error=' + encodeURIComponent('Pick one of your stores.'), 303);
    if (!list || !(file instanceof File) || file.size === 0)
      return c.redirect('/campaigns?error=' + encodeURIComponent('Name the list and choose a CSV file.'), 303);
    let parsed: ReturnType<typeof parseProspectCsv>;
    try {
      parsed = parseProspectCsv(new Uint8Array(await file.arrayBuffer()));
    } catch (err) {
      if (err instanceof CsvUnreadable) return c.redirect('/campaigns?error=' + encodeURIComponent(err.message), 303);
      throw err;
    }
    const r = await repo.importProspects(storeId, list, parsed.rows, [domain]);
    return c.redirect(`/campaigns?imported=${r.imported}&known=${r.known}&invalid=${r.invalid.length + parsed.invalid.length}`, 303);
  });

  // Credits and their price are the owner's.
  app.post('/campaigns/credits', async (c) => {
    if (c.get('user').role !== 'owner') return c.text('Only the owner manages credits.', 403);
    const f = await c.req.parseBody({ all: true });
    const storeId = paramId(text(f, 'storeId'));
    const delta = Number(text(f, 'delta'));
    if (!(await stores.store(storeId)) || !Number.isInteger(delta) || delta === 0 || Math.abs(delta) > 1_000_000) {
      return c.redirect('/campaigns?error=' + encodeURIComponent('Give a store and a whole number of credits.'), 303);
    }
    await repo.addCredits(storeId, delta, text(f, 'reason').trim().slice(0, 200) || 'top-up', c.get('user').id);
    return c.redirect('/campaigns?credits=1', 303);
  });

  app.post('/campaigns/price', async (c) => {
    if (c.get('user').role !== 'owner') return c.text('Only the owner manages credits.', 403);
    const credits = Number(text(await c.req.parseBody({ all: true }), 'credits'));
    if (!Number.isInteger(credits) || credits < 0 || credits > 1000)
      return c.redirect('/campaigns?error=' + encodeURIComponent('The price is a whole number of credits, 0 to 1000.'), 303);
    await repo.setPrice(credits);
    return c.redirect('/campaigns?credits=1', 303);
  });

  app.get('/campaigns/new', async (c) => {
    const preset = presetById(c.req.query('preset') ?? 'blank') ?? presetById('blank')!;
    const first = (await visibleStores(c))[0];
    const v = valuesOf({ preset: preset.id, subject: preset.subject, body: preset.body, storeId: first ? String(first.id) : '' });
    return builder(c, { ...v, name: preset.id === 'blank' ? '' : preset.label }, null);
  });

  app.post('/campaigns', async (c) => {
    const v = valuesOf(await c.req.parseBody({ all: true }));
    const ok = draftOf(c, v);
    if (typeof ok === 'string') return builder(c, v, null, 400, { error: ok });
    const id = await repo.create({ ...draftFields(ok.storeId, v), createdBy: c.get('user').id });
    return c.redirect(`/campaigns/${id}?saved=1`, 303);
  });

  // The live count and a sample for the builder's current (unsaved) filters.
  app.post('/campaigns/audience', async (c) => {
    const v = valuesOf(await c.req.parseBody({ all: true }));
    if (!v.storeId || !storeIds(c).includes(v.storeId)) return c.html(<p class="error">Pick one of your stores.</p>);
    const a = audienceOf(v);
    const sample = (await repo.members(v.storeId, a, 10)).map((m) => ({ alias: `${m.token}@${domain}`, name: m.name, orders: m.orders }));
    const split = await repo.split(v.storeId, a);
    const price = await repo.price();
    const total = split.purchasers + split.prospects;
    const gaps = total ? campaignGaps(v, { total, prospects: split.prospects, nameless: await repo.nameless(v.storeId, a) }) : [];
    return c.html(
      <AudiencePreview
        gaps={gaps.map((g) => g.text)}
        count={split.purchasers + split.prospects}
        prospects={split.prospects}
        cost={split.prospects * price}
        price={price}
        balance={await repo.balance(v.storeId)}
        sample={sample}
        text={describeAudience(a)}
      />,
    );
  });

  // The list as CSV, without sending anything: aliases, never the buyers' real addresses.
  app.post('/campaigns/audience.csv', async (c) => {
    const v = valuesOf(await c.req.parseBody({ all: true }));
    if (!v.storeId || !storeIds(c).includes(v.storeId)) return c.text('Pick one of your stores.', 400);
    const rows = await repo.members(v.storeId, audienceOf(v));
    const lines = [
      'alias,name,orders,last_order',
      ...rows.map((m) => [`${m.token}@${domain}`, m.name, m.orders, new Date(m.lastOrderAt).toISOString().slice(0, 10)].map(csvCell).join(',')),
    ];
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="audience-${new Date().toISOString().slice(0, 10)}.csv"`);
    return c.body(lines.join('\r\n') + '\r\n');
  });

  app.get('/campaigns/:id', async (c) => {
    const campaign = await mine(c);
    if (!campaign) return c.text('No such campaign.', 404);
    const notice = c.req.query('saved') ? 'Saved as a draft.' : c.req.query('scheduled') ? 'Scheduled.' : undefined;
    return show(c, campaign, notice ? { notice } : {});
  });

  app.get('/campaigns/:id/progress', async (c) => {
    const campaign = await mine(c);
    if (!campaign) return c.text('No such campaign.', 404);
    return c.html(<ProgressPanel c={campaign} p={await repo.progress(campaign.id)} csrf={frame(c).csrf} />);
  });

  app.post('/campaigns/:id', async (c) => {
    const campaign = await mine(c);
    if (!campaign) return c.text('No such campaign.', 404);
    const v = valuesOf(await c.req.parseBody({ all: true }));
    const ok = draftOf(c, v);
    if (typeof ok === 'string') return builder(c, v, campaign, 400, { error: ok });
    const changed = await repo.update(campaign.id, draftFields(ok.storeId, v));
    if (!changed) return show(c, campaign, { error: 'The campaign has started; it can no longer be changed.' }, 409);
    return c.redirect(`/campaigns/${campaign.id}?saved=1`, 303);
  });

  // A test email, rendered with a real buyer of the audience; no ledger row, no stored message. Only
  // to the team's own addresses, TEST_EMAILS_PER_HOUR an hour per user (campaign-test-email.ts); a
  // refused test sends nothing and is not counted.
  app.post('/campaigns/:id/test', async (c) => {
    const campaign = await mine(c);
    if (!campaign) return c.text('No such campaign.', 404);
    const f = await c.req.parseBody({ all: true });
    const to = text(f, 'to').trim().toLowerCase();
    if (!(await testRecipients(admin, campaign.storeId, c.get('user').email)).includes(to)) {
      const why = "Test emails go only to the team's own addresses: a staff login of this store, its mailbox or an enabled permitted sender.";
      return show(c, campaign, { error: why }, 403);
    }
    const taken = testLimit.take(c.get('user').id);
    if ('waitMs' in taken) {
      const minutes = Math.max(1, Math.ceil(taken.waitMs / 60_000));
      const why = `Not sent: you may send ${TEST_EMAILS_PER_HOUR} test emails an hour; the next may go in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
      return show(c, campaign, { error: why }, 429);
    }
    // Counted from here (so concurrent tests cannot slip past); a refusal below gives it back.
    const refuse = (error: string) => {
      taken.ticket.release();
      return show(c, campaign, { error }, 400);
    };
    const wanted = text(f, 'alias').trim().toLowerCase().split('@')[0];
    const members = await repo.members(campaign.storeId, campaign.audience, wanted ? -1 : 1);
    const buyer = wanted ? members.find((m) => m.token === wanted) : members[0];
    if (!buyer) return refuse(wanted ? 'That alias is not in the audience.' : 'The audience is empty: there is no buyer to render the test with.');
    const orderNumber = text(f, 'order').trim() || undefined;
    // Through the pipeline's rules and filters, like the real send: the test shows what the buyer gets.
    const rendered = await d.sender.preview(campaign, { pairId: buyer.pairId, token: buyer.token, name: buyer.name || null }, orderNumber);
    if ('error' in rendered) return refuse(rendered.error);
    const { subject, text: body } = rendered;
    await d.notice(to, `[Test] ${subject}`, body).catch((err: unknown) => {
      taken.ticket.release();
      throw err;
    });
    return show(c, campaign, {
      notice: `Test email queued to ${to}, rendered for ${buyer.name || buyer.token}${orderNumber ? ` and order ${orderNumber}` : ''}.`,
    });
  });

  app.post('/campaigns/:id/send', async (c) => {
    const campaign = await mine(c);
    if (!campaign) return c.text('No such campaign.', 404);
    const f = await c.req.parseBody({ all: true });
    // Send now asks first in the admin, always: to how many, what the prospects cost, and why else
    // (a copy of a recent campaign, a missed schedule). The API's start asks only for the latter.
    if (text(f, 'confirm') !== '1' && ['draft', 'scheduled', 'late'].includes(campaign.status)) {
      const split = await repo.split(campaign.storeId, campaign.audience);
      const n = split.purchasers + split.prospects;
      const cost = split.prospects
        ? ` (${split.prospects} prospect${split.prospects === 1 ? '' : 's'}: ${split.prospects * (await repo.price())} credits)`
        : '';
      const why = await d.service.confirmationNeeded(campaign);
      return show(c, campaign, { confirm: `send now to its audience of ${n}${cost}, skipping anyone unsubscribed or opted out${why ? `; ${why}` : ''}` });
    }
    const r = await d.service.start(campaign.id, true);
    if (!r.ok) return show(c, campaign, { error: r.message }, 409);
    return c.redirect(`/campaigns/${campaign.id}`, 303);
  });

  app.post('/campaigns/:id/schedule', async (c) => {
    const campaign = await mine(c);
    if (!campaign) return c.text('No such campaign.', 404);
    const at = zonedToInstant(text(await c.req.parseBody({ all: true }), 'at'), timeZone);
    if (at === null) return show(c, campaign, { error: 'Pick a date and time.' }, 400);
    const r = await d.service.schedule(campaign.id, at);
    if (!r.ok) return show(c, campaign, { error: r.message }, 409);
    return c.redirect(`/campaigns/${campaign.id}?scheduled=1`, 303);
  });

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    app.post(`/campaigns/:id/${action}`, async (c) => {
      const campaign = await mine(c);
      if (!campaign) return c.text('No such campaign.', 404);
      const r = await d.service[action](campaign.id);
      if (!r.ok) return show(c, (await repo.get(campaign.id)) ?? campaign, { error: r.message }, 409);
      return c.redirect(action === 'cancel' ? '/campaigns' : `/campaigns/${campaign.id}`, 303);
    });
  }

  return app;
}
