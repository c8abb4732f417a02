// Owns the admin web app: static assets from our own origin (htmx from node_modules, no CDN), the
// security headers of every page, then login and the pages behind a session and CSRF checks.
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
import { CredentialRepo } from '../../store/credentials.js';
import type { Db } from '../../store/db.js';
import { OutboxRepo } from '../../store/outbox.js';
import { SessionRepo } from '../../store/sessions.js';
import { StoreRepo } from '../../store/stores.js';
import { UserRepo } from '../../store/users.js';
import { authRoutes, logoutRoutes } from './routes-auth.js';
import { errorPages } from './error-pages.js';
import { inboxRoutes } from './routes-inbox.js';
import { reportAdminRoutes } from './routes-reports.js';
import { storeAdminRoutes, type SubmissionServer } from './routes-stores.js';
import { templateRoutes } from './routes-templates.js';
import { TemplateRepo } from '../../store/templates.js';
import { TagRepo } from '../../store/tags.js';
import { NoteRepo } from '../../store/notes.js';
import { tagRoutes } from './routes-tags.js';
import { operationsRoutes } from './routes-operations.js';
import { unsubscribeRoutes } from './routes-unsubscribe.js';
import { MailboxConfirmation } from './mailbox-confirmation.js';
import { displayScrub } from './display-scrub.js';
import { teamRoutes } from './routes-team.js';
import { withDisplayZone } from '../../../views/time-format.js';
import { mailboxConfirmRoutes } from './routes-mailbox.js';
import { campaignAdminRoutes } from './routes-campaigns.js';
import { sqliteMarket } from '../../store/sqlite/market.js';
import { sqliteStorage } from '../../store/sqlite/storage.js';
import { settingsRoutes } from './routes-settings.js';
import { webhookAdminRoutes } from './routes-webhooks.js';
import { apiReferenceRoutes } from './routes-api-reference.js';
import { orderImportAdminRoutes } from './routes-order-import.js';
import { notificationRoutes } from './routes-notifications.js';
import { NotificationRepo } from '../../store/notifications.js';
import { ConversationRepo } from '../../store/conversations.js';
import { BannedWordRepo } from '../../store/banned-words.js';
import { CategoryRuleRepo } from '../../store/category-rules.js';
import type { DkimKey } from '../../outbound/dkim.js';
import type { Check } from '../../doctor.js';
import type { CampaignDeps } from '../api/deps.js';
import type { Unsubscribes } from '../../campaigns/unsubscribe.js';
import { clientOf, compileTrustedProxies } from '../client-address.js';
import { requireCsrf, requireUser, SESSION_TTL_MS, type AdminEnv } from './session.js';

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
  readonly db: Db;
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
  readonly campaigns: CampaignDeps;
  readonly unsubscribes: Unsubscribes;
  /** `http.trustedProxies`: whose X-Forwarded-* headers count. */
  readonly trustedProxies: readonly string[];
  /** The admin's address as staff reach it, for links in mail (`admin.publicUrl` or the listener). */
  readonly publicUrl: () => string;
  /** The submission port staff configure in their mail client; null when it is off. */
  readonly submission: () => SubmissionServer | null;
}

export function createAdminApp(o: AdminOptions): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const users = new UserRepo(o.db);
  const sessions = new SessionRepo(o.db, SESSION_TTL_MS);
  const stores = new StoreRepo(o.db);

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

  app.use('*', errorPages(sessions, users));

  app.route('/', authRoutes(o.db, users, sessions, o.log));
  app.route('/', unsubscribeRoutes(o.unsubscribes));
  const mailboxes = new MailboxConfirmation(o.db, o.campaigns.notice, o.publicUrl, o.log);
  app.route('/', mailboxConfirmRoutes(mailboxes, stores));
  const pages = new Hono<AdminEnv>();
  // A reply may carry attachments (10 MB each): the whole form stays under 25 MB.
  pages.use('*', bodyLimit({ maxSize: 25 * 1024 * 1024, onError: (c) => c.text('The form is larger than 25 MB.', 413) }));
  pages.use('*', requireUser(sessions, users));
  // Last: every page's HTML loses any real address that slipped into it.
  pages.use('*', displayScrub(o.db, o.domains));
  // Times on every page are shown in the user's own time zone (else admin.timeZone).
  pages.use('*', (c, next) => withDisplayZone(c.get('user').timeZone ?? o.timeZone, next));
  pages.use('*', requireCsrf());
  pages.route('/', logoutRoutes(sessions));
  pages.route('/', teamRoutes(users, sessions, stores, o.timeZone));
  pages.route('/', inboxRoutes({ db: o.db, filters: o.filters, stores, outbox: new OutboxRepo(o.db), relay: o.relay, log: o.log }));
  pages.route('/', reportAdminRoutes(o.db, stores));
  pages.route('/', storeAdminRoutes(stores, new CredentialRepo(o.db), o.resolver, o.domains, mailboxes, o.submission, new ConversationRepo(o.db)));
  pages.route('/', templateRoutes(new TemplateRepo(o.db), stores));
  pages.route('/', tagRoutes(new TagRepo(o.db), new NoteRepo(o.db)));
  pages.route('/', notificationRoutes(new NotificationRepo(o.db), users, stores, o.timeZone));
  pages.route('/', webhookAdminRoutes(o.db));
  pages.route('/', apiReferenceRoutes());
  // The campaign and order-import groups use only the ports (built here over o.db until the admin takes `storage`).
  pages.route('/', orderImportAdminRoutes(sqliteStorage(o.db, { sessionTtlMs: 0 }), sqliteMarket(o.db), o.domains));
  pages.route('/', settingsRoutes(new BannedWordRepo(o.db), new CategoryRuleRepo(o.db), stores));
  pages.route(
    '/',
    operationsRoutes({
      db: o.db,
      outbox: new OutboxRepo(o.db),
      resolver: o.resolver,
      domain: o.domains[0] as string,
      hostname: o.hostname,
      dkimKey: o.dkimKey,
      wake: o.wake,
      doctor: o.doctor,
    }),
  );
  pages.route('/', campaignAdminRoutes(o.campaigns, sqliteMarket(o.db), o.domains[0] as string, o.timeZone));
  // Any other path behind the login: a page, in the frame, with a way back (error-pages.tsx).
  pages.all('*', (c) => c.text('There is no such page.', 404));
  app.route('/', pages);
  return app;
}
