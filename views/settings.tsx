// The owner's settings: banned words (global and per store) and the category rules.
import { CATEGORIES, CATEGORY_LABELS, type CategoryRule } from '../src/core/categorize.js';
import type { BannedWordRow } from '../src/store/banned-words.js';
import { Csrf, Flash, Layout, PostButton } from './layout.js';

export function SettingsPage(props: {
  user: { name: string; role: string };
  csrf: string;
  words: readonly BannedWordRow[];
  stores: readonly { id: number; name: string }[];
  rules: readonly CategoryRule[];
  error?: string | undefined;
  notice?: string | undefined;
}) {
  const storeName = (id: number | null) => (id === null ? 'every store' : (props.stores.find((s) => s.id === id)?.name ?? `store ${id}`));
  // The rules table, plus three empty rows to add more.
  const rows: (CategoryRule | null)[] = [...props.rules, null, null, null];
  return (
    <Layout title="Settings" user={props.user} csrf={props.csrf}>
      <section class="content">
        <h1>Settings</h1>
        <Flash error={props.error} notice={props.notice} />
        <h2>Banned words and phrases</h2>
        <p class="muted">Matched case-insensitively on word boundaries. Seller → buyer mail that contains one is refused; in buyer mail it is masked.</p>
        <table class="list">
          <tbody>
            {props.words.map((w) => (
              <tr data-word={w.word}>
                <td>{w.word}</td>
                <td>{storeName(w.storeId)}</td>
                <td>
                  <PostButton
                    action={`/settings/banned-words/${w.id}/delete`}
                    label="Remove"
                    csrf={props.csrf}
                    confirm={`Remove the banned word “${w.word}”? Mail with it is no longer refused.`}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form method="post" action="/settings/banned-words" class="filters">
          <Csrf token={props.csrf} />
          <input name="word" required maxlength={100} placeholder="word or phrase" aria-label="Banned word" />
          <select name="storeId" aria-label="For">
            <option value="">every store</option>
            {props.stores.map((s) => (
              <option value={String(s.id)}>{s.name}</option>
            ))}
          </select>
          <button type="submit">Add banned word</button>
        </form>

        <h2>Category rules</h2>
        <p class="muted">The first rule whose text appears in the sender or subject sets a buyer message's category. Leave a pattern empty to drop the rule.</p>
        <form method="post" action="/settings/category-rules">
          <Csrf token={props.csrf} />
          <table class="list">
            <thead>
              <tr>
                <th>If the</th>
                <th>contains</th>
                <th>the category is</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <td>
                    <select name="field" aria-label="Field">
                      <option value="subject" selected={r?.field !== 'sender'}>
                        subject
                      </option>
                      <option value="sender" selected={r?.field === 'sender'}>
                        sender
                      </option>
                    </select>
                  </td>
                  <td>
                    <input name="pattern" value={r?.pattern ?? ''} maxlength={100} aria-label="Pattern" />
                  </td>
                  <td>
                    <select name="category" aria-label="Category">
                      {CATEGORIES.filter((c) => c !== 'sent').map((c) => (
                        <option value={c} selected={r?.category === c}>
                          {CATEGORY_LABELS[c]}
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="submit">Save rules</button>
        </form>
      </section>
    </Layout>
  );
}
