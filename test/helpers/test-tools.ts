// Finds the programs some tests need beyond Node: a Chromium for the browser tests (playwright-core
// drives it; it downloads nothing) and openssl for the throwaway TLS certificates. vitest.config.ts
// leaves out the tests whose program is missing and says, in one line each, how to enable them.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Where Debian, Ubuntu, Fedora, Homebrew casks and snap put a Chromium or Chrome.
const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** The browser the e2e tests drive: CHROMIUM_PATH when set, else the first one installed; null if none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.CHROMIUM_PATH) return existsSync(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : null;
  return CHROMIUM_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Test files under `dir` (recursively) whose text imports `what`. */
export function testFilesImporting(dir: string, what: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFilesImporting(path, what));
    else if (entry.name.endsWith('.test.ts') && readFileSync(path, 'utf8').includes(what)) out.push(path);
  }
  return out;
}
