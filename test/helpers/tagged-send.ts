// One round of the masking tests through the gateway: send messages on one connection, find each
// delivered copy by the tag in its subject, and list the leaks the independent search finds in them.
import { simpleParser, type Attachment as ParsedAttachment } from 'mailparser';
import { afterAll, beforeAll, expect } from 'vitest';
import { BUYER, MAILBOX, mail, STAFF } from '../fixtures/masking-mail.js';
import { seedPair, startHarness, type Harness } from './gateway.js';
import { leakSearch, type Secrets } from './leak-search.js';
import { SmtpClient } from './smtp-client.js';

/** `A-1001 t<k>`: the tag the k-th message's subject holds, by which sendTagged finds its copy. */
export const subjectTag = (k: number): string => `A-1001 t${k}`;

/**
 * Sends `raws` from `envelopeFrom` to `to` on one connection (each must be answered 250), waits up
 * to `timeoutMs` for as many deliveries, and returns the delivered copy of each, in order (empty
 * when none arrived). The k-th message's subject must hold subjectTag(k).
 */
export async function sendTagged(h: Harness, envelopeFrom: string, to: string, raws: readonly Buffer[], timeoutMs = 60_000): Promise<Buffer[]> {
  h.sink!.answer = () => null;
  const before = h.sink!.messages.length;
  const c = await SmtpClient.connect(h.gw.smtpPort);
  try {
    for (const [k, raw] of raws.entries()) expect((await c.send(envelopeFrom, [to], raw)).reply.code, subjectTag(k)).toBe(250);
  } finally {
    await c.quit();
  }
  const arrived = (await h.sink!.waitFor(before + raws.length, timeoutMs)).slice(before);
  const bySubject = new Map<string, Buffer>();
  for (const m of arrived) bySubject.set(/A-1001 t[0-9]+/.exec((await simpleParser(m.raw)).subject ?? '')?.[0] ?? '', m.raw);
  return raws.map((_, k) => bySubject.get(subjectTag(k)) ?? Buffer.alloc(0));
}

/** For each delivered copy (labelled), `[label, 'not delivered']` or `[label, where each leak is]`; [] when all are clean. */
export async function leakProblems(labels: readonly string[], delivered: readonly Buffer[], secrets: Secrets): Promise<unknown[]> {
  const problems: unknown[] = [];
  for (const [k, raw] of delivered.entries()) {
    if (raw.length === 0) problems.push([labels[k], 'not delivered']);
    else {
      const leaks = await leakSearch(raw, secrets);
      if (leaks.length) problems.push([labels[k], leaks.map((l) => `${l.where}: …${l.excerpt}…`)]);
    }
  }
  return problems;
}

/**
 * A gateway with the masking tests' pair: store "Acme Store" (mailbox MAILBOX), buyer BUYER, order
 * A-1001; with `staff`, STAFF is the store's permitted sender too. Returns the harness, the buyer's
 * alias address and the store's id; the caller closes the harness. Throws if the API refuses a step.
 */
export async function startMaskingPair(opts: { staff?: boolean } = {}): Promise<{ h: Harness; alias: string; storeId: number }> {
  const h = await startHarness();
  const pair = await seedPair(h, { storeName: 'Acme Store', mailbox: MAILBOX, buyerEmail: BUYER.address, buyerName: BUYER.name, number: 'A-1001' });
  if (opts.staff)
    expect((await h.api('POST', `/api/v1/stores/${pair.storeId}/permitted-senders`, { email: STAFF.address, status: 'enabled' })).status).toBe(201);
  return { h, alias: pair.address, storeId: pair.storeId };
}

/** The masking pair a test file shares (startMaskingPair's result), read inside its tests. */
export interface MaskingPair {
  readonly h: Harness;
  /** The buyer's alias address. */
  readonly alias: string;
  readonly storeId: number;
}

/**
 * The one setup of a masking test file: registers a vitest beforeAll that starts the masking pair
 * (startMaskingPair with `opts`) and an afterAll that closes it, so it must be called at the file's
 * top level. Its fields are read inside tests; read before the beforeAll ran, they throw.
 */
export function maskingPairForTests(opts: { staff?: boolean } = {}): MaskingPair {
  let pair: MaskingPair | undefined;
  beforeAll(async () => {
    pair = await startMaskingPair(opts);
  });
  afterAll(() => pair?.h.close());
  const started = (): MaskingPair => {
    if (!pair) throw new Error('the masking pair is read before its beforeAll started it');
    return pair;
  };
  return {
    get h() {
      return started().h;
    },
    get alias() {
      return started().alias;
    },
    get storeId() {
      return started().storeId;
    },
  };
}

/** One file attached to a round's message. */
export interface Attachment {
  /** The part's Content-Type (a name="…" parameter is added). */
  readonly type: string;
  readonly name: string;
  /** The file's bytes in base64 (b64), as the part carries them. */
  readonly base64: string;
  /** Add `Content-Disposition: attachment; filename="…"`, as most mail programs write. */
  readonly disposition?: boolean;
}

/**
 * The k-th message of a round from BUYER to `alias`: subject `subjectTag(k) <word>`, a line of text
 * ("File attached.", after `word`), then `file`.
 */
export function attachmentMail(alias: string, k: number, file: Attachment, word = 'file'): Buffer {
  return mail(
    [`From: ${BUYER.name} <${BUYER.address}>`, `To: ${alias}`, `Subject: ${subjectTag(k)} ${word}`, 'Content-Type: multipart/mixed; boundary="q"'],
    [
      '--q',
      'Content-Type: text/plain',
      '',
      `${word[0]!.toUpperCase()}${word.slice(1)} attached.`,
      '--q',
      `Content-Type: ${file.type}; name="${file.name}"`,
      ...(file.disposition ? [`Content-Disposition: attachment; filename="${file.name}"`] : []),
      'Content-Transfer-Encoding: base64',
      '',
      file.base64,
      '--q--',
    ],
  );
}

/**
 * A message from `from` (BUYER unless told) to `alias` whose text and HTML say the same
 * (multipart/alternative, both UTF-8).
 */
export function alternativeMail(alias: string, subject: string, text: string, html: string, from: { name: string; address: string } = BUYER): Buffer {
  return mail(
    [`From: ${from.name} <${from.address}>`, `To: ${alias}`, `Subject: ${subject}`, 'Content-Type: multipart/alternative; boundary="q"'],
    ['--q', 'Content-Type: text/plain; charset=utf-8', '', text, '--q', 'Content-Type: text/html; charset=utf-8', '', html, '--q--'],
  );
}

/**
 * Sends each line as one BUYER message to `alias` (alternativeMail: the line as the text part, and
 * as `<p>line</p>` in the HTML part) and returns, per line in order, its delivered [text, html], each
 * trimmed, the HTML without its `<p>` tags.
 */
export async function deliveredLines(h: Harness, alias: string, lines: readonly string[], timeoutMs = 30_000): Promise<[string, string][]> {
  const raws = await sendTagged(
    h,
    BUYER.address,
    alias,
    lines.map((line, k) => alternativeMail(alias, `${subjectTag(k)} note`, line, `<p>${line}</p>`)),
    timeoutMs,
  );
  return Promise.all(
    raws.map(async (raw): Promise<[string, string]> => {
      const m = await simpleParser(raw);
      return [
        m.text?.trim() ?? '',
        String(m.html)
          .replace(/<\/?p>/g, '')
          .trim(),
      ];
    }),
  );
}

/**
 * Sends one BUYER message to `alias` per file (attachmentMail) on one connection and returns, per
 * message in order, the attachments its delivered copy carries as mailparser reads them (none for a
 * copy that did not arrive within `timeoutMs`).
 */
export async function deliveredAttachments(h: Harness, alias: string, files: readonly Attachment[], timeoutMs = 60_000): Promise<ParsedAttachment[][]> {
  const raws = await sendTagged(
    h,
    BUYER.address,
    alias,
    files.map((file, k) => attachmentMail(alias, k, file)),
    timeoutMs,
  );
  return Promise.all(raws.map(async (raw) => (await simpleParser(raw)).attachments));
}

/** Sends one BUYER message to `alias` per file (attachmentMail) and returns, per message in order, the file names its delivered copy still carries. */
export async function keptAttachments(h: Harness, alias: string, files: readonly Attachment[], timeoutMs = 30_000): Promise<string[][]> {
  return (await deliveredAttachments(h, alias, files, timeoutMs)).map((atts) => atts.map((a) => a.filename ?? ''));
}

/**
 * Sends one BUYER message to `alias` per file (`files` base64, each of `type`, named `name`, beside a
 * short text) and returns, per message in order, the file names its delivered copy still carries.
 */
export function keptFiles(h: Harness, alias: string, files: readonly string[], type: string, name: string, timeoutMs = 30_000): Promise<string[][]> {
  return keptAttachments(
    h,
    alias,
    files.map((base64) => ({ type, name, base64 })),
    timeoutMs,
  );
}
