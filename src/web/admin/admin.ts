// Owns the admin web app: static assets from our own origin (htmx from node_modules, no CDN), the
// security headers of every page, then login and the pages behind a session and CSRF checks.
// Built from the storage ports (`storage`) only, so every page runs on SQLite and on PostgreSQL
// alike, on any node: login, sessions and CSRF tokens, the first owner's setup, the inbox and
// conversations, reports, the team, the stores pages, templates, tags, notifications, webhooks,
// settings, order import, campaigns, the operations pages and the API reference.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import type { DnsResolver } from '../../dns/resolver.js';
import type { Relay } from '../../relay/pipeline.js';
import type { Storage } from '../../store/ports.js';
import type { NoticeQueue } from '../../campaigns/sender.js';
import { authRoutes, logoutRoutes } from './routes-auth.js';
import { errorPages } from './error-pages.js';
import { inboxRoutes } from './routes-inbox.js';
import { reportAdminRoutes } from './routes-reports.js';
import { storeAdminRoutes, type SubmissionServer } from './routes-stores.js';
import { templateRoutes } from './routes-templates.js';
import { tagRoutes } from './routes-tags.js';
import { operationsRoutes } from './routes-operations.js';
import { unsubscribeRoutes } from './routes-unsubscribe.js';
import { MailboxConfirmation } from './mailbox-confirmation.js';
import { displayScrub } from './display-scrub.js';
import { teamRoutes } from './routes-team.js';
import { withDisplayZone } from '../../../views/time-format.js';
import { mailboxConfirmRoutes } from './routes-mailbox.js';
import { campaignAdminRoutes } from './routes-campaigns.js';
import { settingsRoutes } from './routes-settings.js';
import { webhookAdminRoutes } from './routes-webhooks.js';
import { apiReferenceRoutes } from './routes-api-reference.js';
import { orderImportAdminRoutes } from './routes-order-import.js';
import { notificationRoutes } from './routes-notifications.js';
import type { DkimKey } from '../../outbound/dkim.js';
import type { Check } from '../../doctor.js';
import type { CampaignDeps } from '../api/deps.js';
import type { Unsubscribes } from '../../campaigns/unsubscribe.js';
import { clientOf, compileTrustedProxies } from '../client-address.js';
import { requireCsrf, requireUser, type AdminEnv } from './session.js';

const require = createRequire(import.meta.url);
// views/assets/ beside src/ when run from source; the build leaves them at the project root too
// (dist/src/web/admin → ../../../../views/assets).
const assetsDir = ['../../../views/assets/', '../../../../views/assets/']
  .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
  .find((dir) => existsSync(join(dir, 'app.css'))) as string;
const ASSETS: Record<string, { type: string; body: Buffer }> = {
  'htmx.min.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(require.resolve('htmx.org/dist/htmx.min.js')) },
  'app.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(join(assetsDir, 'app.js')) },
  'inbox.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(join(assetsDir, 'inbox.js')) },
  'app.css': { type: 'text/css; charset=utf-8', body: readFileSync(join(assetsDir, 'app.css')) },
};

// No inline script anywhere; frames only from us (the sandboxed message bodies).
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

export interface AdminOptions {
  /** The storage ports (their sessions must live SESSION_TTL_MS): every group reads and writes through them. */
  readonly storage: Storage;
  readonly resolver: DnsResolver;
  readonly hostname: string;
  readonly dkimKey: DkimKey | null;
  readonly wake: () => void;
  readonly timeZone: string;
  readonly filters: { readonly linkAllowList: readonly string[]; readonly linkAction: 'redact' | 'refuse' };
  readonly domains: readonly string[];
  readonly relay: Relay;
  readonly log: Logger;
  readonly doctor: () => Promise<readonly Check[]>;
  /** Queues a plain notice (the link that confirms a store's new mailbox). */
  readonly notice: NoticeQueue;
  /** Campaigns: their pages are mounted when given (both gateways give them). */
  readonly campaigns?: CampaignDeps | undefined;
  /** The public unsubscribe page and one-click POST: mounted when given. */
  readonly unsubscribes?: Unsubscribes | undefined;
  /** `http.trustedProxies`: whose X-Forwarded-* headers count. */
  readonly trustedProxies: readonly string[];
  /** The admin's address as staff reach it, for links in mail (`admin.publicUrl` or the listener). */
  readonly publicUrl: () => string;
  /** The submission port staff configure in their mail client; null when it is off. */
  readonly submission: () => SubmissionServer | null;
}

export function createAdminApp(o: AdminOptions): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const { admin, sessions } = o.storage;

  app.get('/assets/:name', (c) => {
    const asset = ASSETS[c.req.param('name')];
    if (!asset) return c.text('Not found', 404);
    return c.body(new Uint8Array(asset.body), 200, { 'content-type': asset.type, 'cache-control': 'public, max-age=3600' });
  });

  const trust = compileTrustedProxies(o.trustedProxies);
  app.use('*', async (c, next) => {
    c.set('client', clientOf((c.env as { incoming?: IncomingMessage } | undefined)?.incoming, trust));
    await next();
    if (!c.res.headers.has('content-security-policy')) c.header('Content-Security-Policy', CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'same-origin');
    if (!c.res.headers.has('x-frame-options')) c.header('X-Frame-Options', c.req.path.startsWith('/messages/') ? 'SAMEORIGIN' : 'DENY');
  });

  app.use('*', errorPages(sessions, admin.users));

  app.route('/', authRoutes(o.storage, o.log));
  if (o.unsubscribes) app.route('/', unsubscribeRoutes(o.unsubscribes));
  const mailboxes = new MailboxConfirmation(admin.mailboxChanges, o.storage.secrets, o.notice, o.publicUrl, o.log);
  app.route('/', mailboxConfirmRoutes(mailboxes, admin.stores));
  const pages = new Hono<AdminEnv>();
  // A reply may carry attachments (10 MB each): the whole form stays under 25 MB.
  pages.use('*', bodyLimit({ maxSize: 25 * 1024 * 1024, onError: (c) => c.text('The form is larger than 25 MB.', 413) }));
  pages.use('*', requireUser(sessions, admin.users));
  // Last: every page's HTML loses any real address that slipped into it.
  pages.use('*', displayScrub(admin, o.domains));
  // Times on every page are shown in the user's own time zone (else admin.timeZone).
  pages.use('*', (c, next) => withDisplayZone(c.get('user').timeZone ?? o.timeZone, next));
  pages.use('*', requireCsrf());
  pages.route('/', logoutRoutes(sessions));
  pages.route('/', teamRoutes(admin, sessions, o.timeZone));
  const writes = { ...o.storage.mail, ...o.storage.market };
  pages.route('/', storeAdminRoutes(admin, writes, o.resolver, o.domains, mailboxes, o.submission));
  pages.route('/', apiReferenceRoutes());
  pages.route('/', templateRoutes(o.storage.templates, o.storage.market));
  pages.route('/', tagRoutes(o.storage.tags));
  pages.route('/', notificationRoutes(o.storage.notifications, o.storage.market, o.timeZone));
  pages.route('/', webhookAdminRoutes(o.storage.webhooks));
  pages.route('/', settingsRoutes(o.storage.settings, o.storage.market));
  pages.route('/', reportAdminRoutes(o.storage.inbox, o.storage.market));
  pages.route('/', orderImportAdminRoutes(o.storage, o.storage.market, o.domains));
  if (o.campaigns) pages.route('/', campaignAdminRoutes(o.campaigns, o.storage.market, admin, o.domains[0] as string, o.timeZone));
  pages.route(
    '/',
    operationsRoutes({
      outbox: o.storage.outbox,
      operations: admin.operations,
      resolver: o.resolver,
      domain: o.domains[0] as string,
      hostname: o.hostname,
      dkimKey: o.dkimKey,
      wake: o.wake,
      doctor: o.doctor,
    }),
  );
  // The groups below still read SQLite (one line each; a group moves up when it is on the ports).
  pages.route(
    '/',
    inboxRoutes({
      tags: o.storage.tags,
      templates: o.storage.templates,
      imports: o.storage.imports,
      inbox: o.storage.inbox,
      mail: o.storage.mail,
      market: o.storage.market,
      filters: o.filters,
      outbox: o.storage.outbox,
      relay: o.relay,
      log: o.log,
    }),
  );
  // Any other path behind the login: a page, in the frame, with a way back (error-pages.tsx).
  pages.all('*', (c) => c.text('There is no such page.', 404));
  app.route('/', pages);
  return app;
}
