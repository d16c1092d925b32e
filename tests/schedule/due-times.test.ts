import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/content/index.ts';
import { currentEdition, missedBefore, nextWaveAt } from '../../src/schedule/due-times.ts';

function newsletter(schedule: Record<string, unknown>) {
  return ConfigSchema.parse({ newsletters: [{ id: 'morning', name: 'Morning', schedule: { timezone: 'America/New_York', ...schedule } }] }).newsletters[0]!;
}
const at = (iso: string) => new Date(iso);

describe('the current edition of a cron newsletter', () => {
  const daily = newsletter({ cron: '0 6 * * *' });

  it('is yesterday’s until today’s firing, then today’s, due at the firing', () => {
    expect(currentEdition(daily, at('2026-11-30T10:59:59Z'))).toEqual({ date: '2026-11-29', sendAt: at('2026-11-29T11:00:00Z') });
    expect(currentEdition(daily, at('2026-11-30T11:00:00Z'))).toEqual({ date: '2026-11-30', sendAt: at('2026-11-30T11:00:00Z') });
  });

  it('belongs to the local date of the firing, not the UTC date', () => {
    const late = newsletter({ cron: '0 22 * * *' });
    expect(currentEdition(late, at('2026-12-01T03:30:00Z'))).toEqual({ date: '2026-11-30', sendAt: at('2026-12-01T03:00:00Z') });
  });
});

describe('the next wave of a local-time newsletter', () => {
  const local = newsletter({ localTime: '06:00' });

  it('is the earliest 06:00 still ahead in any of its readers’ zones', () => {
    const zones = ['Europe/London', 'America/New_York', 'Asia/Tokyo'];
    expect(nextWaveAt(local, at('2026-11-30T05:00:00Z'), zones)).toEqual(at('2026-11-30T06:00:00Z'));
    expect(nextWaveAt(local, at('2026-11-30T06:00:00Z'), zones)).toEqual(at('2026-11-30T11:00:00Z'));
    expect(nextWaveAt(local, at('2026-11-30T11:00:00Z'), zones)).toEqual(at('2026-11-30T21:00:00Z')); // Tokyo's Dec 1
  });

  it('is found days ahead for a newsletter that goes out on some days of the week only', () => {
    // Monday 2026-11-30: the next Saturday is 2026-12-05, 06:00 in London and in New York.
    const saturdays = newsletter({ localTime: '06:00', days: ['sat'] });
    expect(nextWaveAt(saturdays, at('2026-11-30T12:00:00Z'), ['Europe/London', 'America/New_York'])).toEqual(at('2026-12-05T06:00:00Z'));
    expect(nextWaveAt(saturdays, at('2026-12-05T06:00:00Z'), ['Europe/London', 'America/New_York'])).toEqual(at('2026-12-05T11:00:00Z'));
  });

  it('marks copies due more than the grace window ago as missed, and none for a cron newsletter', () => {
    expect(missedBefore(newsletter({ localTime: '06:00', graceMinutes: 30 }), at('2026-11-30T12:00:00Z'))).toEqual(at('2026-11-30T11:30:00Z'));
    expect(missedBefore(newsletter({ cron: '0 6 * * *' }), at('2026-11-30T12:00:00Z'))).toBeUndefined();
  });
});
