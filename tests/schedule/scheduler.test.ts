import { afterEach, describe, expect, it } from 'vitest';
import { createScheduler, ManualClock } from '../../src/schedule/index.ts';
import { configWith, contentAt, hourlyContent, recordingSender, tempDb } from './fixtures.ts';

/** Editions due before this were "before the install": no missed rows for them. */
const SINCE = new Date('2026-11-30T00:00:00Z');
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(options: {
  start: string;
  newsletters: Parameters<typeof configWith>[0];
  content?: ReturnType<typeof contentAt>;
  answer?: Parameters<typeof recordingSender>[1];
  /** Firings before this are not recorded as missed; default the start, as for a fresh install. */
  ledgerSince?: string;
}) {
  const t = tempDb();
  const clock = new ManualClock(options.start);
  const config = configWith(options.newsletters);
  const content = options.content ?? hourlyContent('2026-01-01T00:00:00Z', 400);
  const sender = recordingSender(() => clock.now(), options.answer);
  const log: string[] = [];
  const scheduler = createScheduler({
    runs: await t.runs(), config, loadContent: () => content, sender, clock, log: (l) => log.push(l),
    ledgerSince: new Date(options.ledgerSince ?? options.start),
  });
  cleanups.push(async () => {
    await scheduler.stop({ timeoutMs: 1000 });
    await t.cleanup();
  });
  return { ...t, clock, config, content, sender, scheduler, log };
}

function runRows(db: ReturnType<typeof tempDb>['db']) {
  return db.prepare('SELECT newsletter, edition_date, state, scheduled_at, reason, total, sent, deferred, skipped FROM runs ORDER BY newsletter, edition_date').all() as {
    newsletter: string; edition_date: string; state: string; scheduled_at: string; reason: string | null;
    total: number; sent: number; deferred: number; skipped: number;
  }[];
}

describe('firing times', () => {
  it('sends a 06:00 New York letter exactly once on the spring-forward day and once on the fall-back day', async () => {
    const s = await setup({ start: '2026-03-07T00:00:00Z', newsletters: [{ id: 'morning', cron: '0 6 * * *', timezone: 'America/New_York' }] });
    await s.scheduler.start();
    await s.clock.advanceTo('2026-03-10T00:00:00Z');
    expect(s.sender.calls.map((c) => [c.date, c.at])).toEqual([
      ['2026-03-07', '2026-03-07T11:00:00.000Z'], // 06:00 EST
      ['2026-03-08', '2026-03-08T10:00:00.000Z'], // 06:00 EDT: the day has 23 hours
      ['2026-03-09', '2026-03-09T10:00:00.000Z'],
    ]);

    const fall = await setup({ start: '2026-10-31T00:00:00Z', newsletters: [{ id: 'morning', cron: '0 6 * * *', timezone: 'America/New_York' }] });
    await fall.scheduler.start();
    await fall.clock.advanceTo('2026-11-03T00:00:00Z');
    expect(fall.sender.calls.map((c) => [c.date, c.at])).toEqual([
      ['2026-10-31', '2026-10-31T10:00:00.000Z'], // 06:00 EDT
      ['2026-11-01', '2026-11-01T11:00:00.000Z'], // 06:00 EST: the day has 25 hours, still one send
      ['2026-11-02', '2026-11-02T11:00:00.000Z'],
    ]);
    expect(runRows(fall.db).map((r) => r.state)).toEqual(['done', 'done', 'done']);
  });

  it('sends a 02:30 letter once at 03:00 local on the spring-forward day, when 02:30 does not exist', async () => {
    const s = await setup({ start: '2026-03-07T12:00:00Z', newsletters: [{ id: 'night', cron: '30 2 * * *', timezone: 'America/New_York' }] });
    await s.scheduler.start();
    await s.clock.advanceTo('2026-03-09T12:00:00Z');
    expect(s.sender.calls.map((c) => [c.date, c.at])).toEqual([
      ['2026-03-08', '2026-03-08T07:00:00.000Z'], // 03:00 EDT, the first instant after the gap
      ['2026-03-09', '2026-03-09T06:30:00.000Z'], // 02:30 EDT
    ]);
  });

  it('fires each newsletter at 06:00 in its own timezone', async () => {
    const s = await setup({
      start: '2026-06-14T12:00:00Z',
      newsletters: [
        { id: 'tokyo', cron: '0 6 * * *', timezone: 'Asia/Tokyo' },
        { id: 'london', cron: '0 6 * * *', timezone: 'Europe/London' },
        { id: 'sydney', cron: '0 6 * * *', timezone: 'Australia/Sydney' },
        { id: 'la', cron: '0 6 * * *', timezone: 'America/Los_Angeles' },
      ],
    });
    await s.scheduler.start();
    await s.clock.advanceTo('2026-06-15T14:00:00Z');
    expect(s.sender.calls.map((c) => [c.newsletterId, c.date, c.at])).toEqual([
      ['la', '2026-06-14', '2026-06-14T13:00:00.000Z'], // still ahead at 12:00 UTC on the 14th
      ['sydney', '2026-06-15', '2026-06-14T20:00:00.000Z'], // AEST, UTC+10
      ['tokyo', '2026-06-15', '2026-06-14T21:00:00.000Z'], // JST, UTC+9
      ['london', '2026-06-15', '2026-06-15T05:00:00.000Z'], // BST, UTC+1
      ['la', '2026-06-15', '2026-06-15T13:00:00.000Z'], // PDT, UTC-7
    ]);
  });

  it('sends the weekly Sunday letter once a week and nothing on the other days', async () => {
    const s = await setup({
      start: '2026-11-25T00:00:00Z',
      newsletters: [{ id: 'good-news', cron: '0 8 * * 0', timezone: 'America/New_York' }],
    });
    await s.scheduler.start();
    await s.clock.advanceTo('2026-12-09T00:00:00Z');
    expect(s.sender.calls.map((c) => [c.date, c.at])).toEqual([
      ['2026-11-29', '2026-11-29T13:00:00.000Z'],
      ['2026-12-06', '2026-12-06T13:00:00.000Z'],
    ]);
  });

  it('reports the next send time in the newsletter timezone and in UTC', async () => {
    const s = await setup({ start: '2026-11-30T12:00:00Z', newsletters: [{ id: 'morning', cron: '0 6 * * *', timezone: 'America/New_York' }] });
    const [status] = await s.scheduler.status();
    expect(status).toMatchObject({
      id: 'morning',
      nextSendAt: '2026-12-01T11:00:00.000Z',
      nextSendLocal: 'Tue 2026-12-01 06:00 EST',
      nextSendUtc: '2026-12-01 11:00 UTC',
      lastRun: null,
    });
  });
});

describe('catch-up after downtime', () => {
  const morning = [{ id: 'morning', cron: '0 6 * * *', timezone: 'America/New_York' }];

  it('sends a missed firing once when it comes back inside the grace window', async () => {
    // 06:00 EST is 11:00 UTC; back at 08:30 local, 150 minutes late, inside the default 180.
    const s = await setup({ start: '2026-11-30T13:30:00Z', newsletters: morning, ledgerSince: '2026-11-01T00:00:00Z' });
    await s.scheduler.start();
    await s.scheduler.idle();
    expect(s.sender.calls.map((c) => [c.date, c.at])).toEqual([['2026-11-30', '2026-11-30T13:30:00.000Z']]);
    expect(runRows(s.db)).toMatchObject([{ edition_date: '2026-11-30', state: 'done', scheduled_at: '2026-11-30T11:00:00.000Z', sent: 3 }]);
    expect(s.log.join('\n')).toContain('catch-up');
  });

  it('records the edition as missed, and sends nothing, when it comes back past the grace window', async () => {
    const s = await setup({ start: '2026-11-30T14:01:00Z', newsletters: morning, ledgerSince: '2026-11-01T00:00:00Z' }); // 181 minutes late
    await s.scheduler.start();
    await s.scheduler.idle();
    expect(s.sender.calls).toEqual([]);
    const [row] = runRows(s.db);
    expect(row).toMatchObject({ edition_date: '2026-11-30', state: 'missed', scheduled_at: '2026-11-30T11:00:00.000Z' });
    expect(row!.reason).toContain('180-minute grace window');
    expect(row!.reason).toContain('daybreak send --newsletter morning --date 2026-11-30');
    expect(s.log.join('\n')).toContain('missed');
    // …and the next day goes out as usual.
    await s.clock.advanceTo('2026-12-01T12:00:00Z');
    expect(s.sender.calls.map((c) => c.date)).toEqual(['2026-12-01']);
  });

  it('records every edition missed during a downtime of several days, and sends only the current one', async () => {
    const s = await setup({ start: '2026-11-28T10:00:00Z', newsletters: morning });
    await s.scheduler.start();
    await s.clock.advanceTo('2026-11-28T12:00:00Z');
    await s.scheduler.stop();
    // Down from the 28th until 07:00 New York time on December 1st (one hour after that day's firing).
    await s.clock.advanceTo('2026-12-01T12:00:00Z');
    const sender = recordingSender(() => s.clock.now());
    const back = createScheduler({ runs: await s.runs(), config: s.config, loadContent: () => s.content, sender, clock: s.clock });
    cleanups.push(async () => void (await back.stop({ timeoutMs: 1000 })));
    await back.start();
    await back.idle();
    expect(sender.calls.map((c) => [c.date, c.at])).toEqual([['2026-12-01', '2026-12-01T12:00:00.000Z']]);
    const rows = runRows(s.db);
    expect(rows.map((r) => [r.edition_date, r.state])).toEqual([
      ['2026-11-28', 'done'], ['2026-11-29', 'missed'], ['2026-11-30', 'missed'], ['2026-12-01', 'done'],
    ]);
    expect(rows[1]!.reason).toContain('the edition of 2026-12-01 was due');
    expect(rows[2]!.scheduled_at).toBe('2026-11-30T11:00:00.000Z');
  });

  it('honours a newsletter-specific graceMinutes', async () => {
    const s = await setup({
      start: '2026-11-30T11:45:00Z',
      newsletters: [{ id: 'morning', cron: '0 6 * * *', timezone: 'America/New_York', graceMinutes: 30 }],
      ledgerSince: '2026-11-01T00:00:00Z',
    });
    await s.scheduler.start();
    await s.scheduler.idle();
    expect(s.sender.calls).toEqual([]);
    expect(runRows(s.db)[0]!.state).toBe('missed');
  });

  it('does not record a miss for a firing before the ledger existed (a fresh install)', async () => {
    const t = tempDb();
    const clock = new ManualClock('2026-11-30T20:00:00Z');
    const sender = recordingSender(() => clock.now());
    const scheduler = createScheduler({
      runs: await t.runs(), config: configWith(morning), loadContent: () => hourlyContent('2026-11-25T00:00:00Z', 10), sender, clock,
      ledgerSince: new Date('2026-11-30T19:00:00Z'),
    });
    cleanups.push(async () => { await scheduler.stop({ timeoutMs: 1000 }); await t.cleanup(); });
    await scheduler.start();
    expect(runRows(t.db)).toEqual([]);
    await clock.advanceTo('2026-12-01T12:00:00Z');
    expect(sender.calls.map((c) => c.date)).toEqual(['2026-12-01']);
  });

  it('does not send an edition again after a restart', async () => {
    const s = await setup({ start: '2026-11-30T10:00:00Z', newsletters: morning });
    await s.scheduler.start();
    await s.clock.advanceTo('2026-11-30T12:00:00Z');
    expect(s.sender.calls).toHaveLength(1);
    await s.scheduler.stop();

    const sender2 = recordingSender(() => s.clock.now());
    const again = createScheduler({ runs: await s.runs(), config: s.config, loadContent: () => s.content, sender: sender2, clock: s.clock });
    cleanups.push(async () => void (await again.stop({ timeoutMs: 1000 })));
    await again.start();
    await again.idle();
    expect(sender2.calls).toEqual([]);
    expect(runRows(s.db)).toHaveLength(1);
  });
});

describe('the run ledger', () => {
  const morning = [{ id: 'morning', cron: '0 6 * * *', timezone: 'America/New_York' }];

  it('records an empty day as skipped, with the reason, and sends nothing', async () => {
    const s = await setup({
      start: '2026-11-30T10:00:00Z',
      newsletters: morning,
      content: contentAt(['2026-11-20T12:00:00Z']), // nothing in the 24 hours before 06:00
    });
    await s.scheduler.start();
    await s.clock.advanceTo('2026-11-30T12:00:00Z');
    expect(s.sender.calls).toEqual([]);
    const [row] = runRows(s.db);
    expect(row).toMatchObject({ edition_date: '2026-11-30', state: 'skipped' });
    expect(row!.reason).toMatch(/^no articles published between 2026-11-29T11:00:00.000Z and 2026-11-30T11:00:00.000Z/);
  });

  it('records a failed send with the error as the reason', async () => {
    const s = await setup({
      start: '2026-11-30T10:00:00Z',
      newsletters: morning,
      answer: () => { throw new Error('554 5.7.1 relay denied, run paused after 10 policy errors'); },
    });
    await s.scheduler.start();
    await s.clock.advanceTo('2026-11-30T12:00:00Z');
    expect(runRows(s.db)).toMatchObject([{ state: 'failed', reason: '554 5.7.1 relay denied, run paused after 10 policy errors' }]);
    expect(s.log.join('\n')).toContain('daybreak send --newsletter morning --date 2026-11-30');
  });

  it('fails a run that paused on policy refusals, with the message, and does not retry it on a timer', async () => {
    const s = await setup({
      start: '2026-11-30T10:00:00Z',
      newsletters: morning,
      answer: () => ({ total: 50, sent: 10, failed: 10, deferred: 30, skipped: 0, paused: 'Paused after 10 policy refusals (5.7.x/4.7.x)' }),
    });
    await s.scheduler.start();
    await s.clock.advanceTo('2026-11-30T18:00:00Z');
    expect(s.sender.calls).toHaveLength(1);
    const [row] = runRows(s.db);
    expect(row).toMatchObject({ state: 'failed', sent: 10, deferred: 30 });
    expect(row!.reason).toContain('Paused after 10 policy refusals');
  });

  it('lets only one of two schedulers on the same database fire each edition; the other only joins its send', async () => {
    const t = tempDb();
    const config = configWith(morning);
    const content = hourlyContent('2026-11-25T00:00:00Z', 10);
    // One clock for both, as two processes on one machine share the wall clock.
    const clock = new ManualClock('2026-11-30T10:00:00Z');
    const a = recordingSender(() => clock.now());
    const b = recordingSender(() => clock.now());
    const logA: string[] = [];
    const logB: string[] = [];
    const one = createScheduler({ runs: await t.runs(), ledgerSince: SINCE, config, loadContent: () => content, sender: a, clock, log: (l) => logA.push(l) });
    const two = createScheduler({ runs: await t.runs(), ledgerSince: SINCE, config, loadContent: () => content, sender: b, clock, log: (l) => logB.push(l) });
    cleanups.push(async () => { await one.stop({ timeoutMs: 1000 }); await two.stop({ timeoutMs: 1000 }); await t.cleanup(); });
    await one.start();
    await two.start();
    await clock.advanceTo('2026-12-02T12:00:00Z');
    // Each edition was fired (its run row created and finished) by exactly one of them.
    const fired = [...logA, ...logB].filter((l) => / sending \(/.test(l)).map((l) => l.split(' ')[1]!.replace(':', '')).sort();
    expect(fired).toEqual(['2026-11-30', '2026-12-01', '2026-12-02']);
    expect(runRows(t.db).map((r) => r.state)).toEqual(['done', 'done', 'done']);
    // Any other send call was a join of a run the other one held (the ledger keeps it to one copy each).
    const joins = [...logA, ...logB].filter((l) => l.includes('joining the send')).length;
    expect(a.calls.length + b.calls.length).toBe(3 + joins);
  });

  it('reports a running run\'s counts from the send ledger, as they are now, since the run row gets them only at its end', async () => {
    const t = tempDb();
    const config = configWith(morning);
    const content = hourlyContent('2026-11-25T00:00:00Z', 10);
    const clock = new ManualClock('2026-11-30T11:00:00Z');
    // The send is under way (it never returns here), and the ledger has counted part of it.
    const sender = Object.assign(recordingSender(() => clock.now(), () => new Promise(() => {})), {
      ledgerCounts: async () => ({ total: 10, sent: 4, failed: 1, deferred: 2, skipped: 0, pending: 3, expired: 0, waiting: 0 }),
    });
    const scheduler = createScheduler({ runs: await t.runs(), ledgerSince: SINCE, config, loadContent: () => content, sender, clock });
    cleanups.push(async () => { await scheduler.stop({ timeoutMs: 100 }); await t.cleanup(); });
    await scheduler.start();
    await new Promise((r) => setImmediate(r));
    expect(runRows(t.db)).toMatchObject([{ state: 'running', total: 0, sent: 0 }]);
    const [status] = await scheduler.status();
    expect(status!.lastRun).toMatchObject({ date: '2026-11-30', state: 'running', total: 10, sent: 4, failed: 1, deferred: 2, skipped: 0 });
  });

  it('resumes a run left running by a scheduler that died mid-send, once its lease has lapsed', async () => {
    const t = tempDb();
    const config = configWith(morning);
    const content = hourlyContent('2026-11-25T00:00:00Z', 10);
    // The first scheduler claims the edition and then "dies": its send never returns and its clock stops.
    const deadClock = new ManualClock('2026-11-30T11:00:00Z');
    const dead = recordingSender(() => deadClock.now(), () => new Promise(() => {}));
    const first = createScheduler({ runs: await t.runs(), ledgerSince: SINCE, config, loadContent: () => content, sender: dead, clock: deadClock, holder: 'otherhost:4242:dead' });
    await first.start();
    await new Promise((r) => setImmediate(r));
    expect(runRows(t.db)).toMatchObject([{ state: 'running' }]);
    expect(dead.calls).toHaveLength(1);

    // A scheduler started while the lease is fresh joins the send (the ledger shares the copies) but
    // leaves the run to its holder, who may still be sending.
    const clock = new ManualClock('2026-11-30T11:00:30Z');
    // Its copies were deferred (an SMTP outage, say): the join's log line says so.
    const early = recordingSender(() => clock.now(), () => ({ total: 3, sent: 1, failed: 0, deferred: 2, skipped: 0 }));
    const joinLog: string[] = [];
    const second = createScheduler({ runs: await t.runs(), ledgerSince: SINCE, config, loadContent: () => content, sender: early, clock, leaseMs: 60_000, log: (l) => joinLog.push(l) });
    await second.start();
    await second.idle();
    expect(early.calls.map((c) => [c.date, c.retry])).toEqual([['2026-11-30', false]]);
    expect(runRows(t.db)).toMatchObject([{ state: 'running' }]);
    await second.stop({ timeoutMs: 1000 });
    // Stopping ends its part in the send: it says what it sent.
    expect(joinLog).toContain('morning 2026-11-30: joined: this instance sent 1, failed 0, deferred 2, skipped 0 (stopped)');

    // After the lease lapses, a restart takes the run over and finishes it through the send ledger.
    const later = new ManualClock('2026-11-30T11:05:00Z');
    const resumer = recordingSender(() => later.now());
    const log: string[] = [];
    const third = createScheduler({ runs: await t.runs(), ledgerSince: SINCE, config, loadContent: () => content, sender: resumer, clock: later, leaseMs: 60_000, log: (l) => log.push(l) });
    cleanups.push(async () => { await third.stop({ timeoutMs: 1000 }); await t.cleanup(); });
    await third.start();
    await third.idle();
    expect(resumer.calls.map((c) => c.date)).toEqual(['2026-11-30']);
    expect(runRows(t.db)).toMatchObject([{ state: 'done', sent: 3 }]);
    expect(log.join('\n')).toContain('resuming');
  });

  it('joins at once a run whose holder went silent, and takes the run over only when its lease lapses, whatever machine it was on', async () => {
    const t = tempDb();
    const config = configWith(morning);
    const { hostname } = await import('node:os');
    // A holder on this very machine whose process is gone: no process check, only the lease decides.
    t.db.prepare(`INSERT INTO runs (newsletter, edition_date, state, scheduled_at, started_at, holder, heartbeat_at)
      VALUES ('morning', '2026-11-30', 'running', '2026-11-30T11:00:00.000Z', '2026-11-30T11:00:00.000Z', ?, '2026-11-30T11:00:00.000Z')`)
      .run(`${hostname()}:2147483646:gone`);
    const clock = new ManualClock('2026-11-30T11:00:05Z');
    const sender = recordingSender(() => clock.now());
    const s = createScheduler({ runs: await t.runs(), ledgerSince: SINCE, config, loadContent: () => hourlyContent('2026-11-25T00:00:00Z', 10), sender, clock, leaseMs: 60_000 });
    cleanups.push(async () => { await s.stop({ timeoutMs: 1000 }); await t.cleanup(); });
    await s.start();
    await s.idle();
    expect(sender.calls.map((c) => c.date)).toEqual(['2026-11-30']);
    expect(runRows(t.db)[0]!.state).toBe('running');
    await clock.advanceTo('2026-11-30T11:01:30Z');
    await s.tick();
    await s.idle();
    expect(sender.calls.map((c) => c.date)).toEqual(['2026-11-30', '2026-11-30']);
    expect(runRows(t.db)[0]!.state).toBe('done');
  });

  it('says once that a worker joins another instance\'s send, and once, when that send is over, what it sent', async () => {
    const t = tempDb();
    const config = configWith(morning);
    // Another live instance holds the run (its heartbeat is fresh) and goes on sending it.
    t.db.prepare(`INSERT INTO runs (newsletter, edition_date, state, scheduled_at, started_at, holder, heartbeat_at)
      VALUES ('morning', '2026-11-30', 'running', '2026-11-30T11:00:00.000Z', '2026-11-30T11:00:00.000Z', 'otherhost:7:alive', '2026-11-30T11:00:00.000Z')`).run();
    const clock = new ManualClock('2026-11-30T11:00:05Z');
    // Each poll finds a little left to send: 2 copies, then 1, then none.
    const answers = [2, 1, 0, 0];
    const sender = recordingSender(() => clock.now(), () => ({ total: 10, sent: answers.shift() ?? 0, failed: 0, deferred: 0, skipped: 0 }));
    const log: string[] = [];
    const worker = createScheduler({ runs: await t.runs(), ledgerSince: SINCE, config, loadContent: () => hourlyContent('2026-11-25T00:00:00Z', 10), sender, clock, leaseMs: 60_000, role: 'worker', log: (l) => log.push(l) });
    cleanups.push(async () => { await worker.stop({ timeoutMs: 1000 }); await t.cleanup(); });
    await worker.start();
    await worker.idle();
    for (let poll = 0; poll < 3; poll++) await worker.tick();
    expect(sender.calls).toHaveLength(4);
    expect(log).toEqual(['morning 2026-11-30: joining the send another instance is running']);

    // The holder finishes the run: the next poll sums up this worker's part, once.
    t.db.prepare(`UPDATE runs SET state = 'done', holder = NULL, finished_at = '2026-11-30T11:00:06.000Z' WHERE newsletter = 'morning'`).run();
    await worker.tick();
    await worker.tick();
    expect(log).toEqual([
      'morning 2026-11-30: joining the send another instance is running',
      'morning 2026-11-30: joined: this instance sent 3, failed 0, deferred 0, skipped 0 (the send is over)',
    ]);
  });

  it('closes, rather than resumes, an interrupted run whose next edition has already begun', async () => {
    const t = tempDb();
    t.db.prepare(`INSERT INTO runs (newsletter, edition_date, state, scheduled_at, started_at, holder, heartbeat_at)
      VALUES ('morning', '2026-11-29', 'running', '2026-11-29T11:00:00.000Z', '2026-11-29T11:00:00.000Z', 'otherhost:1:x', '2026-11-29T11:00:00.000Z')`).run();
    const clock = new ManualClock('2026-11-30T11:30:00Z');
    const sender = recordingSender(() => clock.now());
    const s = createScheduler({ runs: await t.runs(), ledgerSince: SINCE, config: configWith(morning), loadContent: () => hourlyContent('2026-11-25T00:00:00Z', 10), sender, clock });
    cleanups.push(async () => { await s.stop({ timeoutMs: 1000 }); await t.cleanup(); });
    await s.start();
    await s.idle();
    expect(sender.calls.map((c) => c.date)).toEqual(['2026-11-30']);
    const rows = runRows(t.db);
    expect(rows.map((r) => [r.edition_date, r.state])).toEqual([['2026-11-29', 'failed'], ['2026-11-30', 'done']]);
    expect(rows[0]!.reason).toContain('next edition had begun');
  });
});

describe('deferred copies', () => {
  const morning = [{ id: 'morning', cron: '0 6 * * *', timezone: 'America/New_York' }];

  it('retries deferred copies on a timer until they are delivered', async () => {
    let n = 0;
    const s = await setup({
      start: '2026-11-30T10:00:00Z',
      newsletters: morning,
      answer: (call) => (call.retry
        ? (++n === 1 ? { total: 2, sent: 1, failed: 0, deferred: 1, skipped: 0 } : { total: 1, sent: 1, failed: 0, deferred: 0, skipped: 0 })
        : { total: 5, sent: 3, failed: 0, deferred: 2, skipped: 0 }),
    });
    await s.scheduler.start();
    await s.clock.advanceTo('2026-11-30T11:00:00Z');
    expect(runRows(s.db)).toMatchObject([{ state: 'done', sent: 3, deferred: 2 }]);
    await s.clock.advanceTo('2026-11-30T13:00:00Z');
    expect(s.sender.calls.map((c) => [c.retry, c.at])).toEqual([
      [false, '2026-11-30T11:00:00.000Z'],
      [true, '2026-11-30T11:01:00.000Z'], // first retry after the 1-minute floor
      [true, '2026-11-30T11:03:00.000Z'], // then backing off: 2 minutes
    ]);
    expect(runRows(s.db)).toMatchObject([{ state: 'done', sent: 5, deferred: 0 }]);
  });

  it('expires deferred copies when the next edition begins, and stops retrying', async () => {
    const s = await setup({
      start: '2026-11-30T10:00:00Z',
      newsletters: morning,
      answer: (call) => (call.retry ? { total: 2, sent: 0, failed: 0, deferred: 2, skipped: 0 } : { total: 5, sent: 3, failed: 0, deferred: 2, skipped: 0 }),
    });
    await s.scheduler.start();
    await s.clock.advanceTo('2026-12-01T12:00:00Z');
    const retries = s.sender.calls.filter((c) => c.retry && c.date === '2026-11-30');
    expect(retries.length).toBeGreaterThan(3);
    expect(retries.every((c) => c.at < '2026-12-01T11:00:00.000Z')).toBe(true);
    expect(s.sender.expired).toEqual(['morning/2026-11-30']);
    const rows = runRows(s.db);
    expect(rows[0]).toMatchObject({ edition_date: '2026-11-30', deferred: 0, skipped: 2 });
    expect(rows[0]!.reason).toContain('expired');
  });
});

describe('shutdown', () => {
  it('stops taking new work and leaves an interrupted edition to be resumed at the next start', async () => {
    let release: (() => void) | undefined;
    const s = await setup({
      start: '2026-11-30T10:59:00Z',
      newsletters: [{ id: 'morning', cron: '0 6 * * *', timezone: 'America/New_York' }],
      answer: (_call, signal) => new Promise((resolve) => {
        // Like sendEdition: when asked to stop, finish the copy in flight and report the rest as queued.
        release = () => resolve({ total: 3, sent: 1, failed: 0, deferred: 0, skipped: 0, interrupted: true });
        signal.addEventListener('abort', () => setImmediate(release!));
      }),
    });
    await s.scheduler.start();
    const firing = s.clock.advanceTo('2026-11-30T11:00:00Z');
    await new Promise((r) => setImmediate(r));
    expect(s.sender.calls).toHaveLength(1);
    const stopped = await s.scheduler.stop({ timeoutMs: 5000 });
    await firing;
    expect(stopped.finished).toBe(true);
    const row = s.db.prepare('SELECT state, holder, reason FROM runs').get() as { state: string; holder: string | null; reason: string };
    expect(row).toMatchObject({ state: 'running', holder: null });
    expect(row.reason).toContain('resumes at the next start');
    // Nothing more is armed after stop.
    expect(s.clock.pending()).toEqual([]);

    const sender2 = recordingSender(() => s.clock.now());
    const next = createScheduler({ runs: await s.runs(), ledgerSince: SINCE, config: s.config, loadContent: () => s.content, sender: sender2, clock: s.clock });
    cleanups.push(async () => void (await next.stop({ timeoutMs: 1000 })));
    await next.start();
    await next.idle();
    expect(sender2.calls.map((c) => c.date)).toEqual(['2026-11-30']);
  });

  it('reports that it did not finish when a send outlives the shutdown timeout', async () => {
    const s = await setup({
      start: '2026-11-30T11:00:00Z',
      newsletters: [{ id: 'morning', cron: '0 6 * * *', timezone: 'America/New_York' }],
      answer: () => new Promise(() => {}),
    });
    await s.scheduler.start();
    await new Promise((r) => setImmediate(r));
    expect(s.sender.calls).toHaveLength(1);
    expect(await s.scheduler.stop({ timeoutMs: 50 })).toEqual({ finished: false });
  });
});
