// Notification rules: who is told by email about which buyer messages, on which days and hours.
import { CATEGORIES, CATEGORY_LABELS } from '../src/core/categorize.js';
import type { StoredRule } from '../src/store/notifications.js';
import { Csrf, Flash, Layout, PostButton } from './layout.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

export function NotificationsPage(props: {
  user: { name: string; role: string };
  csrf: string;
  rules: readonly StoredRule[];
  users: readonly { id: number; name: string }[];
  stores: readonly { id: number; name: string }[];
  timeZone: string;
  error?: string | undefined;
}) {
  const userName = (id: number) => props.users.find((u) => u.id === id)?.name ?? `user ${id}`;
  const storeName = (id: number | null) => (id === null ? 'any store' : (props.stores.find((s) => s.id === id)?.name ?? `store ${id}`));
  return (
    <Layout title="Notifications" user={props.user} csrf={props.csrf}>
      <section class="content">
        <h1>Notifications</h1>
        <p class="muted">
          An email (a digest when several arrive together; nothing for a message already read) when a buyer message matches a rule. Times are in{' '}
          {props.timeZone}; a window may cross midnight (22:00–06:00); equal times mean the whole day.
        </p>
        <Flash error={props.error} />
        <table class="list">
          <tbody>
            {props.rules.map((r) => (
              <tr data-rule={String(r.id)}>
                <td>{userName(r.userId)}</td>
                <td>{r.category ? CATEGORY_LABELS[r.category] : 'any category'}</td>
                <td>{storeName(r.storeId)}</td>
                <td>{DAYS.filter((_, d) => (r.weekdays & (1 << d)) !== 0).join(' ')}</td>
                <td>{r.startMinute === r.endMinute ? 'all day' : `${hhmm(r.startMinute)}–${hhmm(r.endMinute)}`}</td>
                <td>
                  <PostButton action={`/notifications/${r.id}/delete`} label="Delete" csrf={props.csrf} confirm="Delete this notification rule?" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>New rule</h2>
        <form method="post" action="/notifications" class="filters">
          <Csrf token={props.csrf} />
          <select name="userId" aria-label="Who">
            {props.users.map((u) => (
              <option value={String(u.id)}>{u.name}</option>
            ))}
          </select>
          <select name="category" aria-label="Category">
            <option value="">any category</option>
            {CATEGORIES.filter((c) => c !== 'sent').map((c) => (
              <option value={c}>{CATEGORY_LABELS[c]}</option>
            ))}
          </select>
          <select name="storeId" aria-label="Store">
            <option value="">any store</option>
            {props.stores.map((s) => (
              <option value={String(s.id)}>{s.name}</option>
            ))}
          </select>
          {DAYS.map((d, i) => (
            <label>
              <input type="checkbox" name="day" value={String(i)} checked={i >= 1 && i <= 5} /> {d}
            </label>
          ))}
          <label>
            from <input type="time" name="start" value="00:00" required aria-label="From" />
          </label>
          <label>
            to <input type="time" name="end" value="00:00" required aria-label="To" />
          </label>
          <button type="submit">Add rule</button>
        </form>
      </section>
    </Layout>
  );
}
