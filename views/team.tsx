// The owner's team page: every staff account with its stores, add an agent, disable or enable one,
// reset a password (a temporary one, shown once), and which stores each agent works on.
import type { User } from '../src/store/users.js';
import { Csrf, Flash, Layout, PostButton } from './layout.js';
import { formatTime } from './time-format.js';

export interface TeamMember extends User {
  readonly storeIds: readonly number[];
}

/** A password shown once, right after it was made. */
export interface ShownPassword {
  readonly email: string;
  readonly password: string;
}

function StoreChecks(props: { stores: readonly { id: number; name: string }[]; checked: readonly number[] }) {
  return (
    <>
      {props.stores.map((s) => (
        <label class="check">
          <input type="checkbox" name="storeId" value={String(s.id)} checked={props.checked.includes(s.id)} /> {s.name}
        </label>
      ))}
    </>
  );
}

export function TeamPage(props: {
  user: { name: string; role: string };
  csrf: string;
  me: number;
  members: readonly TeamMember[];
  stores: readonly { id: number; name: string }[];
  shown?: ShownPassword | undefined;
  error?: string | undefined;
  notice?: string | undefined;
}) {
  return (
    <Layout title="Team" user={props.user} csrf={props.csrf}>
      <section class="content">
        <h1>Team</h1>
        <p class="muted">The owner sees every store; an agent only the stores ticked here. Disabled accounts cannot log in.</p>
        <Flash error={props.error} notice={props.notice} />
        {props.shown ? (
          <p class="notice" role="status" data-shown-password>
            Password for {props.shown.email}: <code>{props.shown.password}</code> — shown only now. Give it to them; they can change it under Account.
          </p>
        ) : null}
        <table class="list">
          <thead>
            <tr>
              <th>Name</th>
              <th>Role</th>
              <th>Stores</th>
              <th>Status</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {props.members.map((m) => (
              <tr data-member={m.email}>
                <td>
                  {m.name}
                  <br />
                  <span class="muted">{m.email}</span>
                </td>
                <td>{m.role}</td>
                <td>
                  {m.role === 'owner' ? (
                    'all'
                  ) : (
                    <form method="post" action={`/team/${m.id}/stores`} class="inline">
                      <Csrf token={props.csrf} />
                      <StoreChecks stores={props.stores} checked={m.storeIds} />
                      <button type="submit" class="plain">
                        Save stores
                      </button>
                    </form>
                  )}
                </td>
                <td>{m.disabledAt ? `disabled ${formatTime(m.disabledAt)}` : `active since ${formatTime(m.createdAt, 'date')}`}</td>
                <td>
                  {m.role === 'agent' ? (
                    <>
                      <PostButton
                        action={`/team/${m.id}/${m.disabledAt ? 'enable' : 'disable'}`}
                        label={m.disabledAt ? 'Enable' : 'Disable'}
                        csrf={props.csrf}
                        class="inline"
                        confirm={m.disabledAt ? undefined : `Disable ${m.name}? They are logged out everywhere at once and cannot log in.`}
                      />
                      <PostButton
                        action={`/team/${m.id}/reset-password`}
                        label="Reset password"
                        csrf={props.csrf}
                        class="inline"
                        confirm={`Reset ${m.name}'s password? Their current one stops working and they are logged out everywhere.`}
                      />
                    </>
                  ) : m.id === props.me ? (
                    <a href="/account">Your account</a>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Add an agent</h2>
        <form method="post" action="/team" class="filters" data-add-agent>
          <Csrf token={props.csrf} />
          <input name="name" required maxlength={100} placeholder="Name" aria-label="Name" />
          <input name="email" type="email" required placeholder="their work address" aria-label="Email" />
          <StoreChecks stores={props.stores} checked={[]} />
          <button type="submit">Add agent</button>
        </form>
        <p class="muted">A password is made for the new agent and shown once here.</p>
      </section>
    </Layout>
  );
}
