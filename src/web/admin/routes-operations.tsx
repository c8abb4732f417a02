// Owns the owner's operational pages: the outbox (retry now, captured mail shown safely, buyers only
// by alias) and the setup page: the DNS records to publish with a live check through the one
// resolver, and the doctor's checks.
import { Hono } from 'hono';
import type { Check } from '../../doctor.js';
import type { DnsResolver } from '../../dns/resolver.js';
import { dnsRecords, type DkimKey } from '../../outbound/dkim.js';
import { parseMail } from '../../relay/parse.js';
import type { OperationsStore, OutboxQueue, OutboxRow, OutboxStatus } from '../../store/ports.js';
import { DnsPage, DoctorResults, OutboxItemPage, OutboxPage, type DnsCheck, type OutboxView } from '../../../views/operations.js';
import { sandboxedHtml } from './sandboxed-html.js';
import { frameOf, type AdminEnv } from './session.js';
import { paramId } from './param-id.js';

export interface OperationsDeps {
  /** A row and its bytes (the queue port). */
  readonly outbox: Pick<OutboxQueue, 'get' | 'raw'>;
  /** The outbox list, retry now, a buyer's alias (the admin port). */
  readonly operations: Pick<OperationsStore, 'outbox' | 'retryNow' | 'buyerToken'>;
  readonly resolver: DnsResolver;
  readonly domain: string;
  readonly hostname: string;
  readonly dkimKey: DkimKey | null;
  /** Wakes the delivery worker after "retry now". */
  readonly wake: () => void;
  /** Runs `maskgate doctor`'s checks against the running gateway. */
  readonly doctor: () => Promise<readonly Check[]>;
}

const STATUSES = ['queued', 'deferred', 'sent', 'captured', 'failed'];

export function operationsRoutes(d: OperationsDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const frame = frameOf;
  app.use('/outbox/*', async (c, next) => (c.get('user').role === 'owner' ? next() : c.text('Only the owner sees the outbox.', 403)));
  app.use('/outbox', async (c, next) => (c.get('user').role === 'owner' ? next() : c.text('Only the owner sees the outbox.', 403)));
  app.use('/dns', async (c, next) => (c.get('user').role === 'owner' ? next() : c.text('Only the owner sees the setup.', 403)));
  app.use('/dns/*', async (c, next) => (c.get('user').role === 'owner' ? next() : c.text('Only the owner sees the setup.', 403)));

  /** A buyer's address is never shown: the alias stands in for it. */
  const buyerAlias = async (email: string): Promise<string | null> => {
    const token = await d.operations.buyerToken(email);
    return token ? `${token}@${d.domain}` : null;
  };
  const view = async (r: OutboxRow): Promise<OutboxView> => {
    const alias = await buyerAlias(r.envTo);
    return { ...r, recipient: alias ? `buyer ${alias}` : r.envTo };
  };

  app.get('/outbox', async (c) => {
    const status = STATUSES.includes(c.req.query('status') ?? '') ? (c.req.query('status') as OutboxStatus) : undefined;
    const rows = await Promise.all((await d.operations.outbox({ status, limit: 100 })).map(view));
    return c.html(<OutboxPage {...frame(c)} rows={rows} status={status ?? ''} notice={c.req.query('retried') ? 'Queued for delivery now.' : undefined} />);
  });

  app.post('/outbox/:id/retry', async (c) => {
    const id = paramId(c.req.param('id'));
    await d.operations.retryNow(id);
    d.wake();
    return c.redirect('/outbox?retried=1', 303);
  });

  const parsed = async (id: number) => {
    const row = await d.outbox.get(id);
    const raw = row ? await d.outbox.raw(id) : null;
    return row && raw ? { row, raw, mail: await parseMail(raw, 5000).catch(() => null) } : null;
  };

  app.get('/outbox/:id', async (c) => {
    const p = await parsed(paramId(c.req.param('id')));
    if (!p) return c.text('No such delivery.', 404);
    const v = await view(p.row);
    let source = p.raw.toString('latin1');
    const alias = await buyerAlias(p.row.envTo);
    if (alias) source = source.split(p.row.envTo).join(alias);
    return c.html(<OutboxItemPage {...frame(c)} row={v} text={p.mail?.text ?? ''} hasHtml={Boolean(p.mail?.html)} source={source} />);
  });

  app.get('/outbox/:id/body', async (c) => {
    const id = paramId(c.req.param('id'));
    return (await d.outbox.get(id)) ? sandboxedHtml(c, await d.outbox.raw(id)) : c.text('No such delivery.', 404);
  });

  // The records to publish, each looked up now: live, missing/different, or the lookup failed.
  app.get('/dns', async (c) => {
    const checks: DnsCheck[] = await Promise.all(
      dnsRecords(d.domain, d.hostname, d.dkimKey).map(async (r): Promise<DnsCheck> => {
        try {
          const rows = await d.resolver(r.name, r.type);
          const found =
            r.type === 'MX'
              ? rows.map((x) => `${(x as { priority: number }).priority} ${(x as { exchange: string }).exchange}`)
              : rows.map((x) => (Array.isArray(x) ? x.join('') : String(x)));
          const norm = (v: string) => v.replace(/\.$/, '').replace(/\s+/g, ' ').trim().toLowerCase();
          const live = found.some((f) => norm(f) === norm(r.value) || (r.type === 'TXT' && r.name.startsWith('_dmarc.') && /^v=dmarc1/i.test(f)));
          return { ...r, live: live ? 'yes' : 'no', found: found.join(' | ').slice(0, 200) };
        } catch (err) {
          const code = (err as { code?: string }).code;
          return { ...r, live: code === 'ENOTFOUND' || code === 'ENODATA' ? 'no' : 'unknown', found: '' };
        }
      }),
    );
    return c.html(<DnsPage {...frame(c)} checks={checks} />);
  });

  // Loaded by the setup page after it renders: some checks wait on DNS or the smarthost.
  app.get('/dns/doctor', async (c) => c.html(<DoctorResults checks={await d.doctor()} />));

  return app;
}
