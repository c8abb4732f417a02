// A page for a refusal or a missing thing (no such conversation, an expired setup link …): the
// admin's frame, the sentence, and a way back.
import { Layout } from './layout.js';

export interface WayBack {
  readonly href: string;
  readonly label: string;
}

export function ErrorPage(props: { status: number; message: string; back: WayBack; user: { name: string; role: string } | null; csrf: string | null }) {
  const title = props.status === 404 ? 'Not found' : props.status === 403 ? 'Not allowed' : 'Something went wrong';
  return (
    <Layout title={title} user={props.user} csrf={props.csrf}>
      <section class="content error-page" data-error-page={String(props.status)}>
        <h1>{title}</h1>
        <p class="error" role="alert">
          {props.message}
        </p>
        <p>
          <a href={props.back.href} data-way-back>
            ← {props.back.label}
          </a>
        </p>
      </section>
    </Layout>
  );
}
