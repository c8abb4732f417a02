// Campaign pages: the list, the builder (template, text, audience with a live count and sample,
// CSV export, test email, draft / schedule / send now) and the progress of a running campaign.
import { PRESETS } from '../src/core/campaign-presets.js';
import { TEMPLATE_VARIABLES } from '../src/core/template.js';
import type { Campaign, Progress } from '../src/store/campaigns.js';
import { Csrf, Flash, Layout, PostButton } from './layout.js';

interface Frame {
  user: { name: string; role: string };
  csrf: string;
}

type StoreOption = { id: number; name: string };

const when = (ms: number | null, tz: string) =>
  ms === null ? '—' : new Intl.DateTimeFormat('en-GB', { timeZone: tz, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms)) + ` (${tz})`;

const STATUS_LABEL: Record<Campaign['status'], string> = {
  draft: 'draft',
  scheduled: 'scheduled',
  late: 'late: waiting for a confirmation',
  sending: 'sending',
  paused: 'paused',
  done: 'done',
  cancelled: 'cancelled',
};

export function CampaignsPage(
  props: Frame & {
    campaigns: readonly (Campaign & { progress: Progress })[];
    stores: readonly (StoreOption & { balance: number })[];
    lists: readonly { storeId: number; list: string; count: number }[];
    price: number;
    tz: string;
    notice?: string | undefined;
    error?: string | undefined;
  },
) {
  const storeName = (id: number) => props.stores.find((s) => s.id === id)?.name ?? `store ${id}`;
  const owner = props.user.role === 'owner';
  return (
    <Layout title="Campaigns" user={props.user} csrf={props.csrf}>
      <section class="content">
        <h1>Campaigns</h1>
        <Flash error={props.error} notice={props.notice} />
        <p>
          New campaign from:{' '}
          {PRESETS.map((p) => (
            <>
              <a href={`/campaigns/new?preset=${p.id}`} data-preset={p.id}>
                {p.label}
              </a>{' '}
            </>
          ))}
        </p>
        <table class="list" data-campaigns>
          <thead>
            <tr>
              <th>Name</th>
              <th>Store</th>
              <th>Status</th>
              <th>Sent / recipients</th>
              <th>When</th>
            </tr>
          </thead>
          <tbody>
            {props.campaigns.map((c) => (
              <tr data-campaign={c.name}>
                <td>
                  <a href={`/campaigns/${c.id}`}>{c.name}</a>
                </td>
                <td>{storeName(c.storeId)}</td>
                <td>{STATUS_LABEL[c.status]}</td>
                <td>{c.progress.total ? `${c.progress.sent} / ${c.progress.total}` : '—'}</td>
                <td>{when(c.startedAt ?? c.scheduledAt ?? c.createdAt, props.tz)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Prospects and credits</h2>
        <p class="muted">
          Prospects are people who have not bought yet (a wishlist, a cart). Each message to one costs {props.price} credit{props.price === 1 ? '' : 's'} from
          the store's balance; purchasers cost nothing.
        </p>
        <table class="list" data-credits>
          <thead>
            <tr>
              <th>Store</th>
              <th>Credits</th>
              <th>Prospect lists</th>
            </tr>
          </thead>
          <tbody>
            {props.stores.map((s) => (
              <tr data-store-credits={s.name}>
                <td>{s.name}</td>
                <td data-balance>{s.balance}</td>
                <td>
                  {props.lists
                    .filter((l) => l.storeId === s.id)
                    .map((l) => `${l.list} (${l.count})`)
                    .join(', ') || '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form method="post" action="/campaigns/prospects" enctype="multipart/form-data" class="inline" data-import>
          <Csrf token={props.csrf} />
          <label>
            Import prospects into{' '}
            <select name="storeId">
              {props.stores.map((s) => (
                <option value={String(s.id)}>{s.name}</option>
              ))}
            </select>
          </label>{' '}
          <label>
            list <input name="list" required maxlength={100} placeholder="wishlist" />
          </label>{' '}
          <label>
            CSV (email,name) <input name="file" type="file" accept=".csv,text/csv" required />
          </label>{' '}
          <button type="submit" class="plain">
            Import
          </button>
        </form>
        {owner ? (
          <>
            <form method="post" action="/campaigns/credits" class="inline" data-add-credits>
              <Csrf token={props.csrf} />
              <label>
                Add credits to{' '}
                <select name="storeId">
                  {props.stores.map((s) => (
                    <option value={String(s.id)}>{s.name}</option>
                  ))}
                </select>
              </label>{' '}
              <label>
                credits <input name="delta" type="number" step="1" required />
              </label>{' '}
              <label>
                note <input name="reason" maxlength={200} />
              </label>{' '}
              <button type="submit" class="plain">
                Add
              </button>
            </form>
            <form method="post" action="/campaigns/price" class="inline" data-price>
              <Csrf token={props.csrf} />
              <label>
                Credits per prospect message <input name="credits" type="number" min="0" max="1000" step="1" value={String(props.price)} required />
              </label>{' '}
              <button type="submit" class="plain">
                Save
              </button>
            </form>
          </>
        ) : null}
      </section>
    </Layout>
  );
}

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
            <button type="submit">Send anyway</button>
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
              Variables: {TEMPLATE_VARIABLES.map((x) => `{{${x}}}`).join(' ')} — with a fallback: {'{{buyer.name | there}}'}. An unsubscribe link is added under
              the text.
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
                Test email to <input name="to" type="email" required />
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
            <PostButton action={`/campaigns/${c.id}/cancel`} label="Cancel campaign" csrf={props.csrf} />
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
}) {
  return (
    <div data-audience-count={String(props.count)}>
      <p>
        <strong>{props.count}</strong> match: {props.text}.
      </p>
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
function Reasons(props: { by: Readonly<Record<string, number>> }) {
  return (
    <>
      {Object.entries(props.by).map(([why, n]) => (
        <div class="muted">
          {n} {why}
        </div>
      ))}
    </>
  );
}

export function ProgressPanel(props: { c: Campaign; p: Progress; csrf: string }) {
  const { c, p } = props;
  const live = c.status === 'sending' || c.status === 'paused';
  const left = p.ratePerSecond > 0 ? Math.ceil(p.pending / p.ratePerSecond) : null;
  return (
    <div
      id="progress"
      data-progress
      data-status={c.status}
      {...(live ? { 'hx-get': `/campaigns/${c.id}/progress`, 'hx-trigger': 'every 1s', 'hx-swap': 'outerHTML' } : {})}
    >
      <p>
        Status: <strong data-status-label>{STATUS_LABEL[c.status]}</strong>
      </p>
      <table class="list">
        <tbody>
          <tr>
            <td>Sent</td>
            <td data-count="sent">{p.sent}</td>
          </tr>
          <tr>
            <td>Pending</td>
            <td data-count="pending">{p.pending}</td>
          </tr>
          <tr>
            <td>Skipped</td>
            <td data-count="skipped">
              {p.skipped}
              <Reasons by={p.skippedBy} />
            </td>
          </tr>
          <tr>
            <td>Failed</td>
            <td data-count="failed">
              {p.failed}
              <Reasons by={p.failedBy} />
            </td>
          </tr>
          {p.unknown ? (
            <tr>
              <td>Unknown</td>
              <td data-count="unknown">{p.unknown} (the server stopped during their delivery; not repeated)</td>
            </tr>
          ) : null}
          <tr>
            <td>Rate</td>
            <td>
              {p.ratePerSecond.toFixed(1)} a second{left !== null && p.pending ? `, about ${left} s left` : ''}
            </td>
          </tr>
        </tbody>
      </table>
      {c.status === 'sending' ? <PostButton action={`/campaigns/${c.id}/pause`} label="Pause" csrf={props.csrf} /> : null}
      {c.status === 'paused' ? <PostButton action={`/campaigns/${c.id}/resume`} label="Resume" csrf={props.csrf} /> : null}
      {live ? <PostButton action={`/campaigns/${c.id}/cancel`} label="Cancel" csrf={props.csrf} /> : null}
    </div>
  );
}

export function CampaignPage(
  props: Frame & { c: Campaign; p: Progress; audienceText: string; tz: string; notice?: string | undefined; error?: string | undefined },
) {
  const c = props.c;
  return (
    <Layout title={c.name} user={props.user} csrf={props.csrf}>
      <section class="content">
        <h1>{c.name}</h1>
        <Flash error={props.error} notice={props.notice} />
        <p class="muted">
          Started {when(c.startedAt, props.tz)}
          {c.finishedAt ? `, ended ${when(c.finishedAt, props.tz)}` : ''}. Audience: {props.audienceText}.
        </p>
        <p>
          Subject: <strong>{c.subject}</strong>
        </p>
        <pre class="source">{c.body}</pre>
        <ProgressPanel c={c} p={props.p} csrf={props.csrf} />
      </section>
    </Layout>
  );
}
