import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ParsedMail } from '../core/types.js';
import { parseMail } from './parse.js';
import { withOwnEnd } from './parser-end.js';

// An inline message/rfc822 whose header block the input ends in: mailparser alone never finishes
// it, so only the parse timeout ends it. parser-end.ts ends it now; this test reads with
// mailparser's own ending (withOwnEnd) to have a parse that stalls.
const stalls =
  'From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\nContent-Type: message/rfc822\r\nContent-Disposition: inline\r\n--\r\n';

const message = (n: number) =>
  Buffer.from(
    'From: Jane <jane@buyer.example>\r\nTo: x@relay.test\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n' +
      '--o\r\nContent-Type: text/plain\r\n\r\nhello\r\n' +
      Array.from(
        { length: n },
        (_, i) =>
          `--o\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=m${i}.eml\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${stalls}\r\n`,
      ).join('') +
      '--o--\r\n',
    'latin1',
  );

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

afterEach(() => {
  vi.useRealTimers();
});

describe('the parse timeout', () => {
  it('is one for the whole message: attached messages that stall mailparser share it, they do not get one each', async () => {
    await withOwnEnd(async () => {
      // The clock is the test's: one parse timeout passes, once.
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      let settled: ParsedMail | Error | null = null;
      parseMail(message(5), 1000).then(
        (m) => (settled = m),
        (e: Error) => (settled = e),
      );
      await turns(200);
      // The outer message is read; the first attached message stalls.
      expect(settled).toBeNull();
      vi.advanceTimersByTime(1000);
      await turns(200);
      // Every attached message is given up at the one deadline: none is left waiting for a timeout of its own.
      expect(settled).not.toBeNull();
      expect(settled).not.toBeInstanceOf(Error);
      const mail = settled as unknown as ParsedMail;
      expect(mail.attachments.map((a) => [a.contentType, a.parsed === undefined])).toEqual(Array.from({ length: 5 }, () => ['message/rfc822', true]));
    });
  });
});
