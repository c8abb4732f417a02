// Fills a fresh SQLite database with a support team's archive for the inbox bench: MESSAGES
// messages (default 1 000 000) over DAYS days (default 90, so the 90-day report reads all of them,
// its worst case) in conversations between buyers and 50 stores of very different sizes.
//
// What it looks like: about 8 messages per conversation (a buyer asks, the store answers after
// minutes to two days, and so on; one in ten starts with the store), so 125 000 conversations and
// 100 000 buyers at a million (some buy from several stores); 1 to 3 orders per conversation; 10
// agents, each given 5 stores, who answer most mail (the rest comes from the store's mailbox);
// subjects that the default category rules sort into refunds, product questions, A-to-z claims and
// marketplace notifications; 2 % auto-replies; a few campaign messages; 60 % of the conversations
// assigned, a few snoozed, some tagged. Older mail is processed and read; the last three days are
// pending and the last few thousand buyer messages unread.
//
// Fast: the schema is made by the real migrations up to 007, every row goes in through prepared
// statements in one transaction without the later triggers, then migrations 011 onwards run and
// build the response clocks, the daily summaries and the conversations from the stored messages
// with their own backfill (the same SQL a real upgrade runs). About a minute at a million on a quiet
// machine.
//
//   npx tsx bench/seed-inbox.ts DIR [MESSAGES] [DAYS]   (writes DIR/maskgate.sqlite; DIR must not hold one)
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { categorize, DEFAULT_CATEGORY_RULES } from '../src/core/categorize.js';
import { DB_FILE, openDb } from '../src/store/db.js';
import { MIGRATIONS } from '../src/store/migrations/index.js';
import { seededRandom } from './numbers.js';

export interface SeedShape {
  readonly messages: number;
  readonly days: number;
  readonly stores: number;
  readonly agents: number;
  /** The end of the archive (ms): the newest message is a little before it. */
  readonly now: number;
}

export interface SeedResult extends SeedShape {
  readonly conversations: number;
  readonly buyers: number;
  readonly seconds: number;
}

const DAY = 86_400_000;
const WORDS =
  'kettle lamp question broken delivery late colour size invoice tracking parcel warranty damaged cable charger blue red gift order toaster rug mug'.split(' ');
const FIRST = 'Jane Bo Amir Chen Dana Eli Farah Gus Hana Ivan Jun Kai Lena Milo Nia Omar Pia Quinn Rosa Sven Tara Umar Vera Wim Xia Yuki Zoe'.split(' ');
const LAST = 'Smith Meyer Rossi Novak Silva Kim Haddad Larsen Dubois Costa Wong Ito Berg Moreau Kowalski'.split(' ');
/** Buyer subjects, weighted by repetition; the default category rules sort them. */
const SUBJECTS = [
  'Where is my order',
  'Where is my order',
  'Where is my order',
  'Question about the {w}',
  'Question about the {w}',
  'Product question: {w}',
  'Refund for the {w}',
  'Return of a {w}',
  '{w} arrived broken',
  'Change of address',
  'Invoice please',
  'A-to-z Guarantee claim',
];

export function seedInbox(dataDir: string, shape: Partial<SeedShape> = {}): SeedResult {
  const s: SeedShape = { messages: 1_000_000, days: 90, stores: 50, agents: 10, now: Date.now(), ...shape };
  const file = join(dataDir, DB_FILE);
  if (existsSync(file)) throw new Error(`${file} exists: seed a fresh directory`);
  mkdirSync(dataDir, { recursive: true });
  const t0 = Date.now();
  const rand = seededRandom(42);
  const unit = () => rand(1_000_000) / 1_000_000;

  // The schema as a database made before the response clock and conversations existed.
  const raw = new Database(file);
  raw.pragma('page_size = 16384');
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = OFF');
  raw.pragma('cache_size = -262144');
  for (const m of MIGRATIONS.filter((x) => x.version <= 7)) {
    raw.exec(m.sql);
    raw.pragma(`user_version = ${m.version}`);
  }

  // Conversations first (who, when, how long), then every message in time order, so ids grow with
  // time as they do in a real archive.
  const perConversation = 8;
  const conversations = Math.max(10, Math.round(s.messages / perConversation));
  const buyers = Math.max(10, Math.round(conversations * 0.8));
  const start = s.now - s.days * DAY;
  // Store sizes: store k gets weight 1/k (a few big stores, a long tail).
  const weights = Array.from({ length: s.stores }, (_, k) => 1 / (k + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative = weights.map(
    (
      (acc) => (w) =>
        (acc += w / total)
    )(0),
  );
  const pickStore = () => {
    const u = unit();
    const i = cumulative.findIndex((c) => u <= c);
    return (i < 0 ? s.stores - 1 : i) + 1;
  };

  const pairStore = new Int32Array(conversations + 1);
  const pairBuyer = new Int32Array(conversations + 1);
  const msgPair = new Int32Array(s.messages);
  const msgTime = new Float64Array(s.messages);
  const msgStore = new Uint8Array(s.messages); // 1: the store wrote it
  const msgTurn = new Uint16Array(s.messages);
  const seenPair = new Set<string>();
  let m = 0;
  for (let p = 1; p <= conversations; p++) {
    let store = pickStore();
    let buyer = rand(buyers) + 1;
    while (seenPair.has(`${store}:${buyer}`)) {
      store = pickStore();
      buyer = rand(buyers) + 1;
    }
    seenPair.add(`${store}:${buyer}`);
    pairStore[p] = store;
    pairBuyer[p] = buyer;
    // Lengths 1..20 around the mean; the last conversation takes what is left.
    const left = s.messages - m;
    const len = p === conversations ? left : Math.min(left - (conversations - p), 1 + rand(2 * perConversation - 1));
    let t = start + unit() * s.days * DAY;
    let fromStore = rand(10) === 0;
    for (let i = 0; i < len && m < s.messages; i++) {
      msgPair[m] = p;
      msgTime[m] = Math.min(t, s.now - 1000);
      msgStore[m] = fromStore ? 1 : 0;
      msgTurn[m] = i;
      m++;
      // The store answers in minutes to two days; buyers come back within hours to a week.
      t += fromStore ? unit() * 5 * DAY : (rand(4) === 0 ? unit() * 2 * DAY : unit() * 6 * 3_600_000) + 60_000;
      fromStore = rand(5) === 0 ? fromStore : !fromStore; // sometimes two in a row
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => (msgTime[a] as number) - (msgTime[b] as number));

  raw.transaction(() => {
    const store = raw.prepare('INSERT INTO stores (id, slug, name, mailbox, created_at) VALUES (?, ?, ?, ?, ?)');
    const sender = raw.prepare("INSERT INTO permitted_senders (store_id, email, status, created_at, updated_at) VALUES (?, ?, 'enabled', ?, ?)");
    const user = raw.prepare("INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, 'agent', 'seeded: no login', ?)");
    const userStore = raw.prepare('INSERT INTO user_stores (user_id, store_id) VALUES (?, ?)');
    for (let k = 1; k <= s.stores; k++) {
      store.run(k, `store${k}`, `Store ${k}`, `cs@store${k}.example`, start);
      sender.run(k, `cs@store${k}.example`, start, start);
    }
    // Agent a (ids 2..) writes from their own address, permitted in their 5 stores.
    for (let a = 0; a < s.agents; a++) {
      const email = `agent${a + 1}@team.example`;
      user.run(a + 2, email, `${FIRST[a % FIRST.length]} Agent`, start);
      for (let j = 0; j < 5; j++) {
        const k = ((a * 5 + j) % s.stores) + 1;
        userStore.run(a + 2, k);
        sender.run(k, email, start, start);
      }
    }
    const senderId = new Map<string, number>();
    for (const r of raw.prepare('SELECT id, store_id AS storeId, email FROM permitted_senders').all() as { id: number; storeId: number; email: string }[])
      senderId.set(`${r.storeId}:${r.email}`, r.id);
    const agentsOf = new Map<number, string[]>();
    for (const r of raw.prepare('SELECT us.store_id AS storeId, u.email FROM user_stores us JOIN users u ON u.id = us.user_id').all() as {
      storeId: number;
      email: string;
    }[])
      agentsOf.set(r.storeId, [...(agentsOf.get(r.storeId) ?? []), r.email]);

    const buyer = raw.prepare('INSERT INTO buyers (id, email, name, kind, created_at) VALUES (?, ?, ?, ?, ?)');
    for (let b = 1; b <= buyers; b++)
      buyer.run(b, `buyer${b}@mail${b % 97}.example`, `${FIRST[b % FIRST.length]} ${LAST[(b * 7) % LAST.length]}`, b % 20 ? 'customer' : 'visitor', start);
    const pair = raw.prepare('INSERT INTO pairs (id, store_id, buyer_id, token, created_at) VALUES (?, ?, ?, ?, ?)');
    const orderRow = raw.prepare(
      "INSERT INTO orders (store_id, pair_id, number, status, currency, total_minor, placed_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'EUR', ?, ?, ?, ?)",
    );
    for (let p = 1; p <= conversations; p++) {
      pair.run(p, pairStore[p], pairBuyer[p], `t${String(p * 7919).padStart(19, '0')}`, start);
      const n = 1 + rand(3);
      for (let o = 0; o < n; o++) {
        const placed = start - rand(60) * DAY;
        orderRow.run(
          pairStore[p],
          p,
          `${100 + (pairStore[p] as number)}-${String(p * 3 + o).padStart(7, '0')}`,
          rand(10) ? 'shipped' : 'refunded',
          999 + rand(20000),
          placed,
          placed,
          placed,
        );
      }
    }

    const msg = raw.prepare(
      `INSERT INTO messages (id, pair_id, store_id, direction, source, author_email, permitted_sender_id, subject, relay_message_id, verdict, findings, changes,
         size, auto_submitted, received_at, snippet, read_at, status, category)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'accept', '[]', '[]', ?, ?, ?, ?, ?, ?, ?)`,
    );
    const fts = raw.prepare('INSERT INTO message_search (rowid, subject, body, buyer) VALUES (?, ?, ?, ?)');
    const subjectOf = new Map<number, string>();
    const pendingFrom = s.now - 3 * DAY;
    const unreadFrom = m - Math.min(5000, Math.floor(m / 50));
    for (let i = 0; i < m; i++) {
      const j = order[i] as number;
      const id = i + 1;
      const p = msgPair[j] as number;
      const k = pairStore[p] as number;
      const fromStore = msgStore[j] === 1;
      const at = Math.floor(msgTime[j] as number);
      let subject = subjectOf.get(p);
      if (subject === undefined) {
        const notice = !fromStore && rand(20) === 0;
        subject = notice
          ? `Notification: order ${100 + k}-${String(p * 3).padStart(7, '0')} shipped`
          : (SUBJECTS[rand(SUBJECTS.length)] as string).replace('{w}', WORDS[rand(WORDS.length)] as string);
        subjectOf.set(p, subject);
      }
      const shown = msgTurn[j] === 0 ? subject : `Re: ${subject}`;
      const word = () => WORDS[rand(WORDS.length)] as string;
      const buyerName = `${FIRST[(pairBuyer[p] as number) % FIRST.length]} ${LAST[((pairBuyer[p] as number) * 7) % LAST.length]}`;
      const text = fromStore
        ? `Hello ${buyerName.split(' ')[0]}, thank you for writing about order ${100 + k}-${String(p * 3).padStart(7, '0')}. The ${word()} ${rand(2) ? 'ships today' : 'is on its way'}; tracking follows. Kind regards, Store ${k}`
        : `Hello, about my order ${100 + k}-${String(p * 3).padStart(7, '0')}: the ${word()} is ${word()} and the ${word()} came ${word()}. Could you help? Thanks, ${buyerName}`;
      const campaign = fromStore && rand(50) === 0;
      const agents = agentsOf.get(k) ?? [];
      const author = fromStore
        ? campaign || agents.length === 0 || rand(4) === 0
          ? `cs@store${k}.example`
          : (agents[rand(agents.length)] as string)
        : shown.startsWith('Notification')
          ? 'no-reply@marketplace.example'
          : `buyer${pairBuyer[p]}@mail${(pairBuyer[p] as number) % 97}.example`;
      const direction = fromStore ? 'store_to_buyer' : 'buyer_to_store';
      const category = categorize(DEFAULT_CATEGORY_RULES, { direction, subject: shown, sender: author });
      msg.run(
        id,
        p,
        k,
        direction,
        campaign ? 'campaign' : fromStore ? (rand(3) ? 'smtp' : 'web') : 'smtp',
        author,
        fromStore ? (senderId.get(`${k}:${author}`) ?? null) : null,
        shown,
        `<m${id}.${p}@relay.localhost>`,
        1500 + rand(6000),
        !fromStore && rand(50) === 0 ? 1 : 0,
        at,
        text.slice(0, 200),
        fromStore || i < unreadFrom ? at + 60_000 : null,
        at < pendingFrom ? 'processed' : 'pending',
        category,
      );
      fts.run(id, shown, text, buyerName);
    }
  })();
  raw.close();

  // The real opening: WAL + FULL, and migrations 011 on, each with its backfill.
  const db = openDb(dataDir);
  const after = db.transaction(() => {
    // Work that people did on the conversations: assignment, a few snoozes, tags.
    db.prepare(
      `UPDATE conversations SET assignee_id = (SELECT us.user_id FROM user_stores us WHERE us.store_id = conversations.store_id ORDER BY (us.user_id * 31 + conversations.pair_id) % 7 LIMIT 1)
       WHERE pair_id % 5 != 0`,
    ).run();
    db.prepare('UPDATE conversations SET snoozed_until = ? WHERE pair_id % 97 = 0 AND status IN (?, ?)').run(s.now + 2 * DAY, 'open', 'follow_up');
    const tag = db.prepare('INSERT INTO tags (name, colour) VALUES (?, ?)');
    for (const [name, colour] of [
      ['vip', 'orange'],
      ['damaged', 'red'],
      ['wholesale', 'blue'],
    ])
      tag.run(name, colour);
    db.prepare('INSERT INTO message_tags (message_id, tag_id) SELECT id, 1 + id % 3 FROM messages WHERE id % 211 = 0').run();
  });
  after();
  db.close();
  return { ...s, conversations, buyers, seconds: (Date.now() - t0) / 1000 };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dir, messages, days] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: npx tsx bench/seed-inbox.ts DIR [MESSAGES] [DAYS]\n');
    process.exit(2);
  }
  const r = seedInbox(dir, { ...(messages ? { messages: Number(messages) } : {}), ...(days ? { days: Number(days) } : {}) });
  process.stdout.write(
    `seeded ${r.messages} messages in ${r.conversations} conversations (${r.buyers} buyers, ${r.stores} stores, ${r.agents} agents) over ${r.days} days in ${r.seconds.toFixed(0)} s: ${join(dir, DB_FILE)}\n`,
  );
}
