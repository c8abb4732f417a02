// Content filters over real SMTP: seller → buyer mail that breaks a rule is refused with a reason;
// buyer → seller mail is filtered, and the forwarded copy says what was removed.
import { decodeHTML } from 'entities';
import { simpleParser } from 'mailparser';
import type { SendMailOptions } from 'nodemailer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedPair, startHarness, type Harness } from '../helpers/gateway.js';
import { sendAs } from '../helpers/nodemailer-send.js';

let h: Harness;
let pair: Awaited<ReturnType<typeof seedPair>>;
beforeEach(async () => {
  h = await startHarness({ filters: { linkAllowList: ['shop.example'], linkAction: 'redact', stripImages: false, maxAttachmentBytes: 10485760 } });
  pair = await seedPair(h);
  await h.api('POST', '/api/v1/banned-words', { word: 'cheap' });
  await h.api('POST', '/api/v1/banned-words', { word: 'wire transfer', storeId: pair.storeId });
});
afterEach(async () => {
  await h.close();
});

const EXE = Buffer.concat([Buffer.from([0x4d, 0x5a, 0x90, 0x00]), Buffer.alloc(200)]);

const send = (from: string, mail: SendMailOptions) => sendAs(h, from, pair.address, mail);

describe('seller → buyer', () => {
  it('refuses banned words, naming them', async () => {
    const r = await send('support@acme.example', { subject: `Order ${pair.number}`, text: 'A CHEAP deal: pay by wire transfer' });
    expect(r.code).toBe(550);
    expect(r.response).toMatch(/5\.7\.1 the message contains banned words: cheap, wire transfer/);
    expect((await h.api('GET', '/api/v1/messages')).body.items).toHaveLength(0);
  });

  it('refuses banned words however the HTML or the text splits, spells or hides them', async () => {
    const spellings = [
      { html: '<p>A ch<b></b>eap deal</p>' },
      { html: '<p>A <span>che</span>ap deal</p>' },
      { html: '<p>A &#99;heap deal</p>' },
      { html: '<p>A ch<marquee></marquee>eap deal</p>' }, // the sanitiser drops the marquee: the reader sees "cheap"
      { html: '<p>A ch<script>x</script>eap deal</p>' },
      { html: '<p>Pay by wire <i>trans</i>fer</p>' },
      { text: 'A che\u00adap deal' },
      { text: 'A ch\u200beap deal' },
      { text: 'A ｃｈｅａｐ deal' },
      { subject: `Order ${pair.number}: ch\u200beap`, text: 'see subject' },
    ];
    for (const s of spellings) {
      const r = await send('support@acme.example', { subject: `Order ${pair.number}`, ...s });
      expect(r.code, JSON.stringify(s)).toBe(550);
      expect(r.response).toMatch(/5\.7\.1 the message contains banned words: (cheap|wire transfer)/);
    }
    expect((await h.api('GET', '/api/v1/messages')).body.items).toHaveLength(0);
  });

  it('refuses a disallowed attachment whatever its name, naming the file', async () => {
    const r = await send('support@acme.example', {
      subject: `Order ${pair.number}`,
      text: 'invoice attached',
      attachments: [{ filename: 'invoice.pdf', content: EXE, contentType: 'application/pdf' }],
    });
    expect(r.code).toBe(550);
    expect(r.response).toMatch(/attachment "invoice\.pdf" refused: file type not allowed/);
  });

  it('delivers allowed mail with links outside the allow-list and other addresses removed', async () => {
    const r = await send('support@acme.example', {
      subject: `Order ${pair.number}`,
      text: 'Track at https://tracker.example/x or https://shop.example/orders, or mail boss@other.example',
      attachments: [{ filename: 'notes.txt', content: 'plain notes' }],
    });
    expect(r.ok).toBe(true);
    const [m] = await h.sink!.waitFor(1);
    const parsed = await simpleParser(m!.raw);
    expect(parsed.text).toContain('Track at [link removed] or https://shop.example/orders, or mail [email removed]');
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['notes.txt']);
  });
});

describe('buyer → seller', () => {
  it('masks banned words, removes a bad attachment and says so, and renders markup inert', async () => {
    const r = await send('jane@buyer.example', {
      subject: 'cheap question <script>alert(1)</script>',
      text: 'Is it cheap? Pay by wire transfer? Photo attached.',
      html: '<p onmouseover="x()">Is it <b>cheap</b>?</p><script>steal()</script><img src="https://pixel.example/t.gif"><iframe src="https://evil.example"></iframe>',
      attachments: [
        { filename: 'setup.exe', content: EXE },
        // A whole 1×1 PNG: images are kept only when they are what they claim.
        {
          filename: 'photo.png',
          content: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'),
        },
      ],
    });
    expect(r.ok).toBe(true);
    const [m] = await h.sink!.waitFor(1);
    const raw = m!.raw.toString();
    expect(raw).not.toMatch(/pixel\.example|evil\.example|onmouseover|steal\(\)|setup\.exe"?\r\n/);
    const parsed = await simpleParser(m!.raw);
    expect(parsed.subject).toBe('***** question <script>alert(1)</script>'); // a subject is text: shown escaped, never run
    expect(parsed.text).toContain('Is it *****? Pay by *************? Photo attached.');
    expect(parsed.text).toContain('[attachment removed: setup.exe — file type not allowed');
    expect(parsed.html).toContain('Is it <b>*****</b>?');
    expect(parsed.html).not.toMatch(/<script|<iframe|<img/);
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['photo.png']);
    const [stored] = (await h.api('GET', '/api/v1/messages')).body.items;
    expect(stored.changes.map((c: { rule: string }) => c.rule)).toEqual(
      expect.arrayContaining(['filter.banned-word', 'filter.attachment', 'html.sanitized', 'filter.image']),
    );
  });
});

describe('buyer → seller, what a reader sees', () => {
  it('masks banned words and removes links however the markup splits, encodes or hides them', async () => {
    const r = await send('jane@buyer.example', {
      subject: 'question',
      text: 'Is it che\u00adap? ch\u200beap? ｃｈｅａｐ? See ht\u00adtps://evil.example/t or https://ev\u200bil.example/u',
      html:
        '<p>Is it ch<b></b>eap? <span>che</span>ap? &#99;heap? ch<!-- -->eap? wire <i>trans</i>fer?</p>' +
        '<a href=" https://evil.example/a">a</a> <a href="ht&#x09;tps://evil.example/b">b</a> <a href="https&#58;//evil.example/c">c</a>' +
        '<p><span>https://ev</span>il.example/y and https://ev&#105;l.example/z</p><a href="https://shop.example/ok" title="so ch&#101;ap">ok</a>',
    });
    expect(r.ok).toBe(true);
    const [m] = await h.sink!.waitFor(1);
    const parsed = await simpleParser(m!.raw);
    const seen = (s: string) =>
      decodeHTML(s.replace(/<[^>]*>/g, ''))
        .normalize('NFKC')
        .replace(/[\u00ad\u200b]/g, '');
    for (const body of [parsed.text ?? '', typeof parsed.html === 'string' ? parsed.html : '']) {
      expect(seen(body)).not.toMatch(/cheap|wire transfer|evil/i);
      expect(decodeHTML(body)).not.toMatch(/evil/i);
    }
    expect(parsed.html).toContain('https://shop.example/ok');
    const [stored] = (await h.api('GET', '/api/v1/messages')).body.items;
    expect(stored.changes.map((c: { rule: string }) => c.rule)).toEqual(expect.arrayContaining(['filter.banned-word', 'filter.link']));
  });
});

describe('banned words API', () => {
  it('lists global and store words, refuses duplicates and deletes', async () => {
    const list = await h.api('GET', `/api/v1/banned-words?storeId=${pair.storeId}`);
    expect(list.body.items.map((w: { word: string; storeId: number | null }) => [w.word, w.storeId])).toEqual([
      ['cheap', null],
      ['wire transfer', pair.storeId],
    ]);
    expect((await h.api('GET', '/api/v1/banned-words')).body.items).toHaveLength(1);
    expect((await h.api('POST', '/api/v1/banned-words', { word: 'Cheap' })).status).toBe(409);
    expect((await h.api('POST', '/api/v1/banned-words', { word: '!!!' })).status).toBe(400);
    expect((await h.api('POST', '/api/v1/banned-words', { word: 'x', storeId: 999 })).status).toBe(400);
    expect((await h.api('DELETE', `/api/v1/banned-words/${list.body.items[0].id}`)).status).toBe(204);
    expect((await h.api('DELETE', `/api/v1/banned-words/${list.body.items[0].id}`)).status).toBe(404);
  });
});
