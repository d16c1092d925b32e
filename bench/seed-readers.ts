/**
 * Seeds `n` confirmed readers of `morning` into a Daybreak database (SQLite file or PostgreSQL URL),
 * migrated first, in one transaction of multi-row inserts: fast enough for 100,000 readers.
 */
import { migrate, openClient } from '../src/storage/index.ts';

const NAMES = ['Ana', 'Bo', null, 'Zoë "Z" <O\'Brien> & 🦊', 'Marie-Claire', 'Jo & Sam', 'Łukasz', ''];

export async function seedReaders(database: string, n: number): Promise<void> {
  const client = openClient({ database });
  try {
    await migrate(client);
    const now = new Date().toISOString();
    const BATCH = 500;
    await client.transaction(async (tx) => {
      for (let start = 1; start <= n; start += BATCH) {
        const ids = Array.from({ length: Math.min(BATCH, n - start + 1) }, (_, i) => start + i);
        await tx.run(
          `INSERT INTO subscribers (id, email, email_key, name, created_at) VALUES ${ids.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
          ids.flatMap((i) => [i, `reader${i}@example.com`, `reader${i}@example.com`, NAMES[i % NAMES.length] ?? null, now]),
        );
        await tx.run(
          `INSERT INTO subscriptions (subscriber_id, newsletter, status, created_at, updated_at, confirmed_at) VALUES ${ids.map(() => "(?, 'morning', 'confirmed', ?, ?, ?)").join(', ')}`,
          ids.flatMap((i) => [i, now, now, now]),
        );
      }
    });
  } finally {
    await client.close();
  }
}
