import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../store/db.js';
import { displayScrub, scrubForDisplay } from './display-scrub.js';
import { sqliteAdmin } from '../../store/sqlite/admin.js';
import type { AdminEnv } from './session.js';

const KEEP = ['support@acme.example', 'olivia@seller.example'];
const scrub = (text: string) => scrubForDisplay(text, ['relay.localhost'], KEEP);

describe('scrubForDisplay', () => {
  it.each([
    ['to <jane@buyer.example>', 'to <[redacted]@buyer.example>'],
    ['to jürgen.müller@buyer.example', 'to [redacted]@buyer.example'],
    ['&lt;jane@buyer.example&gt; 550', '&lt;[redacted]@buyer.example&gt; 550'],
    ['alias k3v@relay.localhost', 'alias k3v@relay.localhost'],
    ['mailbox support@acme.example', 'mailbox support@acme.example'],
    ['mailbox SUPPORT@acme.example', 'mailbox SUPPORT@acme.example'],
    ['<td>olivia@seller.example</td>', '<td>olivia@seller.example</td>'],
  ])('%s', (input, output) => expect(scrub(input)).toBe(output));

  it('does not keep a longer address that ends or starts with a kept one', () => {
    expect(scrub('x.support@acme.example')).toBe('[redacted]@acme.example');
    expect(scrub('müsupport@acme.example')).toBe('[redacted]@acme.example');
    expect(scrub('support@acme.example.evil.example')).toBe('[redacted]@acme.example.evil.example');
  });

  it('cannot be made to reveal what it kept by placeholders written into the text', () => {
    expect(scrub('\u00000\u0000 jane@buyer.example support@acme.example')).toBe('\uFFFD0\uFFFD [redacted]@buyer.example support@acme.example');
  });
});

describe('displayScrub', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mg-scrub-'));
    db = openDb(dir);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const app = (read: boolean) => {
    const a = new Hono<AdminEnv>();
    a.use('*', displayScrub(sqliteAdmin(db), ['relay.localhost']));
    a.post('/form', async (c) => {
      const form = read ? await c.req.parseBody() : {};
      return c.html(`<input value="${String(form.mailbox ?? '')}"><p>${String(form.note ?? '')} jane@buyer.example</p>`);
    });
    return a;
  };
  const post = async (a: Hono<AdminEnv>, body: Record<string, string>) =>
    (await a.request('/form', { method: 'POST', body: new URLSearchParams(body) })).text();

  it('shows again an address the user typed as a whole field, and nothing else', async () => {
    expect(await post(app(true), { mailbox: ' hello@second.example ', note: 'write to bob@buyer.example' })).toBe(
      '<input value=" hello@second.example "><p>write to [redacted]@buyer.example [redacted]@buyer.example</p>',
    );
  });

  it('keeps no typed address the route did not read', async () => {
    expect(await post(app(false), { mailbox: 'jane@buyer.example' })).toBe('<input value=""><p> [redacted]@buyer.example</p>');
  });

  it('keeps the examples a page of documentation names, only on domains reserved for examples, and only on that page', async () => {
    const a = new Hono<AdminEnv>();
    a.use('*', displayScrub(sqliteAdmin(db), ['relay.localhost']));
    const page = '<pre>jane@buyer.example vera@example.com real@gmail.com</pre><p>bob@buyer.example</p>';
    a.get('/docs', (c) => {
      c.set('documentedAddresses', ['jane@buyer.example', 'vera@example.com', 'real@gmail.com']);
      return c.html(page);
    });
    a.get('/other', (c) => c.html(page));
    expect(await (await a.request('/docs')).text()).toBe('<pre>jane@buyer.example vera@example.com [redacted]@gmail.com</pre><p>[redacted]@buyer.example</p>');
    expect(await (await a.request('/other')).text()).toBe(
      '<pre>[redacted]@buyer.example [redacted]@example.com [redacted]@gmail.com</pre><p>[redacted]@buyer.example</p>',
    );
  });
});
