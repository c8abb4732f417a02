// A gateway (no sink) with one owner account, for the admin's tests over real HTTP: the harness and
// the admin's base URL. OWNER's credentials log in with admin-client.ts postLogin or adminLogin.
import { UserRepo } from '../../src/store/users.js';
import { startHarness, type Harness } from './gateway.js';

export const OWNER = { email: 'olivia@seller.example', password: 'correct horse battery staple' };

/** Adds the OWNER account to the harness's database, under `name`. */
export async function addOwner(h: Harness, name = 'Olivia'): Promise<void> {
  await new UserRepo(h.gw.db).create({ email: OWNER.email, name, role: 'owner', password: OWNER.password, storeIds: [] });
}

export async function startWithOwner(overrides: Record<string, unknown> = {}): Promise<{ h: Harness; base: string }> {
  const h = await startHarness(overrides, { sink: false });
  const base = `http://127.0.0.1:${h.gw.httpPort}`;
  await addOwner(h);
  return { h, base };
}
