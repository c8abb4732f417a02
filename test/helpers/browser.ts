// Starts a Chromium through playwright-core (Debian's, installed by .ci/run, or the one
// test-tools.ts finds), headless, for the admin's end-to-end tests. Screenshots go to
// test-artifacts/ (kept by CI, ignored by git).
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findChromium } from './test-tools.js';
import { expect } from 'vitest';

export const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

export function chromiumPath(): string {
  return findChromium() ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

export async function launch(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

/**
 * Waits until htmx has no request in flight and has settled what it swapped in: htmx wires up a
 * swapped-in element's own hx- attributes only when it settles (its `htmx-added` class is taken
 * off then, 20 ms after the swap by default), so a field changed before that fires no request. A
 * test that acts on content htmx just replaced waits for this first.
 */
export async function htmxSettled(page: Page): Promise<void> {
  // Counted through locators, not a function evaluated in the page (the admin's CSP forbids eval).
  await expect.poll(() => page.locator('.htmx-request, .htmx-settling, .htmx-added').count()).toBe(0);
}

/** Fills and sends the admin's login form as a person does; the answer is not waited for. */
export async function submitLogin(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

/** Logs in through the login form and waits for the inbox, where a login lands. */
export async function logIn(page: Page, base: string, email: string, password: string): Promise<void> {
  await submitLogin(page, base, email, password);
  await page.waitForURL(`${base}/inbox`);
}
