import { describe, expect, it } from 'vitest';
import { migrate, openClient, openStore, postgresMigrations, sqliteMigrations } from '../../src/storage/index.ts';
import { enginesUnderTest } from '../helpers/test-store.ts';

describe.each(enginesUnderTest())('the 090 migration on an existing database ($name)', (engine) => {
  it('keeps every run row, then accepts the held state and the complained status', async () => {
    const db = await engine.create();
    try {
      const before = openClient({ database: db.database });
      const list = (engine.name === 'postgres' ? postgresMigrations : sqliteMigrations).filter((m) => m.id < '090');
      await migrate(before, list);
      await before.run(
        `INSERT INTO runs (newsletter, edition_date, state, scheduled_at, started_at, finished_at, reason, total, sent, failed, deferred, skipped, holder, heartbeat_at)
         VALUES ('morning', '2026-11-30', 'done', '2026-11-30T11:00:00.000Z', '2026-11-30T11:00:01.000Z', '2026-11-30T11:00:09.000Z', NULL, 3, 3, 0, 0, 0, NULL, NULL)`,
      );
      await expect(before.run(`UPDATE runs SET state = 'held'`)).rejects.toThrow();
      await before.close();

      const store = await openStore({ database: db.database });
      try {
        expect(await store.runs.get('morning', '2026-11-30')).toMatchObject({ state: 'done', total: 3, sent: 3, finishedAt: '2026-11-30T11:00:09.000Z' });
        const now = new Date('2026-12-01T11:00:00Z');
        expect(await store.runs.claim({ newsletter: 'morning', date: '2026-12-01', scheduledAt: now, holder: 'h', now })).toBe(true);
        await store.runs.finish({ newsletter: 'morning', date: '2026-12-01', holder: 'h', state: 'held', now, reason: 'held by the pre-send checks: size' });
        expect(await store.runs.list({ state: 'held' })).toMatchObject([{ date: '2026-12-01', state: 'held', reason: 'held by the pre-send checks: size' }]);
        expect((await store.runs.list()).map((r) => r.date)).toEqual(['2026-12-01', '2026-11-30']);
      } finally {
        await store.close();
      }
    } finally {
      await db.cleanup();
    }
  });
});
