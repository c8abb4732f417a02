// Starts a Chromium through playwright-core (Debian's, installed by .ci/run, or the one
// test-tools.ts finds), headless, for the admin's end-to-end tests. Screenshots go to
// test-artifacts/ (kept by CI, ignored by git).
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findChromium } from './test-tools.js';

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
