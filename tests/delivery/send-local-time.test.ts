import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migratedSqlite } from '../helpers/test-store.ts';
import { runDaybreak } from '../helpers/run-daybreak.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { REPO, SECRET, tempDir } from './fixtures.ts';

let cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

const daybreak = runDaybreak;

describe('daybreak send for a local-time newsletter', () => {
  it('sends the waves that are due, leaves the others queued with their time, reports `waiting`, and `daybreak runs` shows the waves', async () => {
    const tmp = tempDir('daybreak-send-local-');
    cleanup.push(tmp.remove);
    // The newsletter's local time came an hour ago in UTC, and comes in an hour two zones west.
    const now = Date.now();
    const firstWave = new Date(Math.floor((now - 3600_000) / 60_000) * 60_000);
    const hhmm = firstWave.toISOString().slice(11, 16);
    const date = firstWave.toISOString().slice(0, 10);
    const config = JSON.parse(readFileSync(join(REPO, 'daybreak.config.json'), 'utf8')) as Record<string, any>;
    for (const key of ['logo', 'logoDark']) config.publisher.brand[key] = join(REPO, config.publisher.brand[key]);
    config.newsletters = [{ id: 'morning', name: 'The Morning Briefing', schedule: { localTime: hhmm, timezone: 'UTC' } }];
    config.delivery = { maxConnections: 2, retries: 0 };
    config.sources = [];
    writeFileSync(join(tmp.dir, 'daybreak.config.json'), JSON.stringify(config));
    const data = join(tmp.dir, 'data');
    mkdirSync(join(data, 'articles'), { recursive: true });
    writeFileSync(join(data, 'articles', 'today.json'), JSON.stringify({
      id: 'today', kicker: 'Today', headline: 'Something happened today', dek: 'And here is why it matters.',
      url: 'https://news.example.com/today', publishedAt: new Date(now - 3 * 3600_000).toISOString(),
    }));
    const db = migratedSqlite(join(tmp.dir, 'daybreak.db'));
    cleanup.push(() => db.close());
    const at = new Date().toISOString();
    for (const [email, zone] of [['utc@example.com', 'UTC'], ['west@example.com', 'Etc/GMT+2']] as const) {
      const id = Number(db.prepare('INSERT INTO subscribers (email, name, created_at, bounced, timezone) VALUES (?, NULL, ?, 0, ?)').run(email, at, zone).lastInsertRowid);
      db.prepare("INSERT INTO subscriptions (subscriber_id, newsletter, status, created_at, updated_at, confirmed_at) VALUES (?, 'morning', 'confirmed', ?, ?, ?)").run(id, at, at, at);
    }
    const sink = await startSmtpSink();
    cleanup.push(() => sink.close());
    const env = { ...process.env, DAYBREAK_DB: join(tmp.dir, 'daybreak.db'), DAYBREAK_SECRET: SECRET, DAYBREAK_DATA: data, DAYBREAK_CONFIG: join(tmp.dir, 'daybreak.config.json'), SMTP_URL: sink.url, DAYBREAK_ALLOW_INSECURE_LINKS: '1' };

    const first = await daybreak(tmp.dir, env, ['send', '--date', date, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ newsletter: 'morning', date, total: 2, sent: 1, deferred: 0, waiting: 1, nextWaveAt: new Date(firstWave.getTime() + 2 * 3600_000).toISOString() });
    expect(sink.messages.map((m) => m.to[0])).toEqual(['utc@example.com']);
    const row = db.prepare("SELECT state, due_at FROM sends WHERE subscriber_id = (SELECT id FROM subscribers WHERE email = 'west@example.com')").get();
    expect(row).toEqual({ state: 'queued', due_at: new Date(firstWave.getTime() + 2 * 3600_000).toISOString() });

    // Run again: the waiting reader's time has not come, so nothing more goes; the words say why.
    const again = await daybreak(tmp.dir, env, ['send', '--date', date]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`1 reader is waiting for their local ${hhmm} (next wave at `);
    expect(again.stdout).toContain('; the copy stays queued: `daybreak start` sends each wave at its time');
    expect(sink.messages).toHaveLength(1);

    // The run ledger has no row (nothing was scheduled), so record one as `start` would, then list it.
    db.prepare("INSERT INTO runs (newsletter, edition_date, state, started_at, total, sent) VALUES ('morning', ?, 'done', ?, 2, 1)").run(date, at);
    const runs = await daybreak(tmp.dir, env, ['runs', '--json']);
    expect(runs.code, runs.stderr).toBe(0);
    const [run] = JSON.parse(runs.stdout) as { waves: { dueAt: string; sent: number; waiting: number }[] }[];
    expect(run!.waves.map((w) => [w.dueAt, w.sent, w.waiting])).toEqual([
      [firstWave.toISOString(), 1, 0],
      [new Date(firstWave.getTime() + 2 * 3600_000).toISOString(), 0, 1],
    ]);
    const human = await daybreak(tmp.dir, env, ['runs']);
    expect(human.stdout).toContain('waves: 1 sent, 1 waiting (1 reader; next');
  }, 120_000);
});
