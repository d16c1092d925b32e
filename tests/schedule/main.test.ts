import { afterEach, describe, expect, it } from 'vitest';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDaybreak, createWorker } from '../../src/main.ts';
import { startBanner } from '../../src/cli/commands/start.ts';
import { ManualClock } from '../../src/schedule/index.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { tempDir } from './fixtures.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(time: { clock?: ManualClock; now?: () => Date } = { clock: new ManualClock('2026-11-30T05:00:00Z') }, mail: 'sink' | 'local' = 'sink', more: object[] = []) {
  const sink = await startSmtpSink();
  const { dir, cleanup } = tempDir('daybreak-main-');
  const configFile = join(dir, 'daybreak.config.json');
  writeFileSync(configFile, JSON.stringify({
    baseUrl: 'http://localhost:3000',
    newsletters: [
      { id: 'morning', name: 'The Morning Briefing', schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } },
      { id: 'tokyo', name: 'Tokyo Mornings', schedule: { cron: '0 7 * * 1-5', timezone: 'Asia/Tokyo' } },
      ...more,
    ],
  }));
  const clock = time.clock;
  const daybreak = await createDaybreak({
    configFile,
    dataDir: 'data',
    varDir: join(dir, 'var'),
    env: { ...(mail === 'sink' ? { SMTP_URL: sink.url } : {}), DAYBREAK_SECRET: 'a-main-test-secret-0123456789', DAYBREAK_ALLOW_INSECURE_LINKS: '1', DAYBREAK_SPAM_CHECK: 'off' },
    ...(clock ? { clock } : {}),
    ...(time.now ? { now: time.now } : {}),
    preview: false,
    log: () => {},
  });
  cleanups.push(async () => {
    await daybreak.stop({ timeoutMs: 2000 });
    await sink.close();
    cleanup();
  });
  return { daybreak, clock, sink, dir };
}

describe('createDaybreak', () => {
  it('wires the web app, the archive and the scheduler; /healthz gives each newsletter its next send and last run', async () => {
    const { daybreak, dir } = await setup();
    expect(daybreak.database).toBe(join(dir, 'var', 'daybreak.db'));
    await daybreak.scheduler.start();
    const res = await daybreak.app.request('http://localhost/healthz');
    expect(res.status).toBe(200);
    const health = await res.json();
    expect(health).toMatchObject({
      ok: true,
      database: 'reachable',
      newsletters: [
        { id: 'morning', nextSendAt: '2026-11-30T11:00:00.000Z', nextSendLocal: 'Mon 2026-11-30 06:00 EST', nextSendUtc: '2026-11-30 11:00 UTC', lastRun: null },
        // 07:00 JST on Monday the 30th is 22:00 UTC on Sunday the 29th: already past, so Tuesday's.
        { id: 'tokyo', nextSendAt: '2026-11-30T22:00:00.000Z', nextSendLocal: 'Tue 2026-12-01 07:00 GMT+9', lastRun: null },
      ],
    });
    expect((await daybreak.app.request('http://localhost/archive')).status).toBe(200);
    expect((await daybreak.app.request('http://localhost/')).status).toBe(200);
  });

  it('shows a local-time newsletter\'s schedule on /healthz as configured, not as a cron pattern it never had', async () => {
    const { daybreak } = await setup(undefined, 'sink', [
      { id: 'local', name: 'Local Mornings', schedule: { localTime: '06:30', timezone: 'America/New_York', days: ['mon', 'wed'] } },
    ]);
    await daybreak.scheduler.start();
    const health = await (await daybreak.app.request('http://localhost/healthz')).json() as { newsletters: Record<string, unknown>[] };
    const local = health.newsletters.find((n) => n.id === 'local')!;
    expect(local).toMatchObject({ localTime: '06:30', days: ['mon', 'wed'], schedule: "06:30 in each reader's time zone, on mon, wed (readers without one: America/New_York)" });
    expect(local).not.toHaveProperty('cron');
    // A cron newsletter keeps its fields as they were.
    expect(health.newsletters.find((n) => n.id === 'morning')).toMatchObject({ cron: '0 6 * * *', timezone: 'America/New_York' });
    expect(health.newsletters.find((n) => n.id === 'morning')).not.toHaveProperty('schedule');
  });

  it('tells on /healthz how many of a local-time run\'s skipped copies expired, their wave\'s time having passed', async () => {
    const local = { id: 'local', name: 'Local Mornings', schedule: { localTime: '06:00', timezone: 'America/New_York', graceMinutes: 60 } };
    // 06:00 on 2026-12-01 is 16:00 UTC the day before in Kiritimati, 06:00 UTC in London, 11:00 UTC in New York.
    const clock = new ManualClock('2026-11-30T15:59:00Z');
    const { daybreak, dir, sink } = await setup({ clock }, 'sink', [local]);
    for (const [email, timezone] of [['kiri@example.com', 'Pacific/Kiritimati'], ['london@example.com', 'Europe/London'], ['ny@example.com', null]] as const) {
      await daybreak.store.subscribers.add({ email, name: null, newsletters: ['local'], confirmed: true, source: 'test', timezone }, new Date());
    }
    await daybreak.scheduler.start();
    await clock.advanceTo('2026-11-30T16:00:30Z');
    expect(sink.messages.map((m) => m.to[0])).toEqual(['kiri@example.com']);
    await daybreak.stop({ timeoutMs: 2000 });

    // Down until 11:30 UTC: London's wave is 5.5 hours late (past the 60-minute grace), New York's 30 minutes.
    const again = await createDaybreak({
      configFile: join(dir, 'daybreak.config.json'),
      dataDir: 'data',
      varDir: join(dir, 'var'),
      env: { SMTP_URL: sink.url, DAYBREAK_SECRET: 'a-main-test-secret-0123456789', DAYBREAK_ALLOW_INSECURE_LINKS: '1', DAYBREAK_SPAM_CHECK: 'off' },
      clock: new ManualClock('2026-12-01T11:30:00Z'),
      preview: false,
      log: () => {},
    });
    cleanups.push(() => again.stop({ timeoutMs: 2000 }).then(() => {}));
    await again.scheduler.start();
    await again.scheduler.idle();
    expect(sink.messages.map((m) => m.to[0]).sort()).toEqual(['kiri@example.com', 'ny@example.com']);
    const health = (await (await again.app.request('http://localhost/healthz')).json()) as { newsletters: { id: string; lastRun: Record<string, unknown> | null }[] };
    // skipped keeps counting the expired copy, as before; expired says how many of those expired.
    expect(health.newsletters.find((n) => n.id === 'local')!.lastRun).toMatchObject({ date: '2026-12-01', sent: 2, total: 3, skipped: 1, expired: 1 });
    // The cron newsletter's run (caught up at start, to no reader) has the field too.
    expect(health.newsletters.find((n) => n.id === 'morning')!.lastRun).toMatchObject({ date: '2026-12-01', skipped: 0, expired: 0 });
  });

  it('prints, on start, the URLs, where mail goes and each next send in its timezone and in UTC', async () => {
    const { daybreak, sink } = await setup();
    const banner = await startBanner(daybreak, 'http://localhost:3000');
    expect(banner).toContain('Sign up:   http://localhost:3000/');
    expect(banner).toContain('Archive:   http://localhost:3000/archive');
    expect(banner).not.toContain('Preview:'); // preview: false
    expect(banner).toContain(`Mail goes to ${sink.url}.`);
    expect(banner).toContain('morning  Mon 2026-11-30 06:00 EST (America/New_York) = 2026-11-30 11:00 UTC');
    expect(banner).toContain('tokyo    Tue 2026-12-01 07:00 GMT+9 (Asia/Tokyo) = 2026-11-30 22:00 UTC');
    expect(banner).not.toContain('Note: baseUrl');
    expect(await startBanner(daybreak, 'http://localhost:4000')).toContain('Note: baseUrl says port 3000 but Daybreak listens on 4000');
    // The sample data has articles for that morning's edition, so nothing says it will be skipped.
    expect(banner).not.toMatch(/morning .*\n.*no articles for it/);
  });

  it('says on start when a next edition has no articles yet, and which edition has, and how to send it to the local mailbox', async () => {
    // A week after the sample articles: the next morning edition has none.
    const later = { clock: new ManualClock('2026-12-07T12:00:00Z') };
    const { daybreak } = await setup(later, 'local');
    const banner = await startBanner(daybreak, 'http://localhost:3000', ['--db', '/tmp/my db.sqlite', '--data', 'data']);
    const lines = banner.split('\n');
    const at = lines.findIndex((l) => l.startsWith('  morning  Tue 2026-12-08 06:00 EST'));
    expect(at, banner).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe("           no articles for 2026-12-08's edition in data/ yet, so it will be skipped (the newest edition with articles is 2026-12-01's)");
    // The command as it runs from here (the checkout: npx), with the options start was given, quoted for a shell.
    expect(lines[at + 2]).toBe("           to see an edition arrive in the local mailbox now: npx daybreak send --newsletter morning --date 2026-12-01 --db '/tmp/my db.sqlite' --data data");

    // With real mail, a past edition is not suggested: it would go to every confirmed reader.
    const { daybreak: real } = await setup({ clock: new ManualClock('2026-12-07T12:00:00Z') });
    const realBanner = await startBanner(real, 'http://localhost:3000');
    expect(realBanner).toContain("no articles for 2026-12-08's edition in data/ yet, so it will be skipped (the newest edition with articles is 2026-12-01's)");
    expect(realBanner).not.toContain('send --newsletter');
  });

  it('judges the next edition itself: an article published ahead for a later edition does not hide that the next one is skipped', async () => {
    const { dir, cleanup } = tempDir('daybreak-ahead-');
    cleanups.push(cleanup);
    cpSync('data', join(dir, 'data'), { recursive: true });
    const scheduled = JSON.parse(readFileSync(join(dir, 'data/articles/2026-12-01-lead-winter-storm.json'), 'utf8'));
    const article = Array.isArray(scheduled) ? scheduled[0] : scheduled;
    writeFileSync(join(dir, 'data/articles/ahead.json'), JSON.stringify({ ...article, id: 'ahead', publishedAt: '2026-12-09T08:00:00-05:00' }));
    const configFile = join(dir, 'daybreak.config.json');
    writeFileSync(configFile, JSON.stringify({ baseUrl: 'http://localhost:3000', newsletters: [{ id: 'morning', name: 'The Morning Briefing', schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } }] }));
    const daybreak = await createDaybreak({
      configFile,
      dataDir: join(dir, 'data'),
      varDir: join(dir, 'var'),
      env: { DAYBREAK_SECRET: 'a-main-test-secret-0123456789', DAYBREAK_ALLOW_INSECURE_LINKS: '1', DAYBREAK_SPAM_CHECK: 'off' },
      clock: new ManualClock('2026-12-07T12:00:00Z'),
      preview: false,
      log: () => {},
    });
    cleanups.push(async () => {
      await daybreak.stop({ timeoutMs: 2000 });
    });
    const banner = await startBanner(daybreak, 'http://localhost:3000');
    expect(banner).toContain(`no articles for 2026-12-08's edition in ${join(dir, 'data')}/ yet, so it will be skipped (the newest edition with articles is 2026-12-01's)`);
  });

  it('starts the server on a free port and stops cleanly', async () => {
    const { daybreak } = await setup();
    const server = await daybreak.start({ port: 0 });
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await daybreak.stop({ timeoutMs: 2000 })).toEqual({ finished: true });
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('takes a plain now() instead of a clock, for the times it reports', async () => {
    const { daybreak } = await setup({ now: () => new Date('2026-07-04T12:00:00Z') });
    expect((await daybreak.status())[0]).toMatchObject({ id: 'morning', nextSendAt: '2026-07-05T10:00:00.000Z', nextSendLocal: 'Sun 2026-07-05 06:00 EDT' });
  });
});

describe('createWorker', () => {
  it('refuses to start before the web made the first token key, naming the file, and lets go of the database', async () => {
    const { dir, cleanup } = tempDir('daybreak-worker-');
    cleanups.push(cleanup);
    const configFile = join(dir, 'daybreak.config.json');
    writeFileSync(configFile, JSON.stringify({ baseUrl: 'http://localhost:3000', newsletters: [{ id: 'morning', name: 'The Morning Briefing', schedule: { cron: '0 6 * * *', timezone: 'UTC' } }] }));
    const database = join(dir, 'daybreak.db');
    const attempt = createWorker({ configFile, dataDir: 'data', varDir: join(dir, 'var'), database, env: { DAYBREAK_ALLOW_INSECURE_LINKS: '1' }, log: () => {} });
    await expect(attempt).rejects.toMatchObject({ code: 'ENOKEY', message: expect.stringContaining('There is no token key yet') });
    // The store it had opened was closed: SQLite removes the write-ahead log when its last connection
    // closes, and keeps it while one is open.
    expect(existsSync(database)).toBe(true);
    expect(existsSync(`${database}-wal`)).toBe(false);
  });
});
