import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { isRefusal } from '../../core/alias-token.js';
import { FILE_FROM, type SpooledFile } from '../../store/spooled-bytes.js';
import { inlineWork } from '../work.js';
import { receive } from './receive.js';

const dir = mkdtempSync(join(tmpdir(), 'maskgate-receive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('receive, a message in its spool file', () => {
  it('answers a temporary failure, not "could not be parsed", when its file cannot be read after the header gate', async () => {
    const line = 'order notes, the kettle arrived 0123456789\r\n';
    const bytes = Buffer.from(`From: jane@buyer.example\r\nTo: x@relay.test\r\nSubject: s\r\n\r\n${line.repeat(Math.ceil((FILE_FROM * 1.1) / line.length))}`);
    const file = join(dir, 'spooled.eml');
    writeFileSync(file, bytes);
    const raw: SpooledFile = { file, byteLength: bytes.length };
    const r = await receive(
      {
        raw,
        envelopeFrom: 'jane@buyer.example',
        recipients: ['x@relay.test'],
        source: 'submission',
        log: pino({ level: 'silent' }),
        // Asked after the header gate read the file's head and before the parse reads the rest: the file is gone by then
        // (a read error of the spool is the gateway's, and the sender may retry; the message itself is fine).
        proof: () => {
          rmSync(file);
          return Promise.resolve({ kind: 'submission' as const });
        },
      },
      { work: inlineWork, parseTimeoutMs: 10_000 },
    );
    expect(isRefusal(r) ? r.code : 'read').toBe('TEMPORARY_FAILURE');
  });
});
