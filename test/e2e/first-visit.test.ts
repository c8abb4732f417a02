// A newcomer's first visit to the admin leaves the browser's console clean: the browser asks for
// /favicon.ico on its own, and the admin answered it 404, one console error on the first page.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserRepo } from '../../src/store/users.js';
import { launch, logIn } from '../helpers/browser.js';
import { startHarness, type Harness } from '../helpers/gateway.js';

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  h = await startHarness({ http: { port: 0, host: '127.0.0.1' } });
  await new UserRepo(h.gw.db).create({ email: 'owner@shop.example', name: 'Owner', role: 'owner', password: 'owner password 123', storeIds: [] });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('a first visit', () => {
  it('logs no console error from the login page to the inbox (no 404 for the icon the browser asks for)', async () => {
    const base = `http://127.0.0.1:${h.gw.httpPort}`;
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('response', (r) => void (r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`)));
    await logIn(page, base, 'owner@shop.example', 'owner password 123');
    await page.waitForLoadState('networkidle');
    expect(errors).toEqual([]);
  });
});
