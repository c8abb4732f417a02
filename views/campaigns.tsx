// The campaign list, with the stores' credits, prospect lists, the CSV import and (for the owner)
// credits and their price.
import { PRESETS } from '../src/core/campaign-presets.js';
import type { Campaign, Progress } from '../src/store/campaigns.js';
import { STATUS_LABEL, when, type Frame, type StoreOption } from './campaign-common.js';
import { Csrf, Flash, Layout } from './layout.js';

function StoreSelect(props: { stores: readonly StoreOption[] }) {
  return (
    <select name="storeId">
      {props.stores.map((s) => (
        <option value={String(s.id)}>{s.name}</option>
      ))}
    </select>
  );
}

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
            Import prospects into <StoreSelect stores={props.stores} />
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
                Add credits to <StoreSelect stores={props.stores} />
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
