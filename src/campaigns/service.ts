// Owns what staff may do with a campaign, for the admin and the API alike: start (with the
// confirmations that keep a campaign from going out twice), schedule, pause, resume, cancel.
import type { CampaignRepo, Campaign } from '../store/campaigns.js';
import type { CampaignSender } from './sender.js';

export type Outcome = { ok: true; recipients?: number } | { ok: false; status: 404 | 409; message: string; confirm?: boolean };

const DAY = 86_400_000;
const TWIN_WINDOW = 7 * DAY;

const day = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

export class CampaignService {
  readonly #repo: CampaignRepo;
  readonly #sender: CampaignSender;
  constructor(repo: CampaignRepo, sender: CampaignSender) {
    this.#repo = repo;
    this.#sender = sender;
  }

  /** Why starting now needs a confirmation, if it does. */
  confirmationNeeded(c: Campaign, now = Date.now()): string | null {
    if (c.status === 'late' && c.scheduledAt !== null) return `it was scheduled for ${day(c.scheduledAt)} and could not start then (the server was down)`;
    const twin = this.#repo.recentTwin(c, TWIN_WINDOW, now);
    if (twin?.startedAt) return `the same message went to the same audience on ${day(twin.startedAt)} (campaign "${twin.name}")`;
    return null;
  }

  start(id: number, confirm: boolean, now = Date.now()): Outcome {
    const c = this.#repo.get(id);
    if (!c) return { ok: false, status: 404, message: 'no campaign with that id' };
    if (!['draft', 'scheduled', 'late'].includes(c.status)) {
      return { ok: false, status: 409, message: `the campaign is ${c.status}; it cannot start again (copy it to send it once more)` };
    }
    const why = this.confirmationNeeded(c, now);
    if (why && !confirm) return { ok: false, status: 409, message: `confirm to send: ${why}`, confirm: true };
    const r = this.#sender.startCampaign(id, now);
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

  schedule(id: number, at: number, now = Date.now()): Outcome {
    if (at <= now) return { ok: false, status: 409, message: 'pick a time in the future' };
    const c = this.#repo.get(id);
    if (!c) return { ok: false, status: 404, message: 'no campaign with that id' };
    return this.#repo.transition(id, ['draft', 'scheduled', 'late'], 'scheduled', now, at)
      ? { ok: true }
      : { ok: false, status: 409, message: `the campaign is ${c.status}; only a draft can be scheduled` };
  }

  pause(id: number): Outcome {
    return this.#move(id, ['sending'], 'paused', 'only a sending campaign can be paused');
  }

  resume(id: number): Outcome {
    const r = this.#move(id, ['paused'], 'sending', 'only a paused campaign can be resumed');
    if (r.ok) void this.#sender.tick();
    return r;
  }

  cancel(id: number, now = Date.now()): Outcome {
    const r = this.#move(id, ['draft', 'scheduled', 'late', 'sending', 'paused'], 'cancelled', 'the campaign has already finished');
    if (r.ok) {
      this.#repo.cancelPending(id, now);
      this.#repo.settleCredits(id, now);
    }
    return r;
  }

  #move(id: number, from: Campaign['status'][], to: Campaign['status'], wrong: string): Outcome {
    const c = this.#repo.get(id);
    if (!c) return { ok: false, status: 404, message: 'no campaign with that id' };
    return this.#repo.transition(id, from, to) ? { ok: true } : { ok: false, status: 409, message: `${wrong} (it is ${c.status})` };
  }
}
