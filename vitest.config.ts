import { defineConfig } from 'vitest/config';

/**
 * The slow tier: tests that drive a real Chromium, start `daybreak` (or another program) as a child
 * process, or need PostgreSQL for their point. Everything else is the unit tier, the inner loop:
 * `npm run test:unit` runs it alone, `npm test` runs both (CI). The unit tier's setup file makes starting a
 * child process throw, so a test that belongs here cannot slip into the fast tier unnoticed.
 */
export const INTEGRATION = [
  // Spawns `daybreak worker`
  'tests/cli/worker-lifetime.test.ts',
  // Chromium
  'tests/preview/browser.test.ts',
  'tests/preview/window-notes-browser.test.ts',
  'tests/render/briefing-browser.test.ts',
  'tests/render/edition-layout-browser.test.ts',
  'tests/templates/transactional-phone.test.ts',
  'tests/web/browser.test.ts',
  'tests/web/manage-browser.test.ts',
  'tests/web/one-implementation.test.ts',
  // child processes: the CLI through bin/daybreak.js, SpamAssassin, signals and crashes
  'tests/audience/keyring.test.ts',
  'tests/cli/bin-build.test.ts',
  'tests/cli/build.test.ts',
  'tests/cli/init-e2e.test.ts',
  'tests/cli/port-in-use.test.ts',
  'tests/cli/shutdown-signals.test.ts',
  'tests/content/load-content-fifo.test.ts',
  'tests/delivery/dkim-verify.test.ts',
  'tests/delivery/dkim.test.ts',
  'tests/delivery/pre-send-gate.test.ts',
  'tests/delivery/send-local-time.test.ts',
  'tests/inbound/inbound-e2e.test.ts',
  // a throwaway Dovecot IMAP server (Debian's dovecot-imapd)
  'tests/inbound/inbound-imap.test.ts',
  'tests/inbound/webhooks.test.ts',
  'tests/delivery/send-cli.test.ts',
  'tests/delivery/send-older-edition.test.ts',
  'tests/preview/cli.test.ts',
  'tests/schedule/start-crash-e2e.test.ts',
  'tests/schedule/start-e2e.test.ts',
  'tests/schedule/start-signals.test.ts',
  'tests/storage/db-cli.test.ts',
  'tests/storage/fleet-e2e.test.ts',
  'tests/templates/spamassassin.test.ts',
  'tests/templates/templates-command.test.ts',
  'tests/web/serve-command.test.ts',
];

const ALL = ['tests/**/*.test.ts', 'tests/**/*.test.tsx'];

/**
 * `npm run test:unit` sets this: PostgreSQL is left out, and the unit files share one module graph per worker (isolate: false)
 * and run eight at a time. Most of their time is spent waiting on timers, sockets and fsync, and importing
 * React, MJML and the rest afresh for every file cost more CPU than the tests themselves. `npm test`
 * (CI) keeps every file in its own process.
 */
const FAST = process.env.DAYBREAK_TEST_FAST === '1';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // Alone, the tier is SQLite only: the storage contract tests skip their PostgreSQL half. Under
          // npm test they run it whenever DAYBREAK_TEST_PG_URL names a server (CI requires it).
          ...(FAST ? { isolate: false, maxWorkers: 8, env: { DAYBREAK_TEST_TIER: 'unit' } } : {}),
          include: ALL,
          exclude: ['**/node_modules/**', ...INTEGRATION],
          setupFiles: ['tests/helpers/unit-tier-setup.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'integration', include: INTEGRATION },
      },
    ],
  },
});
