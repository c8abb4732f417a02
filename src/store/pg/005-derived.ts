// PostgreSQL schema version 5: the tables SQLite keeps by trigger are kept by trigger here too, in
// the same transaction as the write that changes them, with the same rules (SQLite migrations 005
// store items, 011 response clocks and daily counts, 012 conversations, 017 report blocks), as
// PL/pgSQL; and the inbox's full-text search (SQLite's FTS5 table message_search, migration 002).
//
// Search: a table message_search (message_id, subject, body, buyer) like FTS5's, whose `words`
// column is a tsvector computed from them (GIN index). FTS5 there tokenises with unicode61
// (runs of letters and digits, case folded, diacritics removed, no stemming) and the inbox asks for
// every word as a phrase, the last one as a prefix (store/inbox.ts ftsQuery); here
// maskgate_search_words() folds text the same way (NFD without combining marks, lower case by ICU
// when the server has it, every run of non-alphanumerics one space) before the 'simple' text search
// configuration (no stemming, no stop words), and maskgate_search_query() builds the same query
// (`a <-> b` for a word that folds to several, `:*` on the last). pg_trgm was the other choice; it
// matches inside words ("art" finds "start"), which the admin's search never did.
// Unlike SQLite, where the repository writes the row, a trigger on messages writes it (the subject,
// the snippet and the buyer's name), so every writer of messages leaves them searchable; the
// repository then replaces the body with the whole delivered text (pg/search.ts).
//
// Upgrading from schema 4 (rows copied by `maskgate migrate-to-postgres`, nothing kept since):
// message_search is filled from the messages; response clocks are made for conversations that
// have none; message_daily, response_daily, response_blocks and store_items are summed again from
// their sources; conversations are made for pairs that have none, and the columns that only
// triggers write (latest message, latest buyer message and its category, unread) are recomputed.
// Columns people set (status, assignee, snooze, "no response needed") are left as they are.
//
// Concurrency (several nodes): every summary is an upsert on the locked row; a clock starts with
// ON CONFLICT on the one-open-clock-per-conversation index; round-robin assignment locks the
// store's assignment row, so two nodes never give two new conversations to the same next agent.
import { BUCKET_EDGES_MIN } from '../migrations/011-response-clocks.js';
import { TALLY_COLS, TALLY_TARGETS, tallyDay, tallySql, tallyValues } from '../response-tally.js';

const B = BUCKET_EDGES_MIN.length;
/** The bucket of a response time in ms (an SQL expression), as core bucketOf and SQLite 011. */
const bucketSql = (ms: string) =>
  `CASE ${BUCKET_EDGES_MIN.slice(1)
    .map((edge, i) => `WHEN ${ms} < ${edge * 60_000} THEN ${i}`)
    .join(' ')} ELSE ${B - 1} END`;

// The same conditions as SQLite 011.
const STARTS = (m: string) => `${m}.direction = 'buyer_to_store' AND ${m}.auto_submitted = 0 AND ${m}.category != 'marketplace_notification'`;
const STOPS = (m: string) =>
  `${m}.direction = 'store_to_buyer' AND ${m}.source != 'campaign' AND ${m}.campaign_recipient_id IS NULL AND ${m}.auto_submitted = 0`;
const REPLIES = (m: string) => `${m}.direction = 'store_to_buyer' AND ${m}.source != 'campaign' AND ${m}.campaign_recipient_id IS NULL`;
const OPEN = 'answered_at IS NULL AND not_needed_at IS NULL';
const COUNTED = (m: string) => `${m}.direction = 'buyer_to_store' OR (${REPLIES(m)})`;

const counts = (row: 'NEW' | 'OLD', sign: 1 | -1) =>
  `INSERT INTO message_daily AS t (day, store_id, category, direction, n) VALUES (${row}.received_at / 86400000, ${row}.store_id, ${row}.category, ${row}.direction, ${sign})
      ON CONFLICT (day, store_id, category, direction) DO UPDATE SET n = t.n + excluded.n;`;

const tallies = (row: 'NEW' | 'OLD', sign: 1 | -1) => TALLY_TARGETS.map((t) => tallySql('pg', row, sign, t)).join('\n      ');

/** The user whose address wrote message `m` (NULL when none): the responder of the clock it stops. */
const userOf = (email: string) => `(SELECT u.id FROM users u WHERE u.email = ${email})`;

/** The agents (or owners) a new conversation of store `s` may go to, as in SQLite 012. */
const ASSIGNABLE = (s: string) => `u.disabled_at IS NULL
       AND (u.id IN (SELECT user_id FROM user_stores WHERE store_id = ${s})
         OR (u.role = 'owner' AND NOT EXISTS (SELECT 1 FROM user_stores us JOIN users a ON a.id = us.user_id WHERE us.store_id = ${s} AND a.disabled_at IS NULL)))`;

const ATTACHMENT = "'Content-Disposition: attachment'::bytea";

export const sql = `
-- Search. The folding function is written with ICU's root locale when the server has ICU (lower()
-- then folds every script, as FTS5 does), else with the database's own.
DO $do$
DECLARE icu text := CASE WHEN EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu') THEN ' COLLATE "und-x-icu"' ELSE '' END;
BEGIN
  EXECUTE format($f$
    CREATE FUNCTION maskgate_search_words(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $b$
      SELECT btrim(regexp_replace(lower(regexp_replace(normalize(coalesce(t, ''), NFD), '[\\u0300-\\u036f]+', '', 'g')%s), '[^[:alnum:]]+', ' ', 'g'))
    $b$$f$, icu);
END
$do$;

-- The user's words (split as store/inbox.ts ftsQuery splits them) as a tsquery: all required, each
-- a phrase of what it folds to, the last one a prefix; NULL when nothing searchable is left.
CREATE FUNCTION maskgate_search_query(words text[]) RETURNS tsquery LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $f$
DECLARE
  parts text[] := '{}';
  w text;
  folded text;
BEGIN
  FOREACH w IN ARRAY coalesce(words, '{}') LOOP
    folded := maskgate_search_words(w);
    IF folded <> '' THEN
      parts := parts || array_to_string(ARRAY(SELECT quote_literal(x) FROM unnest(string_to_array(folded, ' ')) AS x), ' <-> ');
    END IF;
  END LOOP;
  IF cardinality(parts) = 0 THEN RETURN NULL; END IF;
  parts[cardinality(parts)] := parts[cardinality(parts)] || ':*';
  RETURN to_tsquery('simple', array_to_string(parts, ' & '));
END
$f$;

CREATE TABLE message_search (
  message_id BIGINT PRIMARY KEY,
  subject TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  buyer TEXT NOT NULL DEFAULT '',
  words tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', maskgate_search_words(subject) || ' ' || maskgate_search_words(body) || ' ' || maskgate_search_words(buyer))
  ) STORED
);
CREATE INDEX message_search_words ON message_search USING gin (words);

-- Upgrade from schema 4: fill and repair, before any trigger exists (so nothing counts twice).
INSERT INTO message_search (message_id, subject, body, buyer)
  SELECT m.id, m.subject, m.snippet, b.name FROM messages m JOIN pairs p ON p.id = m.pair_id JOIN buyers b ON b.id = p.buyer_id
  ON CONFLICT (message_id) DO NOTHING;

INSERT INTO response_clocks (pair_id, store_id, start_message_id, started_at, category, answer_message_id, answered_at, response_ms, bucket, responder_user_id, responder_sender_id)
  WITH ev AS (
    SELECT m.id, m.pair_id, m.store_id, m.direction, m.received_at, m.category,
      lag(m.direction) OVER (PARTITION BY m.pair_id ORDER BY m.id) AS prev,
      min(CASE WHEN m.direction = 'store_to_buyer' THEN m.id END) OVER (PARTITION BY m.pair_id ORDER BY m.id ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS answer
    FROM messages m WHERE ((${STARTS('m')}) OR (${STOPS('m')}))
      AND NOT EXISTS (SELECT 1 FROM response_clocks c WHERE c.pair_id = m.pair_id)
  )
  SELECT ev.pair_id, ev.store_id, ev.id, ev.received_at, ev.category, a.id, a.received_at,
    CASE WHEN a.id IS NULL THEN NULL ELSE greatest(0, a.received_at - ev.received_at) END,
    CASE WHEN a.id IS NULL THEN NULL ELSE ${bucketSql('greatest(0, a.received_at - ev.received_at)')} END,
    ${userOf('a.author_email')}, a.permitted_sender_id
  FROM ev LEFT JOIN messages a ON a.id = ev.answer
  WHERE ev.direction = 'buyer_to_store' AND (ev.prev IS NULL OR ev.prev = 'store_to_buyer')
  ORDER BY ev.id;

DELETE FROM response_daily;
INSERT INTO response_daily (day, store_id, category, user_id, sender_id, ${TALLY_COLS.join(', ')})
  SELECT ${tallyDay('c', { table: 'response_daily' })}, c.store_id, c.category, coalesce(c.responder_user_id, 0), coalesce(c.responder_sender_id, 0),
    ${tallyValues('pg', 'c', 1)
      .map((v) => `sum(${v})`)
      .join(', ')}
  FROM response_clocks c GROUP BY 1, 2, 3, 4, 5;
DELETE FROM response_blocks;
${TALLY_TARGETS.flatMap((t) =>
  t.table === 'response_blocks'
    ? [
        `INSERT INTO response_blocks (span, day, store_id, category, user_id, sender_id, ${TALLY_COLS.join(', ')})
  SELECT ${t.span}, day / ${t.span} * ${t.span}, store_id, category, user_id, sender_id, ${TALLY_COLS.map((c) => `sum(${c})`).join(', ')}
  FROM response_daily GROUP BY 2, 3, 4, 5, 6;`,
      ]
    : [],
).join('\n')}

DELETE FROM message_daily;
INSERT INTO message_daily (day, store_id, category, direction, n)
  SELECT m.received_at / 86400000, m.store_id, m.category, m.direction, count(*) FROM messages m WHERE ${COUNTED('m')} GROUP BY 1, 2, 3, 4;

DELETE FROM store_items;
INSERT INTO store_items (store_id, sku, category, manufacturer, name, quantity)
  SELECT o.store_id, i.sku, coalesce(i.category, ''), coalesce(i.manufacturer, ''), max(i.name COLLATE "C"), sum(i.quantity)
  FROM order_items i JOIN orders o ON o.id = i.order_id
  GROUP BY o.store_id, i.sku, coalesce(i.category, ''), coalesce(i.manufacturer, '');

INSERT INTO conversations (pair_id, store_id, status, last_message_id, last_buyer_id, unread, updated_at, category, waiting_since, files)
  SELECT g.pair_id, g.store_id, g.status, g.last_id, g.last_buyer_id, g.unread, g.updated_at,
    (SELECT category FROM messages WHERE id = g.last_buyer_id),
    (SELECT min(received_at) FROM messages m WHERE m.pair_id = g.pair_id AND m.direction = 'buyer_to_store'
      AND m.id > coalesce((SELECT max(id) FROM messages s WHERE s.pair_id = g.pair_id AND s.direction = 'store_to_buyer' AND s.source != 'campaign'), 0)),
    (SELECT count(*) FROM outbox o JOIN outbox_bodies b ON b.outbox_id = o.id JOIN messages m ON m.id = o.message_id
      WHERE m.pair_id = g.pair_id AND o.kind = 'relay' AND position(${ATTACHMENT} IN b.raw) > 0)
  FROM (
    SELECT pair_id, min(store_id) AS store_id,
      CASE
        WHEN count(*) FILTER (WHERE direction = 'buyer_to_store' AND status = 'follow_up') > 0 THEN 'follow_up'
        WHEN count(*) FILTER (WHERE direction = 'buyer_to_store' AND status = 'pending') > 0 THEN 'open'
        WHEN count(*) FILTER (WHERE direction = 'buyer_to_store') = 0 THEN 'pending'
        WHEN count(*) FILTER (WHERE direction = 'buyer_to_store' AND status = 'processed') > 0 THEN 'processed'
        ELSE 'replied_on_platform'
      END AS status,
      max(id) AS last_id, max(id) FILTER (WHERE direction = 'buyer_to_store') AS last_buyer_id,
      count(*) FILTER (WHERE direction = 'buyer_to_store' AND read_at IS NULL) AS unread, max(received_at) AS updated_at
    FROM messages m WHERE NOT EXISTS (SELECT 1 FROM conversations c WHERE c.pair_id = m.pair_id) GROUP BY pair_id
  ) g;
UPDATE conversations c SET last_message_id = g.last_id, last_buyer_id = g.last_buyer_id, unread = g.unread,
    category = coalesce((SELECT category FROM messages WHERE id = g.last_buyer_id), c.category)
  FROM (
    SELECT pair_id, max(id) AS last_id, max(id) FILTER (WHERE direction = 'buyer_to_store') AS last_buyer_id,
      count(*) FILTER (WHERE direction = 'buyer_to_store' AND read_at IS NULL) AS unread
    FROM messages GROUP BY pair_id
  ) g
  WHERE g.pair_id = c.pair_id
    AND (c.last_message_id, c.last_buyer_id, c.unread) IS DISTINCT FROM (g.last_id, g.last_buyer_id, g.unread);

-- The triggers. PostgreSQL fires a row's AFTER triggers at the end of its statement, inside the
-- same transaction; each one reads only its own row and the derived tables, so the order among
-- them does not matter (SQLite's does not either).

-- Search (SQLite: MessageRepo.insert).
CREATE FUNCTION maskgate_message_search() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  INSERT INTO message_search (message_id, subject, body, buyer)
    SELECT NEW.id, NEW.subject, NEW.snippet, coalesce((SELECT b.name FROM pairs p JOIN buyers b ON b.id = p.buyer_id WHERE p.id = NEW.pair_id), '')
    ON CONFLICT (message_id) DO NOTHING;
  RETURN NULL;
END
$f$;
CREATE TRIGGER message_search_add AFTER INSERT ON messages FOR EACH ROW EXECUTE FUNCTION maskgate_message_search();

-- Store items (SQLite 005).
CREATE FUNCTION maskgate_store_items() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO store_items AS s (store_id, sku, category, manufacturer, name, quantity)
      VALUES ((SELECT store_id FROM orders WHERE id = NEW.order_id), NEW.sku, coalesce(NEW.category, ''), coalesce(NEW.manufacturer, ''), NEW.name, NEW.quantity)
      ON CONFLICT (store_id, sku, category, manufacturer) DO UPDATE SET quantity = s.quantity + excluded.quantity, name = greatest(s.name COLLATE "C", excluded.name COLLATE "C");
    RETURN NULL;
  END IF;
  UPDATE store_items SET quantity = quantity - OLD.quantity
    WHERE store_id = (SELECT store_id FROM orders WHERE id = OLD.order_id) AND sku = OLD.sku
      AND category = coalesce(OLD.category, '') AND manufacturer = coalesce(OLD.manufacturer, '');
  DELETE FROM store_items
    WHERE store_id = (SELECT store_id FROM orders WHERE id = OLD.order_id) AND sku = OLD.sku
      AND category = coalesce(OLD.category, '') AND manufacturer = coalesce(OLD.manufacturer, '') AND quantity <= 0;
  RETURN NULL;
END
$f$;
CREATE TRIGGER store_items_add AFTER INSERT ON order_items FOR EACH ROW EXECUTE FUNCTION maskgate_store_items();
CREATE TRIGGER store_items_remove AFTER DELETE ON order_items FOR EACH ROW EXECUTE FUNCTION maskgate_store_items();

-- Response clocks (SQLite 011): a buyer's message starts one unless one runs; the store's answer stops it.
CREATE FUNCTION maskgate_response_clock_start() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  -- NOT EXISTS first, as SQLite: a conflicting insert would still take an id from the sequence.
  -- ON CONFLICT for two nodes starting the same conversation's clock at once: the second does nothing.
  INSERT INTO response_clocks (pair_id, store_id, start_message_id, started_at, category)
    SELECT NEW.pair_id, NEW.store_id, NEW.id, NEW.received_at, NEW.category
    WHERE NOT EXISTS (SELECT 1 FROM response_clocks WHERE pair_id = NEW.pair_id AND ${OPEN})
    ON CONFLICT (pair_id) WHERE ${OPEN} DO NOTHING;
  RETURN NULL;
END
$f$;
CREATE TRIGGER response_clock_start AFTER INSERT ON messages FOR EACH ROW WHEN (${STARTS('NEW')}) EXECUTE FUNCTION maskgate_response_clock_start();

CREATE FUNCTION maskgate_response_clock_stop() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  UPDATE response_clocks SET answer_message_id = NEW.id, answered_at = NEW.received_at,
      response_ms = greatest(0, NEW.received_at - started_at), bucket = ${bucketSql('greatest(0, NEW.received_at - started_at)')},
      responder_user_id = ${userOf('NEW.author_email')}, responder_sender_id = NEW.permitted_sender_id
    -- (start_message_id: an answer committed after a later buyer message does not stop that one's clock)
    WHERE pair_id = NEW.pair_id AND ${OPEN} AND start_message_id < NEW.id;
  RETURN NULL;
END
$f$;
CREATE TRIGGER response_clock_stop AFTER INSERT ON messages FOR EACH ROW WHEN (${STOPS('NEW')}) EXECUTE FUNCTION maskgate_response_clock_stop();

CREATE FUNCTION maskgate_response_clock_category() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  UPDATE response_clocks SET category = NEW.category WHERE start_message_id = NEW.id AND category != NEW.category;
  RETURN NULL;
END
$f$;
CREATE TRIGGER response_clock_category AFTER UPDATE OF category ON messages FOR EACH ROW EXECUTE FUNCTION maskgate_response_clock_category();

-- Daily and block summaries of the clocks (SQLite 011 and 017: one generator, store/response-tally.ts).
CREATE FUNCTION maskgate_response_tally() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
      ${tallies('OLD', -1)}
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
      ${tallies('NEW', 1)}
  END IF;
  RETURN NULL;
END
$f$;
CREATE TRIGGER response_tally AFTER INSERT OR UPDATE OR DELETE ON response_clocks FOR EACH ROW EXECUTE FUNCTION maskgate_response_tally();

-- Messages per day (SQLite 011).
CREATE FUNCTION maskgate_message_daily() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    ${counts('OLD', -1)}
  END IF;
  ${counts('NEW', 1)}
  RETURN NULL;
END
$f$;
CREATE TRIGGER message_daily_add AFTER INSERT ON messages FOR EACH ROW WHEN (${COUNTED('NEW')}) EXECUTE FUNCTION maskgate_message_daily();
CREATE TRIGGER message_daily_category AFTER UPDATE OF category ON messages FOR EACH ROW
  WHEN (OLD.category != NEW.category AND (${COUNTED('NEW')})) EXECUTE FUNCTION maskgate_message_daily();

-- Conversations (SQLite 012).
CREATE FUNCTION maskgate_conversations_message() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  INSERT INTO conversations (pair_id, store_id, status, last_message_id, updated_at)
    VALUES (NEW.pair_id, NEW.store_id, CASE WHEN NEW.direction = 'buyer_to_store' THEN 'open' ELSE 'pending' END, NEW.id, NEW.received_at)
    ON CONFLICT (pair_id) DO NOTHING;
  -- SQLite writes one message at a time, so NEW is always the conversation's newest. Here two nodes'
  -- messages can commit in another order than their ids: what names "the latest" only moves forward
  -- (the SET's right-hand sides read the row as it was), so the result is SQLite's whatever the order.
  IF NEW.direction = 'buyer_to_store' THEN
    UPDATE conversations SET
      last_message_id = greatest(last_message_id, NEW.id),
      last_buyer_id = greatest(last_buyer_id, NEW.id),
      category = CASE WHEN NEW.id >= coalesce(last_buyer_id, 0) THEN NEW.category ELSE category END,
      waiting_since = coalesce(waiting_since, NEW.received_at),
      unread = unread + (NEW.read_at IS NULL)::int,
      snoozed_until = NULL,
      status = CASE WHEN status IN ('pending', 'processed', 'replied_on_platform') THEN 'open' ELSE status END,
      updated_at = CASE WHEN NEW.id >= last_message_id THEN NEW.received_at ELSE updated_at END
    WHERE pair_id = NEW.pair_id;
  ELSE
    -- A store message older than the buyer's latest (committed after it) does not answer it.
    UPDATE conversations SET
      last_message_id = greatest(last_message_id, NEW.id),
      waiting_since = CASE WHEN NEW.source = 'campaign' OR NEW.id < coalesce(last_buyer_id, 0) THEN waiting_since END,
      status = CASE WHEN status = 'open' AND NEW.source != 'campaign' AND NEW.id > coalesce(last_buyer_id, 0) THEN 'pending' ELSE status END,
      updated_at = CASE WHEN NEW.id >= last_message_id THEN NEW.received_at ELSE updated_at END
    WHERE pair_id = NEW.pair_id;
  END IF;
  RETURN NULL;
END
$f$;
CREATE TRIGGER conversations_message AFTER INSERT ON messages FOR EACH ROW EXECUTE FUNCTION maskgate_conversations_message();

CREATE FUNCTION maskgate_conversations_read() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  UPDATE conversations SET unread = greatest(0, unread + CASE WHEN NEW.read_at IS NULL THEN 1 ELSE -1 END) WHERE pair_id = NEW.pair_id;
  RETURN NULL;
END
$f$;
CREATE TRIGGER conversations_read AFTER UPDATE OF read_at ON messages FOR EACH ROW
  WHEN (NEW.direction = 'buyer_to_store' AND (OLD.read_at IS NULL) != (NEW.read_at IS NULL)) EXECUTE FUNCTION maskgate_conversations_read();

CREATE FUNCTION maskgate_conversations_category() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  UPDATE conversations SET category = NEW.category WHERE pair_id = NEW.pair_id AND last_buyer_id = NEW.id;
  RETURN NULL;
END
$f$;
CREATE TRIGGER conversations_category AFTER UPDATE OF category ON messages FOR EACH ROW
  WHEN (NEW.direction = 'buyer_to_store') EXECUTE FUNCTION maskgate_conversations_category();

CREATE FUNCTION maskgate_conversations_files() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  UPDATE conversations SET files = files + 1
    WHERE pair_id = (SELECT m.pair_id FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.id = NEW.outbox_id AND o.kind = 'relay');
  RETURN NULL;
END
$f$;
CREATE TRIGGER conversations_files AFTER INSERT ON outbox_bodies FOR EACH ROW
  WHEN (position(${ATTACHMENT} IN NEW.raw) > 0) EXECUTE FUNCTION maskgate_conversations_files();

CREATE FUNCTION maskgate_conversations_round_robin() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
  last_user BIGINT;
  chosen BIGINT;
BEGIN
  -- The store's row locked: a second node assigning in the same store waits and sees this choice.
  SELECT last_user_id INTO last_user FROM store_assignment WHERE store_id = NEW.store_id AND round_robin = 1 FOR UPDATE;
  IF NOT FOUND THEN RETURN NULL; END IF;
  chosen := coalesce(
    (SELECT u.id FROM users u WHERE ${ASSIGNABLE('NEW.store_id')}
       AND u.id > coalesce(last_user, 0) ORDER BY u.id LIMIT 1),
    (SELECT u.id FROM users u WHERE ${ASSIGNABLE('NEW.store_id')} ORDER BY u.id LIMIT 1));
  UPDATE conversations SET assignee_id = chosen WHERE pair_id = NEW.pair_id;
  IF chosen IS NOT NULL THEN
    UPDATE store_assignment SET last_user_id = chosen WHERE store_id = NEW.store_id;
  END IF;
  RETURN NULL;
END
$f$;
CREATE TRIGGER conversations_round_robin AFTER UPDATE OF last_buyer_id ON conversations FOR EACH ROW
  WHEN (OLD.last_buyer_id IS NULL AND NEW.last_buyer_id IS NOT NULL AND NEW.assignee_id IS NULL) EXECUTE FUNCTION maskgate_conversations_round_robin();
`;
