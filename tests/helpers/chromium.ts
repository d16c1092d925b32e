/**
 * Real Chromium for the browser tests (Debian's /usr/bin/chromium through playwright-core), launched one
 * way everywhere. The skip rule: browser tests are skipped ONLY when DAYBREAK_SKIP_BROWSER=1; otherwise a
 * missing Chromium fails the test with a message saying how to install it (.ci/run installs it), so a CI
 * box without it can never pass by silently skipping.
 *
 * @example
 * describe.skipIf(skipBrowser)('the page in a real browser', () => {
 *   let browser: Browser;
 *   beforeAll(async () => { browser = await launchChromium(); }, 60_000);
 *   afterAll(() => browser?.close());
 * });
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless, no sandbox (containers), and nothing that calls out to Google's servers on its own. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Whether browser tests should skip: the environment says so explicitly, and nothing else does. */
export function browserSkipRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.DAYBREAK_SKIP_BROWSER === '1';
}

export const skipBrowser = browserSkipRequested();
if (skipBrowser) console.warn('Skipping the browser tests: DAYBREAK_SKIP_BROWSER=1.');

/** Launches Chromium, or fails with how to get it when it is missing. */
export async function launchChromium(executablePath: string = CHROMIUM_PATH): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(
      `${executablePath} is missing, so the browser tests cannot run. Install it (apt-get install -y chromium; .ci/run does), ` +
        'or set DAYBREAK_SKIP_BROWSER=1 to skip the browser tests on purpose.',
    );
  }
  return chromium.launch({ headless: true, executablePath, args: [...CHROMIUM_ARGS] });
}
