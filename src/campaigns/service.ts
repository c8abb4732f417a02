// Owns what staff may do with a campaign, for the admin and the API alike: start (with the
// confirmations that keep a campaign from going out twice), schedule, pause, resume, cancel.
import type { Campaign, CampaignStore } from '../store/ports.js';
import type { CampaignSender } from './sender.js';

export type Outcome = { ok: true; recipients?: number } | { ok: false; status: 404 | 409; message: string; confirm?: boolean };

const DAY = 86_400_000;
const TWIN_WINDOW = 7 * DAY;

const day = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

export class CampaignService {
  readonly #repo: CampaignStore;
  readonly #sender: CampaignSender;
  constructor(repo: CampaignStore, sender: CampaignSender) {
    this.#repo = repo;
    this.#sender = sender;
  }

  /** Why starting now needs a confirmation, if it does. */
  async confirmationNeeded(c: Campaign, now = Date.now()): Promise<string | null> {
    if (c.status === 'late' && c.scheduledAt !== null) return `it was scheduled for ${day(c.scheduledAt)} and could not start then (the server was down)`;
    const twin = await this.#repo.recentTwin(c, TWIN_WINDOW, now);
    if (twin?.startedAt) return `the same message went to the same audience on ${day(twin.startedAt)} (campaign "${twin.name}")`;
    return null;
  }

  async start(id: number, confirm: boolean, now = Date.now()): Promise<Outcome> {
    const c = await this.#repo.get(id);
    if (!c) return { ok: false, status: 404, message: 'no campaign with that id' };
    if (!['draft', 'scheduled', 'late'].includes(c.status)) {
      return { ok: false, status: 409, message: `the campaign is ${c.status}; it cannot start again (copy it to send it once more)` };
    }
    const why = await this.confirmationNeeded(c, now);
    if (why && !confirm) return { ok: false, status: 409, message: `confirm to send: ${why}`, confirm: true };
    const r = await this.#sender.startCampaign(id, now);
    if (r === null) return { ok: false, status: 409, message: 'the campaign has already started' };
    if (typeof r === 'object') {
      const { prospects, cost, balance } = r.overdraw;
      return {
        ok: false,
        status: 409,
        message: `not enough credits: ${prospects} prospect message${prospects === 1 ? '' : 's'} cost ${cost} credits and the store has ${balance}`,
      };
    }
    return { ok: true, recipients: r };
  }

  async schedule(id: number, at: number, now = Date.now()): Promise<Outcome> {
    if (at <= now) return { ok: false, status: 409, message: 'pick a time in the future' };
    const c = await this.#repo.get(id);
    if (!c) return { ok: false, status: 404, message: 'no campaign with that id' };
    return (await this.#repo.transition(id, ['draft', 'scheduled', 'late'], 'scheduled', now, at))
      ? { ok: true }
      : { ok: false, status: 409, message: `the campaign is ${c.status}; only a draft can be scheduled` };
  }

  pause(id: number): Promise<Outcome> {
    return this.#move(id, ['sending'], 'paused', 'only a sending campaign can be paused');
  }

  async resume(id: number): Promise<Outcome> {
    const r = await this.#move(id, ['paused'], 'sending', 'only a paused campaign can be resumed');
    if (r.ok) void this.#sender.tick();
    return r;
  }

  async cancel(id: number, now = Date.now()): Promise<Outcome> {
    const r = await this.#move(id, ['draft', 'scheduled', 'late', 'sending', 'paused'], 'cancelled', 'the campaign has already finished');
    if (r.ok) {
      await this.#repo.cancelPending(id, now);
      await this.#repo.settleCredits(id, now);
    }
    return r;
  }

  async #move(id: number, from: Campaign['status'][], to: Campaign['status'], wrong: string): Promise<Outcome> {
    const c = await this.#repo.get(id);
    if (!c) return { ok: false, status: 404, message: 'no campaign with that id' };
    return (await this.#repo.transition(id, from, to)) ? { ok: true } : { ok: false, status: 409, message: `${wrong} (it is ${c.status})` };
  }
}
