// Owns moving a store's mail to a new mailbox only with that mailbox's consent: the owner's request
// sends a signed, expiring link (HMAC-SHA256 over the request id and expiry, secret kept in the
// database) to the new mailbox through the outbox, like every automatic notice; opening it and
// pressing Confirm applies the change. Until then the old mailbox keeps receiving everything.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { NoticeQueue } from '../../campaigns/sender.js';
import type { ConfirmOutcome, MailboxChange, MailboxChangeStore, SecretStore, StoreRow } from '../../store/ports.js';

/** How long a confirmation link works. */
export const MAILBOX_LINK_TTL_MS = 48 * 3600 * 1000;

export class MailboxConfirmation {
  readonly #repo: MailboxChangeStore;
  readonly #secrets: Pick<SecretStore, 'secret'>;
  #secret: Promise<Buffer> | null = null;
  readonly #notice: NoticeQueue;
  readonly #publicUrl: () => string;
  readonly #log: Logger;

  constructor(changes: MailboxChangeStore, secrets: Pick<SecretStore, 'secret'>, notice: NoticeQueue, publicUrl: () => string, log: Logger) {
    this.#log = log;
    this.#repo = changes;
    this.#secrets = secrets;
    this.#notice = notice;
    this.#publicUrl = publicUrl;
  }

  /** The secret is made once in the database (the same on every node) and read once per process. */
  async #mac(id: number, expiresAt: number): Promise<string> {
    this.#secret ??= this.#secrets.secret('mailbox_change_secret').catch((err: unknown) => {
      this.#secret = null;
      throw err;
    });
    return createHmac('sha256', await this.#secret)
      .update(`mailbox\n${id}\n${expiresAt}`)
      .digest('base64url');
  }

  /** `<id>.<expiresAt>.<mac>`: names the request; forged or altered tokens are rejected before the database is asked. */
  async token(change: MailboxChange): Promise<string> {
    return `${change.id}.${change.expiresAt}.${await this.#mac(change.id, change.expiresAt)}`;
  }

  /** The request a token names, when its signature holds (expiry and use are checked on confirm). */
  async resolve(token: string): Promise<MailboxChange | null> {
    const m = /^(\d{1,12})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return null;
    const id = Number(m[1]);
    const expiresAt = Number(m[2]);
    const given = Buffer.from(m[3] as string);
    const expected = Buffer.from(await this.#mac(id, expiresAt));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const change = await this.#repo.get(id);
    return change && change.expiresAt === expiresAt ? change : null;
  }

  pending(storeId: number): Promise<MailboxChange | null> {
    return this.#repo.pending(storeId);
  }

  /** Records the request and mails the link to the new mailbox. */
  async request(store: StoreRow, mailbox: string, by: { id: number; name: string }): Promise<MailboxChange> {
    const change = await this.#repo.request(store.id, mailbox, by.id, MAILBOX_LINK_TTL_MS);
    this.#log.info({ event: 'admin.mailbox-change-requested', storeId: store.id, changeId: change.id, userId: by.id }, 'mailbox change waits for confirmation');
    const link = `${this.#publicUrl()}/mailbox/confirm?t=${encodeURIComponent(await this.token(change))}`;
    await this.#notice(
      change.mailbox,
      `Confirm the new mailbox for ${store.name}`,
      [
        `${by.name} asked that buyer mail for the store "${store.name}" go to this mailbox (${change.mailbox}) from now on.`,
        '',
        'To confirm, open this link within 48 hours and press Confirm:',
        '',
        `  ${link}`,
        '',
        `Until then mail keeps going to the store's current mailbox. If you did not expect this, ignore this message: nothing changes.`,
      ].join('\n'),
    );
    return change;
  }

  /** Applies a confirmed change and tells the old mailbox where mail goes now. */
  async confirm(change: MailboxChange): Promise<ConfirmOutcome> {
    const outcome = await this.#repo.confirm(change.id);
    if (outcome.ok) this.#log.info({ event: 'admin.mailbox-changed', storeId: outcome.store.id, changeId: change.id }, 'store mailbox changed');
    if (outcome.ok && outcome.previousMailbox !== outcome.store.mailbox) {
      await this.#notice(
        outcome.previousMailbox,
        `Mail for ${outcome.store.name} now goes to another mailbox`,
        `Buyer mail for the store "${outcome.store.name}" now goes to ${outcome.store.mailbox}, as its owner asked and that mailbox confirmed. This mailbox gets no more of it.`,
      );
    }
    return outcome;
  }
}
