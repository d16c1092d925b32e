/**
 * The sidebar's "when it goes out": the zone as the editor configured it (IANA name) with its offset,
 * not the long name Intl gives readers ("Central European Time").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { previewCadence } from '../../src/preview/cadence.ts';
import { zoneLabel } from '../../src/preview/zone-label.ts';
import { previewHarness, type PreviewHarness } from './setup.ts';

const WINTER = new Date('2026-01-15T12:00:00Z');
const SUMMER = new Date('2026-07-15T12:00:00Z');

let h: PreviewHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('zoneLabel', () => {
  it('writes the IANA name with the UTC offset in force at that instant', () => {
    expect(zoneLabel('Europe/Paris', WINTER)).toBe('Europe/Paris, UTC+1');
    expect(zoneLabel('Europe/Paris', SUMMER)).toBe('Europe/Paris, UTC+2');
    expect(zoneLabel('America/New_York', WINTER)).toBe('America/New_York, UTC-5');
    expect(zoneLabel('Asia/Kolkata', WINTER)).toBe('Asia/Kolkata, UTC+5:30');
  });

  it('writes UTC and its aliases alone, and a name Intl does not know as it is', () => {
    expect(zoneLabel('UTC', WINTER)).toBe('UTC');
    expect(zoneLabel('Etc/UTC', WINTER)).toBe('Etc/UTC');
    expect(zoneLabel('Mars/Olympus_Mons', WINTER)).toBe('Mars/Olympus_Mons');
  });
});

describe('previewCadence', () => {
  it('says the schedule in words with the configured zone instead of its long name', () => {
    expect(previewCadence({ schedule: { cron: '0 7 * * 1-5', timezone: 'Europe/Paris' } }, WINTER)).toBe('Every weekday at 7:00 a.m. Europe/Paris, UTC+1');
    expect(previewCadence({ schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } }, SUMMER)).toBe('Every day at 6:00 a.m. America/New_York, UTC-4');
    expect(previewCadence({ schedule: { cron: '0 8 * * 0', timezone: 'UTC' } }, WINTER)).toBe('Every Sunday at 8:00 a.m. UTC');
  });

  it('says a local-time schedule follows each reader\'s clock, naming the zone for readers without one', () => {
    expect(previewCadence({ schedule: { cron: '0 6 * * *', timezone: 'Europe/Paris', localTime: '06:00' } }, WINTER)).toBe(
      "Every day at 6:00 a.m. in each reader's own zone (Europe/Paris, UTC+1 for readers without one)",
    );
  });

  it('keeps the cron fallback, which already names the IANA zone', () => {
    expect(previewCadence({ schedule: { cron: '*/5 6 * * *', timezone: 'Europe/Paris' } }, WINTER)).toBe('On schedule */5 6 * * * (Europe/Paris)');
  });
});

describe('/preview/api/sidebar', () => {
  it('gives each newsletter its cadence with the configured zone, and the local time when the schedule has one', async () => {
    h = previewHarness();
    h.editJson('../daybreak.config.json', (config) => ({
      ...config,
      newsletters: [
        { ...config.newsletters[0], schedule: { cron: '0 7 * * 1-5', timezone: 'Europe/Paris' } },
        { ...config.newsletters[1], schedule: { localTime: '08:00', timezone: 'Asia/Tokyo' } },
      ],
    }));
    const sidebar = (await (await h.app.request('/preview/api/sidebar')).json()) as {
      newsletters: { cadence: string; schedule: { cron: string; timezone: string; localTime?: string } }[];
    };
    expect(sidebar.newsletters[0]!.cadence).toMatch(/^Every weekday at 7:00 a\.m\. Europe\/Paris, UTC\+[12]$/);
    expect(sidebar.newsletters[0]!.schedule).toEqual({ cron: '0 7 * * 1-5', timezone: 'Europe/Paris' });
    expect(sidebar.newsletters[1]!.schedule.localTime).toBe('08:00');
    expect(sidebar.newsletters[1]!.cadence).toBe("Every day at 8:00 a.m. in each reader's own zone (Asia/Tokyo, UTC+9 for readers without one)");
    expect(JSON.stringify(sidebar)).not.toMatch(/Central European|Japan Standard/);
  });
});
