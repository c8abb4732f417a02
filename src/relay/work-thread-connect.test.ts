// A read's DNS questions wait for the thread's DNS port (`connect`), but not for ever: without a
// port they fail as a DNS error once the wait is over, so the message's session gets an answer
// (a temporary authentication error) instead of none.
import { afterEach, describe, expect, it } from 'vitest';
import { CONNECT_WAIT_MS, read, setConnectWaitForTests } from './work-thread.js';

afterEach(() => setConnectWaitForTests(CONNECT_WAIT_MS));

describe('a read on a thread the pool never connected', () => {
  it('ends with SPF and DMARC as temporary errors once the wait for the DNS port is over', async () => {
    setConnectWaitForTests(300);
    const raw = Buffer.from('From: anna@buyer.example\r\nTo: k3v@relay.test\r\nSubject: hi\r\n\r\nhello\r\n');
    const r = await read({
      raw,
      timeoutMs: 60_000,
      verify: { session: { ip: '192.0.2.7', helo: 'mail.buyer.example', envelopeFrom: 'anna@buyer.example' }, mta: 'relay.test', read: 1 },
      keep: null,
    });
    expect(r.auth).toMatchObject({ ok: { spf: { result: 'temperror' }, dmarc: { result: 'temperror' } } });
  });
});
