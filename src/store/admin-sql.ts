// The admin port's statements that read the same in SQLite and PostgreSQL, written once with `?`
// placeholders and camelCase aliases; pgText() makes PostgreSQL's form of one ($1, $2 … and quoted
// aliases, which PostgreSQL would otherwise fold to lower case).

export const USER_COLS = 'id, email, name, role, created_at AS createdAt, disabled_at AS disabledAt, time_zone AS timeZone';
export const STORE_COLS = 'id, slug, name, mailbox, created_at AS createdAt';
export const CREDENTIAL_COLS =
  'id, permitted_sender_id AS permittedSenderId, label, created_at AS createdAt, last_used_at AS lastUsedAt, revoked_at AS revokedAt';
export const MAILBOX_CHANGE_COLS =
  'id, store_id AS storeId, mailbox, requested_by AS requestedBy, created_at AS createdAt, expires_at AS expiresAt, settled_at AS settledAt, outcome';

/** The addresses the admin's display scrub keeps (web/admin/display-scrub.ts). */
export const KEPT_ADDRESSES = `
  SELECT email AS a FROM users
  UNION SELECT mailbox FROM stores
  UNION SELECT email FROM permitted_senders
  UNION SELECT mailbox FROM store_mailbox_changes WHERE settled_at IS NULL
  UNION SELECT pattern FROM category_rules WHERE field = 'sender' AND pattern LIKE '%@%'`;

export const BUYER_TOKEN = 'SELECT p.token FROM buyers b JOIN pairs p ON p.buyer_id = b.id WHERE b.email = ? LIMIT 1';
export const QUEUE = "SELECT count(*) AS waiting, min(created_at) AS oldest FROM outbox WHERE status IN ('queued', 'deferred')";
export const RETRY_NOW = "UPDATE outbox SET next_attempt_at = ?, updated_at = ? WHERE id = ? AND status IN ('queued', 'deferred')";
export const SWAP_SETTING = 'UPDATE settings SET value = ? WHERE key = ? AND value = ?';
/** The first value of a setting, only when it has none (SWAP_SETTING with nothing expected). */
export const FIRST_SETTING = 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING';

/** PostgreSQL's form of a statement written for both: `?` → `$n`, `AS camelCase` → `AS "camelCase"`. */
export function pgText(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`).replace(/\bAS ([a-z]+[A-Z][A-Za-z]*)\b/g, 'AS "$1"');
}
