import { describe, expect, it } from 'vitest';
import { describeDatabase } from '../../src/settings/index.ts';
import { openStore } from '../../src/storage/index.ts';

describe('describeDatabase', () => {
  it('hides the password of a PostgreSQL URL and leaves a SQLite path as it is', () => {
    expect(describeDatabase('postgres://news:s3cret@db.example:5432/news')).toBe('postgres://news:***@db.example:5432/news');
    expect(describeDatabase('postgresql://news@db.example/news')).toBe('postgresql://news@db.example/news');
    expect(describeDatabase('var/daybreak.db')).toBe('var/daybreak.db');
    expect(describeDatabase('postgres://[bad')).toBe('postgres://…');
  });

  it('is how a PostgreSQL connection error names the database: never with its password', async () => {
    // Port 1 on loopback refuses at once: the error comes from the driver, through storage's wording.
    const error = await openStore({ database: 'postgres://news:s3cret@127.0.0.1:1/news', busyTimeoutMs: 1000 }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toContain('postgres://news:***@127.0.0.1:1/news');
    expect(error!.message).not.toContain('s3cret');
  });
});
