// One composed message for the tests and benches of the composer and the signer: Jane's mail to the
// store Acme as the rewrite hands it to compose (From the alias, To the store's mailbox), at a
// fixed date and Message-ID so two compositions differ only in their boundaries. What a test
// depends on is passed in.
import type { OutgoingMail } from '../../src/core/types.js';

/** A buyer → store OutgoingMail with no text, HTML or attachments unless `parts` gives them. */
export function outgoingMail(parts: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    from: { name: 'Jane via Acme', address: 'tok@relay.test' },
    replyTo: null,
    to: { name: 'Acme', address: 'support@acme.example' },
    subject: 'Order A-1001',
    date: new Date('2026-11-30T05:00:00Z'),
    messageId: '<m1@relay.test>',
    inReplyTo: null,
    references: [],
    text: null,
    html: null,
    attachments: [],
    headers: [],
    ...parts,
  };
}
