import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { ArticleSchema, ConfigSchema, localDate, type Config, type Content } from '../../src/content/index.ts';
import { createMailer, type Mailer } from '../../src/delivery/index.ts';
import { createDeliverySender } from '../../src/schedule/delivery-sender.ts';
import { createScheduler, ManualClock, systemClock, type Clock, type Scheduler } from '../../src/schedule/index.ts';
import type { Store } from '../../src/storage/index.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { hourlyContent, tempDb, tempDir } from './fixtures.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** 2026-03-08: clocks in the United States spring forward (Los Angeles is on PDT, UTC−7, by 06:00). */
const D = '2026-03-08';
const READERS = {
  'kiri@example.com': 'Pacific/Kiritimati', // UTC+14: 06:00 on D is 2026-03-07 16:00 UTC
  'london@example.com': 'Europe/London', // UTC+0: 06:00 UTC
  'nozone@example.com': null, // the newsletter's America/New_York, EDT that morning: 10:00 UTC
  'la@example.com': 'America/Los_Angeles', // PDT after the change: 13:00 UTC, not 14:00
  'gmt12@example.com': 'Etc/GMT+12', // UTC−12: 18:00 UTC
} as const;

function localTimeConfig(overrides: Record<string, unknown> = {}): Config {
  return ConfigSchema.parse({
    newsletters: [{ id: 'morning', name: 'The Morning Briefing', schedule: { localTime: '06:00', timezone: 'America/New_York', ...overrides } }],
    delivery: { maxConnections: 2, retries: 0 },
  });
}

interface World {
  sink: SmtpSink;
  store: Store;
  content: Content;
  /** Starts a scheduler (a fresh process would: its own holder) on the shared database and sink. */
  startScheduler(clock: Clock, log?: string[]): Promise<Scheduler>;
  /** Copies of edition D by recipient: how many and when (the manual clock at the step they arrived in). */
  copiesOfD(): Promise<{ to: string; subject: string }[]>;
}

async function world(config: Config = localTimeConfig(), readers: Record<string, string | null> = READERS): Promise<World> {
  const sink = await startSmtpSink();
  const t = tempDb();
  const { dir: varDir, cleanup } = tempDir();
  const store = await t.store();
  for (const [email, timezone] of Object.entries(readers)) {
    await store.subscribers.add({ email, name: null, newsletters: ['morning'], confirmed: true, source: 'test', timezone }, new Date());
  }
  const content = hourlyContent('2026-03-04T00:00:00Z', 8);
  const mailers: Mailer[] = [];
  const schedulers: Scheduler[] = [];
  cleanups.push(async () => {
    for (const s of schedulers) await s.stop({ timeoutMs: 2000 });
    for (const m of mailers) await m.close();
    await sink.close();
    await t.cleanup();
    cleanup();
  });
  return {
    sink,
    store,
    content,
    async startScheduler(clock, log) {
      const mailer = createMailer({ config, env: { SMTP_URL: sink.url }, varDir });
      mailers.push(mailer);
      const scheduler = createScheduler({
        runs: store.runs,
        config,
        loadContent: () => content,
        sender: createDeliverySender({
          sends: store.sends, config, transport: mailer, secret: 'a-test-secret-of-enough-length',
          unsubscribeUrlFor: (id, nl) => `http://localhost:3000/unsubscribe?token=${nl}-${id}`,
        }),
        clock,
        ledgerSince: new Date('2026-03-01T00:00:00Z'),
        ...(log ? { log: (line: string) => log.push(line) } : process.env.DEBUG_LOCAL_TIME ? { log: (line: string) => console.log(`[${clock.now().toISOString()}] ${line}`) } : {}),
      });
      schedulers.push(scheduler);
      await scheduler.start();
      await scheduler.idle();
      return scheduler;
    },
    async copiesOfD() {
      const out: { to: string; subject: string }[] = [];
      for (const m of sink.messages) {
        const mail = await simpleParser(m.raw);
        if (mail.messageId?.includes(`.${D}.`)) out.push({ to: m.to[0]!, subject: mail.subject ?? '' });
      }
      return out;
    },
  };
}

const recipients = async (w: World) => (await w.copiesOfD()).map((c) => c.to).sort();

describe('local-time delivery with an injected clock', () => {
  it('gives each reader one copy of edition D at their own 06:00 on a DST-change day, all of one edition', async () => {
    const w = await world();
    const clock = new ManualClock('2026-03-07T15:30:00Z');
    const scheduler = await w.startScheduler(clock);
    expect(await recipients(w)).toEqual([]);

    await clock.advanceTo('2026-03-07T15:59:59Z');
    expect(await recipients(w)).toEqual([]);
    await clock.advanceTo('2026-03-07T16:00:00Z');
    expect(await recipients(w)).toEqual(['kiri@example.com']);
    const status = (await scheduler.status())[0]!;
    expect(status.localTime).toBe('06:00');
    expect(status.lastRun).toMatchObject({ date: D, state: 'done', total: 5, sent: 1 });
    expect(status.lastRun!.reason).toBe('4 readers waiting for their local 06:00');
    expect(status.waves!.map((x) => [x.dueUtc, x.sent, x.waiting])).toEqual([
      ['2026-03-07 16:00 UTC', 1, 0],
      ['2026-03-08 06:00 UTC', 0, 1],
      ['2026-03-08 10:00 UTC', 0, 1],
      ['2026-03-08 13:00 UTC', 0, 1],
      ['2026-03-08 18:00 UTC', 0, 1],
    ]);
    // The next send is yesterday's edition's last wave, for Etc/GMT+12.
    expect(status.nextSendAt).toBe('2026-03-07T18:00:00.000Z');

    // An article published after the first wave, that would lead a re-assembled edition: later waves
    // still get the edition the first wave went out with.
    w.content.articles.push({
      ...ArticleSchema.parse({ id: 'late-scoop', kicker: 'Breaking', headline: 'A late scoop', dek: 'After the first wave.', url: 'https://news.example.com/late', publishedAt: '2026-03-07T15:00:00Z', priority: 10 }),
      file: 'late.json',
    });
    w.content.byId.set('late-scoop', w.content.articles.at(-1)!);

    await clock.advanceTo('2026-03-08T05:59:00Z');
    expect(await recipients(w)).toEqual(['kiri@example.com']);
    await clock.advanceTo('2026-03-08T06:00:00Z');
    expect(await recipients(w)).toEqual(['kiri@example.com', 'london@example.com']);
    await clock.advanceTo('2026-03-08T10:00:00Z');
    expect(await recipients(w)).toEqual(['kiri@example.com', 'london@example.com', 'nozone@example.com']);
    // 14:00 UTC would be Los Angeles' 06:00 in winter time; on this day it is 13:00.
    await clock.advanceTo('2026-03-08T12:59:00Z');
    expect(await recipients(w)).not.toContain('la@example.com');
    await clock.advanceTo('2026-03-08T13:00:00Z');
    expect(await recipients(w)).toContain('la@example.com');
    await clock.advanceTo('2026-03-08T17:59:00Z');
    expect(await recipients(w)).not.toContain('gmt12@example.com');
    await clock.advanceTo('2026-03-08T18:00:00Z');

    const copies = await w.copiesOfD();
    expect(copies.map((c) => c.to).sort()).toEqual(Object.keys(READERS).sort());
    expect(new Set(copies.map((c) => c.subject)).size).toBe(1);
    expect(copies[0]!.subject).not.toContain('A late scoop');
    // The run of D is done with every wave sent (the next day's first wave has begun meanwhile).
    expect(await w.store.runs.get('morning', D)).toMatchObject({ state: 'done', total: 5, sent: 5, reason: 'every wave sent' });
    const waves = await w.store.sends.waves({ newsletter: 'morning', date: D }, clock.now());
    expect(waves.map((x) => [x.dueAt, x.sent, x.waiting])).toEqual([
      ['2026-03-07T16:00:00.000Z', 1, 0],
      ['2026-03-08T06:00:00.000Z', 1, 0],
      ['2026-03-08T10:00:00.000Z', 1, 0],
      ['2026-03-08T13:00:00.000Z', 1, 0],
      ['2026-03-08T18:00:00.000Z', 1, 0],
    ]);
    expect((await scheduler.status())[0]!.lastRun).toMatchObject({ date: '2026-03-09', sent: 1, total: 5 });
  });

  it('sends nothing twice across a restart between waves, and the restarted scheduler sends the rest on time', async () => {
    const w = await world();
    const clock = new ManualClock('2026-03-07T15:59:00Z');
    const first = await w.startScheduler(clock);
    await clock.advanceTo('2026-03-08T06:00:00Z');
    expect(await recipients(w)).toEqual(['kiri@example.com', 'london@example.com']);
    await first.stop({ timeoutMs: 2000 });

    // A new process, started at once and again later the same morning.
    const again = new ManualClock('2026-03-08T06:00:30Z');
    await w.startScheduler(again);
    expect(await recipients(w)).toEqual(['kiri@example.com', 'london@example.com']);
    await again.advanceTo('2026-03-08T10:00:00Z');
    expect(await recipients(w)).toEqual(['kiri@example.com', 'london@example.com', 'nozone@example.com']);
    await again.advanceTo('2026-03-08T18:30:00Z');
    const copies = await w.copiesOfD();
    expect(copies.map((c) => c.to).sort()).toEqual(Object.keys(READERS).sort());
  });

  it('catches up a wave within the grace window after a restart, and records one past it as missed', async () => {
    const w = await world(localTimeConfig({ graceMinutes: 60 }));
    const clock = new ManualClock('2026-03-07T15:59:00Z');
    const first = await w.startScheduler(clock);
    await clock.advanceTo('2026-03-07T16:00:00Z');
    await first.stop({ timeoutMs: 2000 });
    // Down from 16:01 to 10:30: London's wave (06:00) is 4.5 hours late, New York's (10:00) 30 minutes.
    const later = new ManualClock('2026-03-08T10:30:00Z');
    const log: string[] = [];
    await w.startScheduler(later, log);
    expect(await recipients(w)).toEqual(['kiri@example.com', 'nozone@example.com']);
    const missed = w.store.sends;
    const waves = await missed.waves({ newsletter: 'morning', date: D });
    expect(waves.find((x) => x.dueAt === '2026-03-08T06:00:00.000Z')).toMatchObject({ sent: 0, skipped: 1, waiting: 0 });
    // London's copy expired (its wave's time passed), which is not a reader skipped: the log and the run say so.
    expect(log).toContain("morning 2026-03-08: wave sent: 1 sent, 0 failed, 1 expired (their wave's time had passed), 2 waiting for a later wave");
    const run = (await w.store.runs.get('morning', D))!;
    expect(run.reason).toBe('2 readers waiting for their local 06:00; 1 copy expired unsent: their wave\'s time passed while no scheduler was running, past the 60-minute grace window');
    await later.advanceTo('2026-03-08T18:00:00Z');
    expect(await recipients(w)).toEqual(['gmt12@example.com', 'kiri@example.com', 'la@example.com', 'nozone@example.com']);
  });

  it('sends a reader who moves before their wave at the new time, once', async () => {
    const w = await world();
    const clock = new ManualClock('2026-03-07T15:59:00Z');
    await w.startScheduler(clock);
    await clock.advanceTo('2026-03-08T03:00:00Z');
    const la = (await w.store.subscribers.findByEmail('la@example.com'))!;
    // Los Angeles → London: their 06:00 is now 06:00 UTC, seven hours earlier than it was.
    await w.store.subscribers.updatePreferences(la.id, { subscribe: [], unsubscribe: [], sections: {}, timezone: 'Europe/London' }, clock.now());
    await clock.advanceTo('2026-03-08T06:00:00Z');
    expect(await recipients(w)).toEqual(['kiri@example.com', 'la@example.com', 'london@example.com']);
    // London → Etc/GMT+12 for the one in Kiritimati after their copy: nothing more is sent to them.
    const kiri = (await w.store.subscribers.findByEmail('kiri@example.com'))!;
    await w.store.subscribers.updatePreferences(kiri.id, { subscribe: [], unsubscribe: [], sections: {}, timezone: 'Etc/GMT+12' }, clock.now());
    await clock.advanceTo('2026-03-08T19:00:00Z');
    const copies = (await w.copiesOfD()).map((c) => c.to);
    expect(copies.sort()).toEqual(Object.keys(READERS).sort());
  });

  it('falls back to the newsletter\'s zone for an invalid stored zone, with a warning, never dropping the reader', async () => {
    const w = await world(localTimeConfig(), { 'old@example.com': 'Not/AZone', 'ny@example.com': 'America/New_York' });
    const clock = new ManualClock('2026-03-08T09:59:00Z');
    await w.startScheduler(clock);
    await clock.advanceTo('2026-03-08T10:00:00Z');
    expect(await recipients(w)).toEqual(['ny@example.com', 'old@example.com']);
  });

  it('sends only on schedule.days', async () => {
    // 2026-03-08 is a Sunday.
    const w = await world(localTimeConfig({ days: ['mon', 'tue', 'wed', 'thu', 'fri'] }), { 'ny@example.com': null });
    const clock = new ManualClock('2026-03-08T09:00:00Z');
    await w.startScheduler(clock);
    await clock.advanceTo('2026-03-09T12:00:00Z');
    const dates = [];
    for (const m of w.sink.messages) dates.push(/morning\.(\d{4}-\d{2}-\d{2})\./.exec((await simpleParser(m.raw)).messageId!)![1]);
    expect(dates).toEqual(['2026-03-09']);
  });
});

describe('local-time delivery on the real clock', () => {
  it('sends a zone whose time has come at start, the next one at its minute, and leaves a later one waiting', async () => {
    // The next whole minute, as a local time in UTC; one reader an hour ahead (their time came an hour
    // ago, within the grace window), one an hour behind (still to come).
    const now = Date.now();
    const wave = new Date(Math.ceil((now + 5000) / 60_000) * 60_000);
    const hhmm = wave.toISOString().slice(11, 16);
    const date = localDate(wave, 'UTC');
    const config = ConfigSchema.parse({
      newsletters: [{ id: 'morning', name: 'The Morning Briefing', schedule: { localTime: hhmm, timezone: 'UTC' } }],
      delivery: { maxConnections: 2, retries: 0 },
    });
    const w = await world(config, { 'ahead@example.com': 'Etc/GMT-1', 'utc@example.com': 'UTC', 'behind@example.com': 'Etc/GMT+1' });
    w.content.articles.splice(0, w.content.articles.length);
    w.content.byId.clear();
    const article = { ...ArticleSchema.parse({ id: 'today', kicker: 'Now', headline: 'Today', dek: 'It happened.', url: 'https://news.example.com/today', publishedAt: new Date(now - 3 * 3600_000).toISOString() }), file: 'today.json' };
    w.content.articles.push(article);
    w.content.byId.set('today', article);
    const scheduler = await w.startScheduler(systemClock);
    await scheduler.idle();
    const sentTo = () => w.sink.messages.map((m) => m.to[0]).sort();
    expect(sentTo()).toEqual(['ahead@example.com']);
    while (Date.now() < wave.getTime() + 1500) await new Promise((r) => setTimeout(r, 250));
    for (let i = 0; i < 40 && sentTo().length < 2; i++) await new Promise((r) => setTimeout(r, 250));
    await scheduler.idle();
    expect(sentTo()).toEqual(['ahead@example.com', 'utc@example.com']);
    const utc = w.sink.messages.find((m) => m.to[0] === 'utc@example.com')!;
    expect(utc.receivedAt).toBeGreaterThanOrEqual(wave.getTime());
    const status = (await scheduler.status())[0]!;
    expect(status.lastRun).toMatchObject({ date, total: 3, sent: 2 });
    expect(status.waves!.find((x) => x.dueAt === new Date(wave.getTime() + 3600_000).toISOString())).toMatchObject({ waiting: 1, sent: 0 });
  }, 120_000);
});
