import { describe, expect, it } from 'vitest';
import { canonicalTimezone, readerZone } from '../../src/audience/index.ts';
import { ConfigSchema, describeSchedule, effectiveChoice, formatIssues, localTimeOn, waveTimes } from '../../src/content/index.ts';

const newsletter = (schedule: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ id: 'morning', name: 'The Morning Briefing', schedule, ...extra });
const problems = (n: Record<string, unknown>) => {
  const result = ConfigSchema.safeParse({ newsletters: [n] });
  return result.success ? [] : formatIssues('daybreak.config.json', result.error);
};

describe('schedule.localTime in the config', () => {
  it('takes a local time and weekdays instead of a cron, and describes it in the reader\'s terms', () => {
    const [n] = ConfigSchema.parse({ newsletters: [newsletter({ localTime: '06:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] })] }).newsletters;
    expect(n!.schedule).toMatchObject({ localTime: '06:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'], timezone: 'America/New_York', cron: '0 6 * * 1,2,3,4,5' });
    expect(describeSchedule(n!)).toBe('every weekday at 6:00 a.m. your local time');
  });

  it('names what is wrong: both cron and localTime, days without localTime, a time that is not HH:MM, an unknown weekday', () => {
    expect(problems(newsletter({ cron: '0 6 * * *', localTime: '06:00' }))).toEqual(['daybreak.config.json: newsletters[0].schedule.localTime: Use either schedule.cron or schedule.localTime, not both']);
    expect(problems(newsletter({ days: ['mon'] }))).toEqual(['daybreak.config.json: newsletters[0].schedule.days: schedule.days goes with schedule.localTime (a cron pattern names its own days)']);
    expect(problems(newsletter({ localTime: '6am' }))).toEqual(['daybreak.config.json: newsletters[0].schedule.localTime: Expected a 24-hour local time written HH:MM, e.g. "06:00"']);
    expect(problems(newsletter({ localTime: '06:00', days: ['monday'] }))[0]).toMatch(/newsletters\[0\]\.schedule\.days\[0\]: Expected one of sun, mon, tue, wed, thu, fri, sat/);
    expect(problems(newsletter({ localTime: '06:00' }, { readerChoices: { sections: ['Politics', 'Politics'] } }))).toEqual(['daybreak.config.json: newsletters[0].readerChoices.sections[1]: "Politics" is already listed at [0]']);
  });
});

describe('waves', () => {
  const [n] = ConfigSchema.parse({ newsletters: [newsletter({ localTime: '06:00', timezone: 'America/New_York' })] }).newsletters;

  it('groups zones by the UTC offset they have on the day, DST per zone', () => {
    // 2026-03-29: the United Kingdom and Portugal move to summer time together (one wave); Iceland stays
    // on UTC; New York moved on 03-08.
    expect(waveTimes(n!, '2026-03-29', ['Europe/London', 'Europe/Lisbon', 'Atlantic/Reykjavik']).map((d) => d.toISOString())).toEqual([
      '2026-03-29T05:00:00.000Z',
      '2026-03-29T06:00:00.000Z',
      '2026-03-29T10:00:00.000Z',
    ]);
    // A week earlier London and Lisbon are on UTC, and New York is already on EDT.
    expect(waveTimes(n!, '2026-03-22', ['Europe/London', 'Europe/Lisbon']).map((d) => d.toISOString())).toEqual([
      '2026-03-22T06:00:00.000Z',
      '2026-03-22T10:00:00.000Z',
    ]);
  });

  it('puts a time skipped by a spring-forward gap at the first instant after it', () => {
    expect(localTimeOn('2026-03-08', '02:30', 'America/New_York').toISOString()).toBe('2026-03-08T07:30:00.000Z');
  });
});

describe('readers\' zones and choices', () => {
  it('canonicalizes IANA names and refuses anything else', () => {
    expect(canonicalTimezone('europe/london')).toBe('Europe/London');
    expect(canonicalTimezone('US/Pacific')).toBe('America/Los_Angeles');
    expect(canonicalTimezone('Etc/GMT+12')).toBe('Etc/GMT+12');
    for (const bad of ['+05:00', 'Mars/Olympus_Mons', '', 'x'.repeat(200), 'Europe/London\n']) expect(canonicalTimezone(bad)).toBeNull();
  });

  it('falls back to the newsletter\'s zone for a stored zone that is not valid, and says so', () => {
    const warned: string[] = [];
    expect(readerZone('Not/AZone', 'America/New_York', (z) => warned.push(z))).toBe('America/New_York');
    expect(readerZone(null, 'America/New_York', (z) => warned.push(z))).toBe('America/New_York');
    expect(readerZone('Asia/Tokyo', 'America/New_York', (z) => warned.push(z))).toBe('Asia/Tokyo');
    expect(warned).toEqual(['Not/AZone']);
  });

  it('reads a stored section choice as it applies now', () => {
    const offering = { readerChoices: { sections: ['Politics', 'Business', 'Science'] } };
    expect(effectiveChoice(offering, null)).toBeNull();
    expect(effectiveChoice(offering, ['Science', 'Politics', 'Business'])).toBeNull();
    expect(effectiveChoice(offering, ['Science', 'Politics', 'Gone'])).toEqual(['Politics', 'Science']);
    expect(effectiveChoice(offering, [])).toEqual([]);
    expect(effectiveChoice({}, ['Science'])).toBeNull();
  });
});
