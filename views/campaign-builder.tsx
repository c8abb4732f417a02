// The campaign builder: template text, extras, the audience with a live count, sample and cost,
// CSV export, test email, schedule and send.
import { PRESETS } from '../src/core/campaign-presets.js';
import { TEMPLATE_VARIABLES } from '../src/core/template.js';
import type { Campaign } from '../src/store/campaigns.js';
import { STATUS_LABEL, when, type Frame, type StoreOption } from './campaign-common.js';
import { Csrf, Flash, Layout, PostButton } from './layout.js';

export interface BuilderValues {
  readonly storeId: number | null;
  readonly name: string;
  readonly preset: string;
  readonly subject: string;
  readonly body: string;
  readonly promoCode: string;
  readonly promoItem: string;
  readonly items: string;
  readonly placedFrom: string;
  readonly placedTo: string;
  readonly categories: string;
  readonly manufacturers: string;
  readonly skus: string;
  readonly boughtAll: string;
  readonly boughtNone: string;
  readonly amountMin: string;
  readonly amountMax: string;
  readonly prospectLists: readonly string[];
  readonly noPurchasers: boolean;
}

function Field(props: { name: keyof BuilderValues; label: string; v: BuilderValues; type?: string; hint?: string; list?: string }) {
  return (
    <label>
      {props.label}{' '}
      <input
        name={props.name}
        type={props.type ?? 'text'}
        value={String(props.v[props.name] ?? '')}
        list={props.list}
        step={props.type === 'number' ? '0.01' : undefined}
      />
      {props.hint ? <span class="muted"> {props.hint}</span> : null}
    </label>
  );
}

/** The builder: a draft's text and audience, with everything it can do before it is sent. */
export function CampaignBuilder(
  props: Frame & {
    v: BuilderValues;
    campaign: Campaign | null;
    stores: readonly StoreOption[];
    choices: { categories: readonly string[]; manufacturers: readonly string[] };
    lists: readonly { list: string; count: number }[];
    tz: string;
    /** Where a test email may go (the user's own address first): the team's, never a free field. */
    testTo: readonly string[];
    error?: string | undefined;
    notice?: string | undefined;
    confirm?: string | undefined;
  },
) {
  const v = props.v;
  const c = props.campaign;
  const preset = PRESETS.find((p) => p.id === v.preset);
  return (
    <Layout title={c ? c.name : 'New campaign'} user={props.user} csrf={props.csrf}>
      <section class="content campaign-builder">
        <h1>{c ? c.name : 'New campaign'}</h1>
        {c ? (
          <p class="muted">
            Status: {STATUS_LABEL[c.status]}
            {c.scheduledAt ? `, for ${when(c.scheduledAt, props.tz)}` : ''}
          </p>
        ) : null}
        <Flash error={props.error} notice={props.notice} />
        {props.confirm && c ? (
          <form method="post" action={`/campaigns/${c.id}/send`} class="confirm" data-confirm>
            <Csrf token={props.csrf} />
            <input type="hidden" name="confirm" value="1" />
            <p role="alert">Please confirm: {props.confirm}.</p>
            <button type="submit">Yes, send now</button>
          </form>
        ) : null}
        <form method="post" action={c ? `/campaigns/${c.id}` : '/campaigns'} id="campaign-form">
          <Csrf token={props.csrf} />
          <input type="hidden" name="preset" value={v.preset} />
          <fieldset>
            <legend>Message{preset ? ` — ${preset.label}` : ''}</legend>
            <p>
              <label>
                Store{' '}
                <select name="storeId">
                  {props.stores.map((s) => (
                    <option value={String(s.id)} selected={s.id === v.storeId}>
                      {s.name}
                    </option>
                  ))}
                </select>
              </label>{' '}
              <Field name="name" label="Name" v={v} />
            </p>
            <p>
              <label class="wide">
                Subject <input name="subject" value={v.subject} required maxlength={300} />
              </label>
            </p>
            <p>
              <textarea name="body" rows={10} aria-label="Campaign text" required>
                {v.body}
              </textarea>
            </p>
            <p class="muted">
              Variables: {TEMPLATE_VARIABLES.map((x) => `{{${x}}}`).join(' ')} — with a fallback: {'{{buyer.name | there}}'}. Prospects have no order: text
              inside {'{{#order.number}}…{{/order.number}}'} goes to buyers only, inside {'{{^order.number}}…{{/order.number}}'} to prospects only. An
              unsubscribe link is added under the text, saying why the recipient gets it (bought from the store, or on its list).
            </p>
            <p>
              <Field name="promoCode" label="Promo code" v={v} /> <Field name="promoItem" label="Promo item" v={v} />
            </p>
            <p>
              <label>
                Items (one a line, for {'{{campaign.items}}'})
                <textarea name="items" rows={3}>
                  {v.items}
                </textarea>
              </label>
            </p>
          </fieldset>
          <fieldset>
            <legend>Audience (from order history; empty fields do not narrow)</legend>
            <p>
              <Field name="placedFrom" label="Ordered from" type="date" v={v} /> <Field name="placedTo" label="to" type="date" v={v} />
            </p>
            <p>
              <Field name="amountMin" label="Order total from" type="number" v={v} /> <Field name="amountMax" label="to" type="number" v={v} />
            </p>
            <p>
              <Field name="categories" label="Categories" v={v} list="categories" hint="comma-separated" />{' '}
              <Field name="manufacturers" label="Manufacturers" v={v} list="manufacturers" hint="comma-separated" />
            </p>
            <p>
              <Field name="skus" label="Bought any of (SKUs)" v={v} /> <Field name="boughtAll" label="Bought all of" v={v} />{' '}
              <Field name="boughtNone" label="Bought none of" v={v} />
            </p>
            <datalist id="categories">
              {props.choices.categories.map((x) => (
                <option value={x} />
              ))}
            </datalist>
            <datalist id="manufacturers">
              {props.choices.manufacturers.map((x) => (
                <option value={x} />
              ))}
            </datalist>
            {props.lists.length ? (
              <p data-prospect-lists>
                Also prospects on:{' '}
                {props.lists.map((l) => (
                  <label class="check">
                    <input type="checkbox" name="prospectLists" value={l.list} checked={v.prospectLists.includes(l.list)} /> {l.list} ({l.count})
                  </label>
                ))}{' '}
                <label class="check">
                  <input type="checkbox" name="noPurchasers" value="1" checked={v.noPurchasers} /> only prospects (leave purchasers out)
                </label>
              </p>
            ) : null}
            <p>
              <button type="button" class="plain" hx-post="/campaigns/audience" hx-include="#campaign-form" hx-target="#audience" data-refresh>
                Refresh count
              </button>{' '}
              <button type="submit" class="plain" formaction="/campaigns/audience.csv" data-export>
                Export CSV
              </button>
            </p>
            <div id="audience" aria-live="polite"></div>
          </fieldset>
          <p>
            <button type="submit" data-save>
              Save as draft
            </button>
          </p>
        </form>
        {c ? (
          <>
            <form method="post" action={`/campaigns/${c.id}/test`} class="inline" data-test-form>
              <Csrf token={props.csrf} />
              <label>
                Test email to{' '}
                <select name="to" required>
                  {props.testTo.map((a) => (
                    <option value={a}>{a}</option>
                  ))}
                </select>
              </label>{' '}
              <label>
                as the buyer (alias, optional) <input name="alias" />
              </label>{' '}
              <label>
                and order (number, optional) <input name="order" />
              </label>{' '}
              <button type="submit" class="plain">
                Send test
              </button>
            </form>
            <form method="post" action={`/campaigns/${c.id}/schedule`} class="inline" data-schedule-form>
              <Csrf token={props.csrf} />
              <label>
                Send at <input name="at" type="datetime-local" required /> ({props.tz})
              </label>{' '}
              <button type="submit" class="plain">
                Schedule
              </button>
            </form>
            <form method="post" action={`/campaigns/${c.id}/send`} class="inline">
              <Csrf token={props.csrf} />
              <button type="submit" data-send>
                Send now
              </button>
            </form>
            <PostButton
              action={`/campaigns/${c.id}/cancel`}
              label="Cancel campaign"
              csrf={props.csrf}
              confirm="Cancel this campaign? It cannot be sent afterwards."
            />
          </>
        ) : null}
      </section>
    </Layout>
  );
}

export function AudiencePreview(props: {
  count: number;
  prospects: number;
  cost: number;
  price: number;
  balance: number;
  sample: readonly { alias: string; name: string; orders: number }[];
  text: string;
  /** Variables of the text that are empty for part of this audience, one sentence each. */
  gaps: readonly string[];
}) {
  return (
    <div data-audience-count={String(props.count)}>
      <p>
        <strong>{props.count}</strong> match: {props.text}.
      </p>
      {props.gaps.length ? (
        <div class="flash error" role="alert" data-gaps>
          <p>Some recipients would see a gap in the text:</p>
          <ul>
            {props.gaps.map((g) => (
              <li>{g}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {props.prospects ? (
        <p data-cost class={props.cost > props.balance ? 'error' : undefined}>
          {props.prospects} of them are prospects: {props.prospects} × {props.price} = {props.cost} credits; the store has {props.balance}
          {props.cost > props.balance ? ' — not enough to send.' : '.'}
        </p>
      ) : (
        <p class="muted">All are purchasers: no credits needed.</p>
      )}
      {props.sample.length ? (
        <ul class="muted">
          {props.sample.map((s) => (
            <li>
              {s.name || '(no name)'} — {s.alias} — {s.orders} order{s.orders === 1 ? '' : 's'}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** How many rows ended so, by reason. */
