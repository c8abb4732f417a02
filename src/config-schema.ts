// Owns the shape of the configuration: every key, its type and limits, and what it means. The
// descriptions here are the config reference: docs/config.md is generated from this schema
// (`npm run docs:config`), and a test fails when the two differ.
import proxyaddr from 'proxy-addr';
import { z } from 'zod';

const hostname = z
  .string()
  .min(1)
  .max(253)
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, 'must be a lowercase domain name');
const port = z.number().int().min(0).max(65535);
const positiveSeconds = z.number().positive();

const smarthostUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
  } catch {
    return false;
  }
}, 'must be an smtp://host:port or smtps://host:port URL');

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Berlin');

export const configSchema = z
  .object({
    dataDir: z.string().min(1).describe('Where the SQLite database (`maskgate.sqlite`, WAL, `synchronous=FULL`) lives. Created if missing.'),
    domains: z
      .array(hostname)
      .min(1)
      .describe('Relay domains we accept mail for. The first one is used for aliases, Message-IDs and notices. Any other domain is refused (`550 5.7.1`).'),
    hostname: z.string().min(1).max(253).describe('The name in our SMTP greeting and in EHLO towards the smarthost.'),
    smtp: z
      .object({
        host: z.string().min(1).describe('Address the MX listener binds to (`0.0.0.0` to accept mail from the internet).'),
        port: port.describe('MX listener port (25 in production; 0 picks a free port, as the tests do).'),
        maxMessageBytes: z
          .number()
          .int()
          .min(1024)
          .describe('Largest message accepted (25 MiB). Advertised as SIZE and enforced after the final dot (`552 5.3.4`).'),
        maxRecipients: z.number().int().min(1).max(1000).describe('Recipients per message; more get `452 4.5.3`.'),
        maxClients: z.number().int().min(1).describe('Concurrent SMTP connections.'),
        socketTimeoutMs: z.number().int().min(100).describe('An idle client is disconnected after this long.'),
        closeTimeoutMs: z.number().int().min(0).describe('On shutdown, how long open sessions may take to finish.'),
        parseTimeoutMs: z
          .number()
          .int()
          .min(100)
          .describe(
            'A message whose MIME parsing takes longer gets `451 4.3.0` (try later). Its attached messages are parsed within the same time: one not read by then is removed, as any attached message that cannot be read.',
          ),
        reverseLookup: z.boolean().describe('Reverse DNS of SMTP clients (costs up to 1.5 s a connection; off by default).'),
        maxConnectionsPerIp: z.number().int().min(1).describe('Concurrent SMTP connections from one address; more get `421 4.7.0`.'),
        maxSessionMs: z
          .number()
          .int()
          .min(1000)
          .describe('Longest an SMTP connection may last (10 minutes), however busy: a client that drips a byte a second is cut off (`421 4.4.2`).'),
        postmaster: z
          .string()
          .email()
          .nullable()
          .describe(
            "Where mail to `postmaster@` and `abuse@` every relay domain goes (RFC 5321 §4.5.1). `null`: the first owner account's address; with no owner yet such mail is refused with a sentence saying so.",
          ),
        probeLimit: z
          .number()
          .int()
          .min(1)
          .describe(
            'Unknown-alias recipients one address may try within `smtp.probeWindowMs`; the session that reaches it is cut (`421 4.7.0`), and so is any session from that address that tries one more unknown alias in the window. The address is never refused at connect; its mail to real aliases goes through.',
          ),
        probeWindowMs: z.number().int().min(1000).describe('The window for `smtp.probeLimit` (10 minutes).'),
        tarpitMs: z
          .number()
          .int()
          .min(0)
          .max(60_000)
          .describe('Delay before answering unknown-alias recipients once half the probe limit is used (grows to this value).'),
        commandTimeoutMs: z
          .number()
          .int()
          .min(100)
          .describe(
            'Each command line (and each line of DATA) must arrive whole within this; a client that drips bytes is cut off (`421 4.4.2`). Applies before STARTTLS; after it, `smtp.maxSessionMs` bounds the session.',
          ),
        inFlightBytes: z
          .number()
          .int()
          .min(1024 * 1024)
          .describe(
            'Memory budget, in bytes, for the messages being processed and delivered at once. It bounds DATA as it arrives too: past its first 128 KiB a message stays in memory only while the budget has room for processing all of it (8 × its size so far), else it goes to `<dataDir>/spool/` as it arrives (no memory), and it goes there too, giving its room back, as soon as a complete message or a delivery would have to wait for the budget (a client that stops before its final dot holds nothing others need); after the final dot a message of S bytes holds about 8 × S until it is answered. Over the budget it waits its turn up to `smtp.inFlightWaitMs`, then gets `452 4.3.1` (the sender retries). A delivery holds 2 × S (the stored bytes and the copy written to the socket) and waits its turn in the same queue before its bytes are read; the delivery of a message just committed, whose bytes are still in memory, waits ahead of the messages queued for processing, so it is sent from them and lets them go. One message always passes when nothing else is in flight. The default (48 MiB; 96 until round 20, whose pairs measured less peak RSS at 48 with no CPU cost beyond the noise: README "Speed") fits a 1 GB VPS, and still lets a 17 MB message be delivered (2 × 17 MB) while others are processed.',
          ),
        inFlightWaitMs: z
          .number()
          .int()
          .min(0)
          .max(600_000)
          .describe(
            'How long a received message may wait for room in `smtp.inFlightBytes` before it is answered `452 4.3.1` (5 minutes; RFC 5321 §4.5.3.2.6 has the client wait 10 minutes for the reply, and many clients treat a 4xx after DATA as fatal for the session). At most `smtp.socketTimeoutMs` − 5 s is used: smtp-server closes an idle socket with 421 after that, also while the client waits for our reply, so raise both together.',
          ),
        dataSlots: z
          .number()
          .int()
          .min(1)
          .max(10_000)
          .describe(
            'How many SMTP sessions may have a message in the gateway at once, from its `354` to its answer (DATA admission). A session takes a slot before its `354`; while none is free it waits, and its client keeps the message (it must wait for the 354 before sending it). A slot is given back when the message is answered (`250` or a refusal), when the session ends, and, while the message arrives, as soon as the session reads less than 32 KiB in 300 ms or has read for 5 s (a stalled, slow or long sender does not hold it; it goes on reading without one). A slot given back goes to the oldest waiter among the client addresses (an IPv4 address, an IPv6 /64, as `smtp.maxConnectionsPerIp` counts them) holding the fewest slots: one address with many sessions cannot queue ahead of the one session of another sender; one address alone is served first come, first served. So a burst of large messages is read no faster than it is processed, and does not set a high memory mark. The default (8) is from README "Round 23: DATA admission" (2, 4 and 8 measured alike; 8 leaves room for more pool threads).',
          ),
        dataWaitMs: z
          .number()
          .int()
          .min(0)
          .max(110_000)
          .describe(
            'How long a session may wait for a DATA slot (`smtp.dataSlots`) before it is answered `451 4.3.2` (the connection stays open and DATA may be tried again). Below the 2 minutes a client waits for the 354 (RFC 5321 §4.5.3.2.5); at most `smtp.socketTimeoutMs` − 5 s is used, as smtp-server closes a socket idle for that long; when that cuts it, startup logs one warning (`config.data-wait-cut`, with both values and the one used).',
          ),
        workerThreads: z
          .number()
          .int()
          .min(0)
          .max(64)
          .describe(
            'Worker threads that verify the sender (SPF/DKIM/DMARC), parse, rewrite, compose and DKIM-sign messages off the SMTP thread. `0` (the default): one per core (at least 1, at most 4). Only the first runs at rest; the others start when the running ones are busy and end after 60 s idle.',
          ),
      })
      .strict(),
    submission: z
      .object({
        enabled: z
          .boolean()
          .describe(
            'Listen on the submission port for staff mail clients (STARTTLS, then AUTH PLAIN/LOGIN with an app password). It starts only when `tls.cert` and `tls.key` are set; otherwise the start logs `submission.disabled` and the port stays closed.',
          ),
        host: z.string().min(1).describe('Address the submission listener binds to (`0.0.0.0` in production).'),
        port: port.describe('Submission port (587 in production).'),
        implicitTlsPort: port
          .nullable()
          .describe(
            'Implicit-TLS submission port (RFC 8314; 465 in production): the TLS handshake comes first, then AUTH as on `submission.port`. `null` (the default) leaves it closed; it needs `tls.cert` and `tls.key`.',
          ),
      })
      .strict(),
    tls: z
      .object({
        cert: z
          .string()
          .min(1)
          .nullable()
          .describe(
            "PEM certificate chain file (Let's Encrypt's `fullchain.pem` works as it is), used for STARTTLS on the submission port and offered on the MX port. Set together with `tls.key`. smtp-server's built-in test key is never used.",
          ),
        key: z.string().min(1).nullable().describe('PEM private key file for `tls.cert` (`privkey.pem`).'),
        watchIntervalMs: z
          .number()
          .int()
          .min(50)
          .describe(
            'How often the certificate and key files are checked for a renewal. A new pair is used for the next TLS handshake on every port without a restart; a pair that does not match (a renewal caught half-way) is ignored until it does, and logged as `tls.reload-failed`.',
          ),
      })
      .strict(),
    http: z
      .object({
        host: z.string().min(1).describe('Address the HTTP server (API, health) binds to. Put a TLS reverse proxy in front of it.'),
        port: port.describe('HTTP port.'),
        trustedProxies: z
          .array(z.string().min(1))
          .superRefine((list, ctx) => {
            try {
              proxyaddr.compile([...list]);
            } catch (err) {
              ctx.addIssue({ code: 'custom', message: `must be IP addresses, CIDR ranges or loopback/linklocal/uniquelocal: ${(err as Error).message}` });
            }
          })
          .describe(
            'The reverse proxies in front of the admin (IP addresses, CIDR ranges such as `10.0.0.0/8`, or `loopback`). Only from these is `X-Forwarded-For` read for the real client (login throttling), and `X-Forwarded-Proto`/`X-Forwarded-Host` for the scheme and host; from anyone else those headers are ignored. Empty: no proxy, the socket address is the client.',
          ),
      })
      .strict(),
    api: z
      .object({
        token: z
          .string()
          .min(24, 'must be at least 24 characters')
          .nullable()
          .describe(
            'The API bearer token (at least 24 characters). When null, the first start generates one and prints it once; only its SHA-256 is stored. `npx maskgate api-token rotate` replaces it.',
          ),
      })
      .strict(),
    admin: z
      .object({
        publicUrl: z
          .string()
          .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an http(s):// URL')
          .transform((u) => u.replace(/\/+$/, ''))
          .nullable()
          .describe(
            "The admin's address as staff reach it (e.g. `https://mail.example.com`, behind your TLS proxy); links in notification emails use it. When null, `http://<http.host>:<http.port>`.",
          ),
        timeZone: timeZone.describe('The time zone of notification windows (an IANA name such as `Europe/Berlin`).'),
        notifyIntervalMs: z.number().int().min(100).describe('How often notification rules are checked.'),
        notifyDelayMs: z
          .number()
          .int()
          .min(0)
          .describe(
            'A buyer message is announced once it is this old, so several that arrive together become one digest, and one read meanwhile is not announced at all.',
          ),
      })
      .strict(),
    outbound: z
      .object({
        smarthost: smarthostUrl
          .nullable()
          .describe(
            '`smtp://[user:pass@]host:port` or `smtps://…` of the relay that delivers our mail. When null, outbound mail is **captured**: kept in the database, status `captured`, readable at `GET /api/v1/outbox/{id}/raw`.',
          ),
        requireTLS: z.boolean().describe('Refuse to deliver unless the smarthost offers STARTTLS.'),
        rejectUnauthorized: z.boolean().describe("Check the smarthost's TLS certificate."),
        maxConnections: z.number().int().min(1).max(100).describe('Pooled connections to the smarthost.'),
        concurrency: z.number().int().min(1).max(500).describe('Deliveries in flight at once.'),
        pollIntervalMs: z.number().int().min(10).describe('How often the queue looks for due retries (new mail wakes it at once).'),
        retrySchedule: z.array(positiveSeconds).describe('Seconds to wait after the 1st, 2nd, 3rd, 4th temporary failure.'),
        retryThereafter: positiveSeconds.describe('Seconds between later retries.'),
        lifetime: positiveSeconds.describe('Seconds (5 days) after which a message still not delivered fails and its author gets a notice.'),
        leaseSeconds: positiveSeconds.describe(
          'Seconds (15 minutes) a node holds a queued message it is delivering; another node takes the message over once the holder has died and this has run out. Longer than any one delivery attempt can take (the send timeout is 10 minutes).',
        ),
      })
      .strict(),
    filters: z
      .object({
        linkAllowList: z
          .array(hostname)
          .describe('Domains whose links may cross (subdomains included). Other `http(s)://` and `www.` links become `[link removed]`.'),
        linkAction: z
          .enum(['redact', 'refuse'])
          .describe('`refuse`: seller → buyer mail with a link outside the allow-list is refused (`LINK_REFUSED`) instead; buyer mail is always redacted.'),
        stripImages: z.boolean().describe('Also remove attached and inline images (remote images in HTML are always removed).'),
        maxAttachmentBytes: z.number().int().min(1024).describe('Largest attachment (10 MB). Larger ones refuse seller mail and are removed from buyer mail.'),
      })
      .strict(),
    dns: z
      .object({
        timeoutMs: z.number().int().min(100).max(30_000).describe('Timeout of each DNS lookup (all go through one resolver module).'),
        cacheSeconds: z
          .number()
          .int()
          .min(0)
          .max(86_400)
          .describe(
            "Answers (SPF, DMARC, DKIM keys, MX…) are kept at most this long (300 s), and never longer than the TTL DNS gave them. Negative answers (no such name, no such record) are kept at most a fifth of it, and never longer than their zone's SOA allows (RFC 2308). `0` turns the cache off. One lookup per name and type is in flight at a time.",
          ),
        cacheEntries: z.number().int().min(1).describe('Most answers kept at once (10 000); the least recently used go first.'),
        static: z
          .record(z.string().min(1), z.partialRecord(z.enum(['TXT', 'MX', 'A', 'AAAA', 'PTR']), z.array(z.string())))
          .describe(
            'Records answered locally before asking DNS: `{"shop.example": {"TXT": ["v=spf1 ip4:10.0.0.5 -all"], "MX": ["10 mx.shop.example"]}}` (types TXT, MX, A, AAAA, PTR). For a lab or a split-horizon network; a listed name never reaches DNS.',
          ),
      })
      .strict(),
    dkim: z
      .object({
        enabled: z
          .boolean()
          .describe(
            'Sign every outgoing message with DKIM for the first relay domain. The key (RSA 2048) is generated on first start and kept in the database (a key file an older version left in `<dataDir>/dkim/` is imported once); publish the record from `GET /api/v1/dns` or `npx maskgate dns`.',
          ),
        selector: z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a DNS label like maskgate or mg2026')
          .describe('The DKIM selector: the record lives at `<selector>._domainkey.<domain>`.'),
      })
      .strict(),
    database: z
      .object({
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'must be a postgres://user:pass@host:port/db URL')
          .nullable()
          .describe(
            'PostgreSQL for several nodes (`postgres://user:pass@host:port/db`; env `MASKGATE_DATABASE_URL`). `null`: SQLite under `dataDir`. With it set, the node serves everything a SQLite installation does (SMTP on both ports, the pipeline, delivery, the admin, the API, notifications, campaigns, webhooks) from PostgreSQL, and several nodes may share it (README, "More than one machine"). `maskgate migrate-to-postgres URL` copies a SQLite installation into it.',
          ),
      })
      .strict(),
    retention: z
      .object({
        bodyDays: z
          .number()
          .int()
          .min(1)
          .nullable()
          .describe(
            'Message bodies older than this many days are purged (the original, the delivered copy once delivery ended, the search text and the snippet); the rows — who, when, subject, verdict, findings, delivery status — stay. Checked at start and every hour. `null` keeps bodies forever.',
          ),
        eventDays: z
          .number()
          .int()
          .min(1)
          .nullable()
          .describe(
            'Events (the marketplace feed `GET /api/v1/events` and what webhooks are sent from) older than this many days are deleted, oldest first. Webhooks give an event up after `webhooks.retryFor` (a day), so the feed only has to cover a receiver that was down longer; 30 days covers a month-long outage or a monthly reconciliation, while events (which carry subjects) do not outlive their use. Checked at start and every hour. `null` keeps them forever.',
          ),
      })
      .strict(),
    campaigns: z
      .object({
        ratePerSecond: z
          .number()
          .positive()
          .max(10_000)
          .describe('Campaign messages handed to the outbox per second, over all campaigns. Keep it within what your smarthost allows.'),
        repeatDays: z
          .number()
          .int()
          .min(0)
          .describe(
            'A buyer who got a campaign from the same store within this many days is skipped (checked when each message is sent). 0 turns the rule off.',
          ),
        lateAfterHours: z
          .number()
          .positive()
          .describe('A scheduled campaign that could not start this many hours after its time (the server was down) waits for someone to confirm it.'),
        maxQueued: z
          .number()
          .int()
          .min(1)
          .describe('While more outbox rows than this wait for delivery (the smarthost is slow or answering 4xx), campaigns pause handing over mail.'),
        pollIntervalMs: z.number().int().min(10).describe('How often the campaign sender looks for due and running campaigns.'),
        leaseSeconds: positiveSeconds.describe(
          'How long a node holds the campaign recipients it claimed (claim to stored message takes seconds): when a node dies, another resolves its claims from the stored messages after this long, and takes the campaign job over within this long (at most 60 s). Keep it well above a commit under load.',
        ),
      })
      .strict(),
    webhooks: z
      .object({
        pollIntervalMs: z.number().int().min(10).describe('How often the webhook sender looks for new events and due retries.'),
        retrySchedule: z
          .array(positiveSeconds)
          .min(1)
          .describe('Seconds to wait after the 1st, 2nd, 3rd … failed attempt at one event; the last value repeats.'),
        retryFor: positiveSeconds.describe(
          'Seconds (a day) after an event was written when an endpoint that keeps failing gives it up; it stays in `GET /api/v1/events`.',
        ),
        timeoutMs: z.number().int().min(100).describe('How long one webhook POST may take before it counts as failed.'),
      })
      .strict(),
    log: z
      .object({
        level: z
          .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
          .describe('`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`. Logs are JSON lines on stdout.'),
      })
      .strict(),
  })
  .strict()
  .refine((c) => (c.tls.cert === null) === (c.tls.key === null), { message: 'tls.cert and tls.key are set together', path: ['tls'] });

export type Config = z.infer<typeof configSchema>;
