import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatLocal } from '../../src/schedule/index.ts';
import { enginesUnderTest } from '../helpers/test-store.ts';
import { runDaybreak } from '../helpers/run-daybreak.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { DATE, REPO, SECRET, tempDir } from './fixtures.ts';

let cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

const daybreak = runDaybreak;

/** Every minute, as `send` prints it in New York, from `from` to `to`: when a send that ran between them went out. */
function minutesBetween(from: Date, to: Date): string[] {
  const out = new Set<string>();
  for (let t = from.getTime() - 60_000; t <= to.getTime() + 60_000; t += 1000) out.add(formatLocal(new Date(t), 'America/New_York'));
  return [...out];
}

describe.each(enginesUnderTest())('daybreak send of an edition older than one already sent ($name)', (engine) => {
  it('warns on stderr, naming the newer edition and when it went out, then sends it (--json stdout stays the report); not once every copy went out', async () => {
    const tmp = tempDir('daybreak-send-older-');
    cleanup.push(tmp.remove);
    const db = await engine.create();
    cleanup.push(db.cleanup);
    const sink = await startSmtpSink();
    cleanup.push(() => sink.close());
    const config = JSON.parse(readFileSync(join(REPO, 'daybreak.config.json'), 'utf8')) as { publisher: { brand: Record<string, string> } };
    for (const key of ['logo', 'logoDark']) config.publisher.brand[key] = join(REPO, config.publisher.brand[key]!);
    writeFileSync(join(tmp.dir, 'daybreak.config.json'), JSON.stringify(config));
    const env = {
      ...process.env,
      DAYBREAK_DB: db.database,
      DAYBREAK_SECRET: SECRET,
      DAYBREAK_DATA: join(REPO, 'data'),
      DAYBREAK_CONFIG: join(tmp.dir, 'daybreak.config.json'),
      SMTP_URL: sink.url,
      DAYBREAK_ALLOW_INSECURE_LINKS: '1',
      DAYBREAK_SPAM_CHECK: 'off',
    };
    for (const email of ['ana@example.com', 'ben@example.com']) {
      const added = await daybreak(tmp.dir, env, ['subscribers', 'add', '--confirmed', email]);
      expect(added.code, added.stderr).toBe(0);
    }

    const before = new Date();
    const newest = await daybreak(tmp.dir, env, ['send', '--date', DATE]);
    const after = new Date();
    expect(newest.code, newest.stderr).toBe(0);
    expect(newest.stderr).not.toContain('newer edition');

    const older = await daybreak(tmp.dir, env, ['send', '--date', '2026-11-29', '--json']);
    expect(older.code, older.stderr).toBe(0);
    const warning = /^warning: morning 2026-11-30, a newer edition, already went out on (.+); 2026-11-29 will reach readers after it\.$/m.exec(older.stderr);
    expect(warning, older.stderr).not.toBeNull();
    expect(minutesBetween(before, after)).toContain(warning![1]);
    // Sent all the same, and the report on stdout is the JSON alone.
    expect(JSON.parse(older.stdout)).toMatchObject({ newsletter: 'morning', date: '2026-11-29', total: 2, sent: 2 });
    expect(sink.messages).toHaveLength(4);

    // Sent again once every copy went out, it mails nobody, so it warns of nothing.
    const again = await daybreak(tmp.dir, env, ['send', '--date', '2026-11-29']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('was already sent');
    expect(again.stderr).not.toContain('newer edition');
    expect(sink.messages).toHaveLength(4);
  }, 120_000);
});
