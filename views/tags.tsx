// Tags (name and colour) and the chips and controls that show them on a message.
import type { Tag } from '../src/store/tags.js';
import { TAG_COLOURS } from '../src/store/tags.js';
import { Csrf, Flash, Layout, PostButton } from './layout.js';

export function TagChip(props: { tag: Tag; removeAction?: string | undefined; csrf?: string | undefined; target?: string | undefined }) {
  return (
    <span class={`tag c-${props.tag.colour}`} data-tag={props.tag.name}>
      {props.tag.name}
      {props.removeAction && props.csrf ? (
        <form method="post" action={props.removeAction} hx-post={props.removeAction} hx-target={props.target} hx-swap="outerHTML">
          <Csrf token={props.csrf} />
          <button type="submit" title={`Remove ${props.tag.name}`} aria-label={`Remove tag ${props.tag.name}`}>
            ×
          </button>
        </form>
      ) : null}
    </span>
  );
}

function ColourSelect(props: { value?: string }) {
  return (
    <select name="colour" aria-label="Colour">
      {TAG_COLOURS.map((c) => (
        <option value={c} selected={props.value === c}>
          {c}
        </option>
      ))}
    </select>
  );
}

export function TagsPage(props: { user: { name: string; role: string }; csrf: string; tags: readonly Tag[]; error?: string | undefined }) {
  return (
    <Layout title="Tags" user={props.user} csrf={props.csrf}>
      <section class="content">
        <h1>Tags</h1>
        <p class="muted">A message carries at most two tags.{props.user.role === 'owner' ? '' : ' Tags are shared by every store; the owner changes them.'}</p>
        <Flash error={props.error} />
        <table class="list">
          <tbody>
            {props.tags.map((t) => (
              <tr data-tag-row={t.name}>
                <td>
                  <TagChip tag={t} />
                </td>
                {props.user.role !== 'owner' ? null : (
                  <>
                    <td>
                      <form method="post" action={`/tags/${t.id}`} class="inline">
                        <Csrf token={props.csrf} />
                        <input name="name" value={t.name} required maxlength={40} aria-label="Name" />
                        <ColourSelect value={t.colour} />
                        <button type="submit" class="plain">
                          Save
                        </button>
                      </form>
                    </td>
                    <td>
                      <PostButton
                        action={`/tags/${t.id}/delete`}
                        label="Delete"
                        csrf={props.csrf}
                        class="inline"
                        confirm={`Delete the tag “${t.name}”? It is taken off every message.`}
                      />
                    </td>
                  </>
                )}
              </tr>
            ))}
          </tbody>
        </table>
        {props.user.role !== 'owner' ? null : (
          <>
            <h2>New tag</h2>
            <form method="post" action="/tags" class="inline">
              <Csrf token={props.csrf} />
              <input name="name" required maxlength={40} placeholder="Name" aria-label="New tag name" />
              <ColourSelect />
              <button type="submit">Add tag</button>
            </form>
          </>
        )}
      </section>
    </Layout>
  );
}
