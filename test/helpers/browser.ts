// Debian's Chromium driven by playwright-core for the dashboard's end-to-end tests. Where it is missing the tests
// are skipped with the reason, except in CI, where that is a failure (.ci/run installs it).
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env['SWITCHBOARD_CHROMIUM'] ?? '/usr/bin/chromium';

/** The skip option for `test()`: a reason when Chromium is absent outside CI. */
export function chromiumSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (process.env['CI']) throw new Error(`the dashboard tests need Chromium at ${CHROMIUM} (apt-get install chromium)`);
  return `Chromium is not installed at ${CHROMIUM}`;
}

/** Headless, without the background traffic a closed network refuses, and a fresh profile each launch. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

/** Where screenshots go: test-artifacts/screenshots at the repository's root (kept by CI as artifacts). */
export async function screenshotDir(): Promise<string> {
  const dir = join(import.meta.dirname, '..', '..', 'test-artifacts', 'screenshots');
  await mkdir(dir, { recursive: true });
  return dir;
}
