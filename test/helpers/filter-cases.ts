// Content-filter cases run on one gateway per filter setting for a whole test file: a refused
// message stores nothing and each delivered one is awaited before the next case, so the cases do
// not touch each other. The sink is emptied before each case and each case's Subject names it, so
// the message a case reads is its own, never a late one from the case before.
import { type ParsedMail, simpleParser } from 'mailparser';
import type { SendMailOptions } from 'nodemailer';
import { afterAll, expect } from 'vitest';
import { seedPair, startHarness, type Harness } from './gateway.js';
import { sendAs } from './nodemailer-send.js';

type Pair = Awaited<ReturnType<typeof seedPair>>;

export interface FilterCases {
  /** Starts a case on the gateway with these `filters` (one gateway per setting, started once). */
  start(filters: { linkAction: 'redact' | 'refuse'; stripImages: boolean }): Promise<void>;
  /** The current case's gateway and pair. */
  readonly h: Harness;
  readonly pair: Pair;
  /** This case's Subject: `Order <number> (case <n>)`. */
  subject(): string;
  /** Sends `mail` as the store's mailbox to the pair's alias, with this case's Subject unless given. */
  send(mail: SendMailOptions): ReturnType<typeof sendAs>;
  /** The one message this case delivered, parsed; fails when its Subject is not this case's. */
  ownDelivery(): Promise<ParsedMail>;
}

/** Call once at a test file's top level: registers an afterAll that stops its gateways. */
export function filterCases(): FilterCases {
  const gateways = new Map<string, Promise<{ h: Harness; pair: Pair }>>();
  let current: { h: Harness; pair: Pair } | null = null;
  let caseNo = 0;
  afterAll(async () => {
    for (const g of gateways.values()) await (await g).h.close();
  });
  const now = () =>
    current ??
    (() => {
      throw new Error('filterCases: start() a case first');
    })();
  const cases: FilterCases = {
    async start(filters) {
      const key = JSON.stringify(filters);
      let g = gateways.get(key);
      if (!g) {
        g = (async () => {
          const h = await startHarness({ filters: { linkAllowList: [], maxAttachmentBytes: 10485760, ...filters } });
          return { h, pair: await seedPair(h) };
        })();
        gateways.set(key, g);
      }
      current = await g;
      current.h.sink!.messages.length = 0;
      caseNo++;
    },
    get h() {
      return now().h;
    },
    get pair() {
      return now().pair;
    },
    subject: () => `Order ${now().pair.number} (case ${caseNo})`,
    send: (mail) => sendAs(now().h, 'support@acme.example', now().pair.address, { subject: cases.subject(), text: 'see the file', ...mail }),
    async ownDelivery() {
      const parsed = await simpleParser((await now().h.sink!.waitFor(1))[0]!.raw);
      expect(parsed.subject).toBe(cases.subject());
      return parsed;
    },
  };
  return cases;
}
