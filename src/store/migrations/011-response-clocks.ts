// The response clock (core/response-clock.ts) kept in SQL, so the Reports page reads summaries
// instead of every message: response_clocks has one row per clock (a conversation waiting for the
// store, from the first unanswered buyer message to the store's answer or a "no response needed"
// mark), written by triggers on messages; response_daily sums the clocks per UTC day of their start,
// store, category and responder, with a histogram of response times (b0…b24, the buckets of
// BUCKET_EDGES_MIN, copied here so this migration never changes); message_daily counts messages per
// day, store, category and direction (campaign mail left out). Existing messages are backfilled.

// Frozen copy of core/response-clock.ts BUCKET_EDGES_MIN (a test keeps them equal).
export const BUCKET_EDGES_MIN = [0, 5, 10, 15, 30, 45, 60, 90, 120, 180, 240, 360, 480, 600, 720, 900, 1080, 1260, 1440, 1800, 2160, 2880, 4320, 7200, 10080];
const B = BUCKET_EDGES_MIN.length;
const buckets = Array.from({ length: B }, (_, i) => `b${i}`);

/** The bucket of a response time in ms (an SQL expression), as core bucketOf. */
function bucketSql(ms: string): string {
  const cases = BUCKET_EDGES_MIN.slice(1)
    .map((edge, i) => `WHEN ${ms} < ${edge * 60_000} THEN ${i}`)
    .join(' ');
  return `CASE ${cases} ELSE ${B - 1} END`;
}

/** One clock row's share of response_daily, added (sign 1) or taken away (-1). */
function tally(row: 'NEW' | 'OLD', sign: 1 | -1): string {
  const r = row;
  const cols = ['clocks', 'answered', 'answered_late', 'sum_ms', 'not_needed', 'not_needed_late', ...buckets];
  const vals = [
    `${sign}`,
    `${sign} * (${r}.answered_at IS NOT NULL)`,
    `${sign} * (${r}.response_ms IS NOT NULL AND ${r}.response_ms > 86400000)`,
    `${sign} * coalesce(${r}.response_ms, 0)`,
    `${sign} * (${r}.not_needed_at IS NOT NULL AND ${r}.answered_at IS NULL AND ${r}.not_needed_at - ${r}.started_at <= 86400000)`,
    `${sign} * (${r}.not_needed_at IS NOT NULL AND ${r}.answered_at IS NULL AND ${r}.not_needed_at - ${r}.started_at > 86400000)`,
    ...buckets.map((_, i) => `${sign} * (${r}.bucket IS NOT NULL AND ${r}.bucket = ${i})`),
  ];
  return `INSERT INTO response_daily (day, store_id, category, user_id, sender_id, ${cols.join(', ')})
    VALUES (${r}.started_at / 86400000, ${r}.store_id, ${r}.category, coalesce(${r}.responder_user_id, 0), coalesce(${r}.responder_sender_id, 0), ${vals.join(', ')})
    ON CONFLICT (day, store_id, category, user_id, sender_id) DO UPDATE SET ${cols.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')};`;
}

const counts = (row: 'NEW' | 'OLD', sign: 1 | -1) =>
  `INSERT INTO message_daily (day, store_id, category, direction, n) VALUES (${row}.received_at / 86400000, ${row}.store_id, ${row}.category, ${row}.direction, ${sign})
    ON CONFLICT (day, store_id, category, direction) DO UPDATE SET n = n + excluded.n;`;

/** A message starts a clock: a buyer's own message (not machine-sent, not a marketplace notice). */
const STARTS = (m: string) => `${m}.direction = 'buyer_to_store' AND ${m}.auto_submitted = 0 AND ${m}.category != 'marketplace_notification'`;
/** A message stops a clock: the store's, from any channel but a campaign, and not machine-sent (an out-of-office). */
const STOPS = (m: string) =>
  `${m}.direction = 'store_to_buyer' AND ${m}.source != 'campaign' AND ${m}.campaign_recipient_id IS NULL AND ${m}.auto_submitted = 0`;
/** A message counted as a reply in the daily volume: the store's, but not a campaign. */
const REPLIES = (m: string) => `${m}.direction = 'store_to_buyer' AND ${m}.source != 'campaign' AND ${m}.campaign_recipient_id IS NULL`;
const OPEN = 'answered_at IS NULL AND not_needed_at IS NULL';

export const sql = `
CREATE TABLE response_clocks (
  id INTEGER PRIMARY KEY,
  pair_id INTEGER NOT NULL,
  store_id INTEGER NOT NULL,
  start_message_id INTEGER NOT NULL UNIQUE,
  started_at INTEGER NOT NULL,
  -- the starting message's category, kept in step when it is re-categorised
  category TEXT NOT NULL,
  answer_message_id INTEGER,
  answered_at INTEGER,
  -- answered_at - started_at (never below 0) and its bucket; NULL while unanswered
  response_ms INTEGER,
  bucket INTEGER,
  -- who answered: the staff user (web replies; mail from a sender whose address is a user's) and
  -- the permitted sender the store wrote as
  responder_user_id INTEGER,
  responder_sender_id INTEGER,
  -- "no response needed": when and by whom
  not_needed_at INTEGER,
  not_needed_by INTEGER
);
-- At most one running clock per conversation.
CREATE UNIQUE INDEX response_clocks_open ON response_clocks(pair_id) WHERE ${OPEN};
CREATE INDEX response_clocks_open_time ON response_clocks(started_at, store_id, category) WHERE ${OPEN};
CREATE INDEX response_clocks_pair ON response_clocks(pair_id, id);
-- The median is looked up by rank inside one bucket of one group (see store/reports.ts); the window
-- and store columns ride along so the walk to that rank never reads the table.
CREATE INDEX response_clocks_rank ON response_clocks(bucket, response_ms, started_at, store_id, responder_user_id) WHERE response_ms IS NOT NULL;
CREATE INDEX response_clocks_rank_store ON response_clocks(store_id, bucket, response_ms, started_at, responder_user_id) WHERE response_ms IS NOT NULL;
CREATE INDEX response_clocks_rank_category ON response_clocks(category, bucket, response_ms, started_at, store_id, responder_user_id) WHERE response_ms IS NOT NULL;
CREATE INDEX response_clocks_rank_user ON response_clocks(responder_user_id, bucket, response_ms, started_at, store_id) WHERE response_ms IS NOT NULL;
CREATE INDEX response_clocks_rank_sender ON response_clocks(responder_sender_id, bucket, response_ms, started_at, store_id, responder_user_id) WHERE response_ms IS NOT NULL;

CREATE TABLE response_daily (
  day INTEGER NOT NULL,
  store_id INTEGER NOT NULL,
  category TEXT NOT NULL,
  user_id INTEGER NOT NULL,
  sender_id INTEGER NOT NULL,
  clocks INTEGER NOT NULL DEFAULT 0,
  answered INTEGER NOT NULL DEFAULT 0,
  answered_late INTEGER NOT NULL DEFAULT 0,
  sum_ms INTEGER NOT NULL DEFAULT 0,
  not_needed INTEGER NOT NULL DEFAULT 0,
  not_needed_late INTEGER NOT NULL DEFAULT 0,
  ${buckets.map((b) => `${b} INTEGER NOT NULL DEFAULT 0`).join(',\n  ')},
  PRIMARY KEY (day, store_id, category, user_id, sender_id)
) WITHOUT ROWID;

CREATE TABLE message_daily (
  day INTEGER NOT NULL,
  store_id INTEGER NOT NULL,
  category TEXT NOT NULL,
  direction TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (day, store_id, category, direction)
) WITHOUT ROWID;

CREATE TRIGGER response_daily_add AFTER INSERT ON response_clocks BEGIN
  ${tally('NEW', 1)}
END;
CREATE TRIGGER response_daily_change AFTER UPDATE ON response_clocks BEGIN
  ${tally('OLD', -1)}
  ${tally('NEW', 1)}
END;
CREATE TRIGGER response_daily_remove AFTER DELETE ON response_clocks BEGIN
  ${tally('OLD', -1)}
END;

INSERT INTO message_daily (day, store_id, category, direction, n)
  SELECT received_at / 86400000, store_id, category, direction, count(*) FROM messages
  WHERE direction = 'buyer_to_store' OR (${REPLIES('messages')})
  GROUP BY 1, 2, 3, 4;

-- Backfill: in each conversation, a start is a starting message whose previous relevant message is
-- not another start (none, or the store's answer); its answer is the next store message.
INSERT INTO response_clocks (pair_id, store_id, start_message_id, started_at, category, answer_message_id, answered_at, response_ms, bucket, responder_user_id, responder_sender_id)
  WITH ev AS (
    SELECT m.id, m.pair_id, m.store_id, m.direction, m.received_at, m.category,
      lag(m.direction) OVER (PARTITION BY m.pair_id ORDER BY m.id) AS prev,
      min(CASE WHEN m.direction = 'store_to_buyer' THEN m.id END) OVER (PARTITION BY m.pair_id ORDER BY m.id ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS answer
    FROM messages m WHERE (${STARTS('m')}) OR (${STOPS('m')})
  )
  SELECT ev.pair_id, ev.store_id, ev.id, ev.received_at, ev.category, a.id, a.received_at,
    CASE WHEN a.id IS NULL THEN NULL ELSE max(0, a.received_at - ev.received_at) END,
    CASE WHEN a.id IS NULL THEN NULL ELSE ${bucketSql('max(0, a.received_at - ev.received_at)')} END,
    (SELECT u.id FROM users u WHERE u.email = a.author_email), a.permitted_sender_id
  FROM ev LEFT JOIN messages a ON a.id = ev.answer
  WHERE ev.direction = 'buyer_to_store' AND (ev.prev IS NULL OR ev.prev = 'store_to_buyer');

CREATE TRIGGER response_clock_start AFTER INSERT ON messages WHEN ${STARTS('NEW')} BEGIN
  INSERT INTO response_clocks (pair_id, store_id, start_message_id, started_at, category)
    SELECT NEW.pair_id, NEW.store_id, NEW.id, NEW.received_at, NEW.category
    WHERE NOT EXISTS (SELECT 1 FROM response_clocks WHERE pair_id = NEW.pair_id AND ${OPEN});
END;

CREATE TRIGGER response_clock_stop AFTER INSERT ON messages WHEN ${STOPS('NEW')} BEGIN
  UPDATE response_clocks SET answer_message_id = NEW.id, answered_at = NEW.received_at,
      response_ms = max(0, NEW.received_at - started_at), bucket = ${bucketSql('max(0, NEW.received_at - started_at)')},
      responder_user_id = (SELECT u.id FROM users u WHERE u.email = NEW.author_email), responder_sender_id = NEW.permitted_sender_id
    WHERE pair_id = NEW.pair_id AND ${OPEN};
END;

CREATE TRIGGER response_clock_category AFTER UPDATE OF category ON messages BEGIN
  UPDATE response_clocks SET category = NEW.category WHERE start_message_id = NEW.id AND category != NEW.category;
END;

CREATE TRIGGER message_daily_add AFTER INSERT ON messages WHEN NEW.direction = 'buyer_to_store' OR (${REPLIES('NEW')}) BEGIN
  ${counts('NEW', 1)}
END;
CREATE TRIGGER message_daily_category AFTER UPDATE OF category ON messages WHEN OLD.category != NEW.category AND (NEW.direction = 'buyer_to_store' OR (${REPLIES('NEW')})) BEGIN
  ${counts('OLD', -1)}
  ${counts('NEW', 1)}
END;
`;
