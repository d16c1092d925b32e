import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/storage/index.ts';
import { createScheduler, ManualClock } from '../../src/schedule/index.ts';
import { configWith, hourlyContent, recordingSender } from '../schedule/fixtures.ts';
import { enginesUnderTest } from '../helpers/test-store.ts';

const t0 = new Date('2026-11-30T11:00:00Z');
const run = { newsletter: 'morning', date: '2026-11-30', scheduledAt: t0, now: t0 };

describe.each(enginesUnderTest())('the run ledger on $name', (engine) => {
  let stores: Store[];
  let cleanup: () => Promise<void>;
  let database: string;

  beforeEach(async () => {
    const db = await engine.create();
    database = db.database;
    stores = [await openStore({ database }), await openStore({ database })];
    cleanup = async () => {
      for (const s of stores) await s.close();
      await db.cleanup();
    };
  });
  afterEach(() => cleanup());

  it('lets exactly one of several concurrent claimers own an edition', async () => {
    const results = await Promise.all([
      stores[0]!.runs.claim({ ...run, holder: 'a' }),
      stores[1]!.runs.claim({ ...run, holder: 'b' }),
      stores[0]!.runs.claim({ ...run, holder: 'c' }),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await stores[1]!.runs.recordMissed({ ...run, reason: 'x' })).toBe(false);
    expect((await stores[1]!.runs.get('morning', '2026-11-30'))!.state).toBe('running');
  });

  it('hands a stale run to exactly one of two takers, and finishes it only for its holder', async () => {
    await stores[0]!.runs.claim({ ...run, holder: 'dead' });
    const stale = (await stores[0]!.runs.get('morning', '2026-11-30'))!;
    const later = new Date(t0.getTime() + 120_000);
    const taken = await Promise.all([stores[0]!.runs.takeOver(stale, 'a', later), stores[1]!.runs.takeOver(stale, 'b', later)]);
    expect(taken.filter(Boolean)).toHaveLength(1);
    const winner = taken[0] ? 'a' : 'b';
    await stores[1]!.runs.finish({ newsletter: 'morning', date: '2026-11-30', holder: winner === 'a' ? 'b' : 'a', state: 'done', now: later });
    expect((await stores[0]!.runs.get('morning', '2026-11-30'))!.state).toBe('running');
    await stores[1]!.runs.finish({ newsletter: 'morning', date: '2026-11-30', holder: winner, state: 'done', now: later, counts: { total: 3, sent: 3, failed: 0, deferred: 0, skipped: 0 } });
    expect(await stores[0]!.runs.list()).toMatchObject([{ state: 'done', sent: 3, holder: null }]);
    expect((await stores[0]!.runs.since())!.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('counts runs as a number, of a newsletter and in a state when asked', async () => {
    expect(await stores[0]!.runs.count()).toBe(0);
    await stores[0]!.runs.claim({ ...run, holder: 'a' });
    await stores[0]!.runs.recordMissed({ ...run, date: '2026-11-29', reason: 'down' });
    await stores[0]!.runs.recordMissed({ ...run, newsletter: 'evening', reason: 'down' });
    expect(await stores[1]!.runs.count()).toBe(3);
    expect(await stores[1]!.runs.count({ newsletter: 'morning' })).toBe(2);
    expect(await stores[1]!.runs.count({ state: 'missed' })).toBe(2);
    expect(await stores[1]!.runs.count({ newsletter: 'morning', state: 'missed' })).toBe(1);
    expect(await stores[1]!.runs.count({ state: 'held' })).toBe(0);
  });

  it('runs two schedulers on one database: each edition is fired once, and the other instance joins it', async () => {
    const config = configWith([{ id: 'morning', cron: '0 6 * * *', timezone: 'America/New_York' }]);
    const clock = new ManualClock('2026-11-30T10:59:00Z');
    const content = hourlyContent('2026-11-25T00:00:00Z', 10);
    const logs: string[] = [];
    const senders = [recordingSender(() => clock.now()), recordingSender(() => clock.now())];
    const schedulers = stores.map((s, i) => createScheduler({
      runs: s.runs, config, loadContent: () => content, sender: senders[i]!, clock, ledgerSince: new Date('2026-11-30T00:00:00Z'), log: (l) => logs.push(l),
    }));
    for (const s of schedulers) await s.start();
    await clock.advanceTo('2026-12-01T12:00:00Z');
    for (const s of schedulers) await s.stop({ timeoutMs: 1000 });
    expect(logs.filter((l) => l.includes(': sending (')).map((l) => l.split(' ')[1])).toEqual(['2026-11-30:', '2026-12-01:']);
    expect((await stores[0]!.runs.list()).map((r) => [r.date, r.state])).toEqual([['2026-12-01', 'done'], ['2026-11-30', 'done']]);
  });
});
