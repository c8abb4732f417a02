// Reply templates: list, create, edit, delete. Variables are listed beside the editor.
import { TEMPLATE_VARIABLES } from '../src/core/template.js';
import type { Template } from '../src/store/templates.js';
import { Csrf, Flash, Layout, PostButton } from './layout.js';

interface Frame {
  user: { name: string; role: string };
  csrf: string;
}

function Editor(props: { csrf: string; action: string; stores: readonly { id: number; name: string }[]; t?: Template | undefined; canGlobal: boolean }) {
  const t = props.t;
  return (
    <form method="post" action={props.action} class="template-editor">
      <Csrf token={props.csrf} />
      <p>
        <label>
          Name <input name="name" required maxlength={100} value={t?.name ?? ''} />
        </label>{' '}
        {t ? null : (
          <label>
            For{' '}
            <select name="storeId">
              {props.canGlobal ? <option value="">every store</option> : null}
              {props.stores.map((s) => (
                <option value={String(s.id)}>{s.name}</option>
              ))}
            </select>
          </label>
        )}
      </p>
      <p>
        <label>
          Subject <input name="subject" required maxlength={998} value={t?.subject ?? ''} />
        </label>
      </p>
      <p>
        <textarea name="body" required rows={8} aria-label="Template text">
          {t?.body ?? ''}
        </textarea>
      </p>
      <p class="muted">
        Variables: {TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(' ')} — with a fallback: {'{{buyer.name | there}}'}; text inside{' '}
        {'{{#order.number}}…{{/order.number}}'} only when there is an order.
      </p>
      <button type="submit">{t ? 'Save' : 'Add template'}</button>
    </form>
  );
}

export function TemplatesPage(
  props: Frame & { templates: readonly Template[]; stores: readonly { id: number; name: string }[]; canGlobal: boolean; error?: string | undefined },
) {
  const storeName = (id: number | null) => (id === null ? 'every store' : (props.stores.find((s) => s.id === id)?.name ?? `store ${id}`));
  return (
    <Layout title="Templates" user={props.user} csrf={props.csrf}>
      <section class="content">
        <h1>Reply templates</h1>
        <Flash error={props.error} />
        <table class="list">
          <thead>
            <tr>
              <th>Name</th>
              <th>For</th>
              <th>Subject</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {props.templates.map((t) => (
              <tr data-template={t.name}>
                <td>{t.storeId !== null || props.canGlobal ? <a href={`/templates/${t.id}`}>{t.name}</a> : t.name}</td>
                <td>{storeName(t.storeId)}</td>
                <td>{t.subject}</td>
                <td>
                  {/* A global template is the owner's: others may use it, not change or delete it. */}
                  {t.storeId !== null || props.canGlobal ? (
                    <PostButton action={`/templates/${t.id}/delete`} label="Delete" csrf={props.csrf} confirm={`Delete the template “${t.name}”?`} />
                  ) : (
                    <span class="muted">the owner's</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>New template</h2>
        <Editor csrf={props.csrf} action="/templates" stores={props.stores} canGlobal={props.canGlobal} />
      </section>
    </Layout>
  );
}

export function TemplatePage(props: Frame & { t: Template; stores: readonly { id: number; name: string }[] }) {
  return (
    <Layout title={props.t.name} user={props.user} csrf={props.csrf}>
      <section class="content">
        <p>
          <a href="/templates">← Templates</a>
        </p>
        <Editor csrf={props.csrf} action={`/templates/${props.t.id}`} stores={props.stores} t={props.t} canGlobal={false} />
      </section>
    </Layout>
  );
}
