import { describe, expect, it } from 'vitest';
import { describeSchedule, timezoneName } from '../../src/content/index.ts';

const at = (cron: string, timezone = 'America/New_York') => describeSchedule({ schedule: { cron, timezone } });

describe('describeSchedule', () => {
  it('says a daily letter arrives every day at a clock time in the reader\'s timezone words', () => {
    expect(at('0 6 * * *')).toBe('every day at 6:00 a.m. Eastern');
    expect(at('30 17 * * *', 'America/Los_Angeles')).toBe('every day at 5:30 p.m. Pacific');
    expect(at('0 0 * * *', 'America/Chicago')).toBe('every day at 12:00 a.m. Central');
    expect(at('0 12 * * *', 'America/Denver')).toBe('every day at 12:00 p.m. Mountain');
  });

  it('names weekdays, one weekday and several weekdays', () => {
    expect(at('0 8 * * 0')).toBe('every Sunday at 8:00 a.m. Eastern');
    expect(at('0 8 * * 7')).toBe('every Sunday at 8:00 a.m. Eastern');
    expect(at('0 8 * * SUN')).toBe('every Sunday at 8:00 a.m. Eastern');
    expect(at('15 7 * * 1-5')).toBe('every weekday at 7:15 a.m. Eastern');
    expect(at('15 7 * * MON-FRI')).toBe('every weekday at 7:15 a.m. Eastern');
    expect(at('0 9 * * 1,3,5')).toBe('every Monday, Wednesday and Friday at 9:00 a.m. Eastern');
    expect(at('0 9 * * 2,4')).toBe('every Tuesday and Thursday at 9:00 a.m. Eastern');
    expect(at('0 9 * * 6,0')).toBe('every Saturday and Sunday at 9:00 a.m. Eastern');
    expect(at('0 9 * * 0-6')).toBe('every day at 9:00 a.m. Eastern');
    // Monday first, and a range that wraps past Saturday.
    expect(at('0 9 * * 5-1')).toBe('every Monday, Friday, Saturday and Sunday at 9:00 a.m. Eastern');
  });

  it('handles several hours, a day of the month, seconds and nicknames', () => {
    expect(at('0 6,18 * * *')).toBe('every day at 6:00 a.m. and 6:00 p.m. Eastern');
    expect(at('0 7 1 * *')).toBe('on the 1st of every month at 7:00 a.m. Eastern');
    expect(at('0 7 22 * *')).toBe('on the 22nd of every month at 7:00 a.m. Eastern');
    expect(at('0 0 6 * * *')).toBe('every day at 6:00 a.m. Eastern');
    expect(at('@weekly', 'America/Los_Angeles')).toBe('every Sunday at 12:00 a.m. Pacific');
  });

  it('falls back to the raw cron and timezone for patterns it cannot say plainly', () => {
    expect(at('*/15 6 * * *')).toBe('on schedule */15 6 * * * (America/New_York)');
    expect(at('0 6 * 1-6 *')).toBe('on schedule 0 6 * 1-6 * (America/New_York)');
    expect(at('0 6 1 * 1')).toBe('on schedule 0 6 1 * 1 (America/New_York)');
    expect(at('0 6 * * 5L')).toBe('on schedule 0 6 * * 5L (America/New_York)');
    expect(at('30 0 6 * * *')).toBe('on schedule 30 0 6 * * * (America/New_York)');
    expect(at('0 6-9 * * *')).toBe('on schedule 0 6-9 * * * (America/New_York)');
    expect(at('@hourly')).toBe('on schedule @hourly (America/New_York)');
  });

  it('uses the config defaults (06:00 America/New_York) when the schedule or its fields are absent', () => {
    expect(describeSchedule({})).toBe('every day at 6:00 a.m. Eastern');
    expect(describeSchedule({ schedule: {} })).toBe('every day at 6:00 a.m. Eastern');
    expect(describeSchedule({ schedule: { cron: '0 8 * * 0' } })).toBe('every Sunday at 8:00 a.m. Eastern');
    expect(describeSchedule({ schedule: { timezone: 'America/Los_Angeles' } })).toBe('every day at 6:00 a.m. Pacific');
  });
});

describe('timezoneName', () => {
  it('shortens the North American generic names and keeps the others whole', () => {
    expect(timezoneName('America/New_York')).toBe('Eastern');
    expect(timezoneName('America/Anchorage')).toBe('Alaska');
    expect(timezoneName('Europe/Paris')).toBe('Central European Time');
    expect(timezoneName('Asia/Tokyo')).toBe('Japan Standard Time');
    expect(timezoneName('UTC')).toBe('UTC');
    expect(timezoneName('Etc/UTC')).toBe('UTC');
  });

  it('gives back an unknown timezone as written instead of throwing', () => {
    expect(timezoneName('Mars/Olympus_Mons')).toBe('Mars/Olympus_Mons');
  });
});
