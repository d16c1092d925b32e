import { describe, expect, it } from 'vitest';
import { NewsletterSchema } from '../../src/content/index.ts';
import { reasonAfter } from '../../src/schedule/run-results.ts';

const counts = { total: 10, sent: 8, failed: 0, skipped: 0, pending: 0 };

describe("a run's reason after a send", () => {
  it('counts one copy and one reader in the singular, several in the plural', () => {
    const cron = NewsletterSchema.parse({ id: 'morning', name: 'Morning' });
    expect(reasonAfter(cron, { ...counts, deferred: 1 })).toBe('1 copy deferred; retried until the next edition');
    expect(reasonAfter(cron, { ...counts, deferred: 2 })).toBe('2 copies deferred; retried until the next edition');
    const local = NewsletterSchema.parse({ id: 'morning', name: 'Morning', schedule: { localTime: '06:00' } });
    expect(reasonAfter(local, { ...counts, deferred: 0, waiting: 1 } as never)).toBe('1 reader waiting for their local 06:00');
    expect(reasonAfter(local, { ...counts, deferred: 0, waiting: 4 } as never)).toBe('4 readers waiting for their local 06:00');
  });
});
