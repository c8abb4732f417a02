// The API reference, rendered on our own origin from the OpenAPI document (no CDN, no script):
// each operation with its method, path, what it does, its parameters, the JSON Schema of its body
// and an example request.
import { Layout } from './layout.js';

export interface ReferenceOperation {
  readonly method: string;
  readonly path: string;
  readonly tag: string;
  readonly summary: string;
  readonly parameters: readonly { readonly name: string; readonly in: string; readonly required: boolean }[];
  readonly bodyType: string | null;
  readonly bodySchema: unknown;
  readonly example: unknown;
}

export function ApiReferencePage(props: { user: { name: string; role: string }; csrf: string; operations: readonly ReferenceOperation[] }) {
  const tags = [...new Set(props.operations.map((o) => o.tag))];
  return (
    <Layout title="API reference" user={props.user} csrf={props.csrf}>
      <section class="content api-reference">
        <h1>API reference</h1>
        <p class="muted">
          Every request to <code>/api/v1</code> needs <code>Authorization: Bearer &lt;token&gt;</code>. Errors are <code>{'{error, code, message}'}</code> with
          the verdict’s status. The machine-readable document: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1). Events and webhooks:
          docs/webhooks.md.
        </p>
        <nav>
          {tags.map((t) => (
            <a href={`#${t}`}>{t}</a>
          ))}
        </nav>
        {tags.map((t) => (
          <>
            <h2 id={t}>{t}</h2>
            {props.operations
              .filter((o) => o.tag === t)
              .map((o) => (
                <details data-operation={`${o.method} ${o.path}`}>
                  <summary>
                    <code>{o.method}</code> <code>{o.path}</code> — {o.summary}
                  </summary>
                  {o.parameters.length ? (
                    <p>
                      Parameters:{' '}
                      {o.parameters.map((p) => (
                        <>
                          <code>{p.name}</code> ({p.in}
                          {p.required ? ', required' : ''}){' '}
                        </>
                      ))}
                    </p>
                  ) : null}
                  {o.bodyType ? (
                    <>
                      <p>
                        Body (<code>{o.bodyType}</code>):
                      </p>
                      <pre>{JSON.stringify(o.bodySchema, null, 2)}</pre>
                    </>
                  ) : null}
                  {o.example !== undefined ? (
                    <>
                      <p>Example:</p>
                      <pre>{JSON.stringify(o.example, null, 2)}</pre>
                    </>
                  ) : null}
                </details>
              ))}
          </>
        ))}
      </section>
    </Layout>
  );
}
