import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema, DEFAULT_CONFIG_FILE, loadConfig, parseConfig } from '../../src/content/index.ts';
import { DaybreakError } from '../../src/errors.ts';
import { inDir, tempData } from './fixtures.ts';

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

/** The problem lines of a config given as a JSON value (or raw text). */
function configProblems(value: unknown): string[] {
  try {
    parseConfig('daybreak.config.json', typeof value === 'string' ? value : JSON.stringify(value));
  } catch (error) {
    expect(error).toBeInstanceOf(DaybreakError);
    expect((error as DaybreakError).code).toBe('ECONFIG');
    expect((error as DaybreakError).message).toBe((error as DaybreakError).details.join('\n'));
    return (error as DaybreakError).details;
  }
  return [];
}

const newsletter = (more: Record<string, unknown> = {}) => ({ id: 'morning', name: 'The Morning Briefing', ...more });

describe('config', () => {
  it('fills every key with its default when the default file is absent', () => {
    const data = tempData({});
    cleanups.push(data.cleanup);
    const config = inDir(data.dir, () => loadConfig());
    expect(config.file).toBeNull();
    expect(config.baseUrl).toBe('http://localhost:3000');
    expect(config.publisher).toEqual({
      name: 'The Daybreak Post',
      postalAddress: '1 Example Plaza, Springfield, USA',
      from: 'Daybreak <briefing@example.com>',
      brand: { accentColor: '#a8321e', linkColor: '#0b4f8a', fontFamily: 'Georgia, Times, serif', logoWidth: 180 },
    });
    expect(config.newsletters).toEqual([
      {
        id: 'morning',
        name: 'The Morning Briefing',
        description: '',
        template: 'briefing',
        schedule: { cron: '0 6 * * *', timezone: 'America/New_York', graceMinutes: 180 },
        subject: '{newsletter}: {leadHeadline}',
        locale: 'en-US',
      },
    ]);
    expect(config.delivery).toEqual({
      maxConnections: 5,
      connectionTimeoutMs: 10_000,
      greetingTimeoutMs: 10_000,
      socketTimeoutMs: 30_000,
      retries: 3,
      retryBaseMs: 1_000,
      maxPolicyErrors: 10,
      leaseSeconds: 60,
      maxSpamScore: 2,
    });
    expect(config.database).toBeUndefined();
    expect(config.web).toEqual({ port: 3000, allowedOrigins: [], trustProxy: false, signupRatePerMinute: 5, manageRatePerMinute: 30 });
  });

  it('treats an empty --config value like no flag: the default file, or the defaults', () => {
    const data = tempData({});
    cleanups.push(data.cleanup);
    expect(inDir(data.dir, () => loadConfig({ file: '' })).file).toBeNull();
  });

  it('fails when an explicitly named config file does not exist', () => {
    const data = tempData({});
    cleanups.push(data.cleanup);
    const missing = join(data.dir, 'nope.json');
    expect(() => loadConfig({ file: missing })).toThrow(new DaybreakError('ECONFIG', `${missing}: config file not found`));
  });

  it('reads the default file from the working directory and fills the keys it leaves out', () => {
    const data = tempData({ [DEFAULT_CONFIG_FILE]: { baseUrl: 'https://daybreak.example', newsletters: [newsletter({ schedule: { cron: '30 7 * * 1-5' } })] } });
    cleanups.push(data.cleanup);
    const config = inDir(data.dir, () => loadConfig());
    expect(config.file).toBe(DEFAULT_CONFIG_FILE);
    expect(config.baseUrl).toBe('https://daybreak.example');
    expect(config.newsletters[0]!.schedule).toEqual({ cron: '30 7 * * 1-5', timezone: 'America/New_York', graceMinutes: 180 });
  });

  it('loads the shipped sample config with a daily and a weekly newsletter', () => {
    const config = loadConfig({ file: join(import.meta.dirname, '../../daybreak.config.json') });
    expect(config.newsletters.map((n) => [n.id, n.schedule.cron])).toEqual([
      ['morning', '0 6 * * *'],
      ['good-news', '0 8 * * 0'],
    ]);
    expect(config.newsletters[1]!.include).toEqual({ tags: ['good-news'] });
  });

  it('names an unknown key, at the top level and nested, with the allowed keys', () => {
    expect(configProblems({ baseURL: 'https://x.example' })).toEqual([
      'daybreak.config.json: Unknown key "baseURL" (allowed: $schema, database, dataDir, baseUrl, publisher, newsletters, delivery, web, inbound, webhooks, sources)',
    ]);
    expect(configProblems({ newsletters: [newsletter({ schedule: { cron: '0 6 * * *', tz: 'UTC' } })] })).toEqual([
      'daybreak.config.json: newsletters[0].schedule: Unknown key "tz" (allowed: cron, localTime, days, timezone, graceMinutes)',
    ]);
    expect(configProblems({ delivery: { dkim: { domainName: 'a', keySelector: 'b', privateKeyFile: 'c', key: 'd' } } })).toEqual([
      'daybreak.config.json: delivery.dkim: Unknown key "key" (allowed: domainName, keySelector, privateKeyFile, ed25519KeyFile, ed25519KeySelector, threads)',
    ]);
  });

  it('names the key path of a wrong type', () => {
    expect(configProblems({ delivery: { retries: '3' } })).toEqual(['daybreak.config.json: delivery.retries: Expected a number, got the string "3"']);
    expect(configProblems({ web: { trustProxy: 'yes' } })).toEqual(['daybreak.config.json: web.trustProxy: Expected true or false, got the string "yes"']);
    expect(configProblems({ newsletters: [newsletter({ include: { tags: 'good-news' } })] })).toEqual([
      'daybreak.config.json: newsletters[0].include.tags: Expected an array, got the string "good-news"',
    ]);
    expect(configProblems({ newsletters: { id: 'morning' } })).toEqual(['daybreak.config.json: newsletters: Expected an array, got an object']);
    expect(configProblems([])).toEqual(['daybreak.config.json: Expected an object, got an array']);
  });

  it('refuses a publisher address the sender could not use, at load, naming the key', () => {
    const publisher = (more: Record<string, unknown>) => ({ publisher: { from: 'The Daybreak Post <briefing@daybreak.example>', ...more } });
    expect(configProblems(publisher({ from: 'Evil <a@b.example>\r\nBcc: victim@example.com' }))).toEqual([
      'daybreak.config.json: publisher.from: "Evil <a@b.example>\\r\\nBcc: victim@example.com" contains a line break or another control character',
    ]);
    expect(configProblems(publisher({ replyTo: 'not an address' }))).toEqual([
      'daybreak.config.json: publisher.replyTo: "not an address" has no e-mail address in it (expected "Name <name@example.com>" or name@example.com)',
    ]);
    expect(configProblems(publisher({ from: 'a@b.example, c@d.example' }))).toEqual([
      'daybreak.config.json: publisher.from: "a@b.example, c@d.example" names more than one address; give exactly one',
    ]);
    expect(configProblems(publisher({ from: 'Bcc: victim@example.com;' }))).toEqual([
      'daybreak.config.json: publisher.from: "Bcc: victim@example.com;" is a group of addresses; give exactly one',
    ]);
    expect(configProblems(publisher({ replyTo: 'Desk <desk@@daybreak.example>' }))[0]).toMatch(/^daybreak\.config\.json: publisher\.replyTo: .* is not a valid e-mail address$/);
    expect(configProblems(publisher({ unsubscribeMailbox: 'Unsubscribe <u@daybreak.example>' }))[0]).toContain('expected a bare address');
    expect(configProblems(publisher({ replyTo: 'Letters Desk <letters@daybreak.example>', unsubscribeMailbox: 'u@daybreak.example' }))).toEqual([]);
  });

  it('reports out-of-range numbers with the limit', () => {
    expect(configProblems({ web: { port: 70000 } })).toEqual(['daybreak.config.json: web.port: Must be at most 65535, got the number 70000']);
    expect(configProblems({ delivery: { maxConnections: 0 } })).toEqual(['daybreak.config.json: delivery.maxConnections: Must be greater than 0, got the number 0']);
    expect(configProblems({ delivery: { maxInFlight: 0 } })).toEqual(['daybreak.config.json: delivery.maxInFlight: Must be greater than 0, got the number 0']);
    expect(configProblems({ delivery: { maxInFlight: 2.5 } })).toEqual(['daybreak.config.json: delivery.maxInFlight: Expected a whole number, got the number 2.5']);
  });

  it('requires a newsletter name and a well-formed id', () => {
    expect(configProblems({ newsletters: [{ id: 'Morning Mail' }] })).toEqual([
      'daybreak.config.json: newsletters[0].id: Expected lower-case letters, digits and dashes',
      'daybreak.config.json: newsletters[0].name: Required',
    ]);
  });

  it('rejects an unknown timezone, naming it', () => {
    expect(configProblems({ newsletters: [newsletter({ schedule: { timezone: 'America/Springfield' } })] })).toEqual([
      'daybreak.config.json: newsletters[0].schedule.timezone: Unknown IANA timezone "America/Springfield" (use a name like "America/New_York")',
    ]);
  });

  it('rejects a cron pattern that does not parse, naming the field that is wrong and what that field takes', () => {
    const cron = (pattern: string) => configProblems({ newsletters: [newsletter({ schedule: { cron: pattern } })] });
    const at = 'daybreak.config.json: newsletters[0].schedule.cron: ';
    const steps = 'ranges, lists and steps such as */15';
    const minute = `0–59, ${steps}`;
    const hour = `0–23, ${steps}`;
    const dayOfMonth = `1–31, L for the last day, 15W for the weekday nearest the 15th, ${steps}`;
    const month = `1–12, jan–dec, ${steps}`;
    const dayOfWeek = `0–7 with 0 and 7 for Sunday, sun–sat, 5L for the month's last Friday, 1#2 for its second Monday, ${steps}`;
    const bad = (pattern: string, reason: string) => [`${at}${JSON.stringify(pattern)} is not a valid cron pattern: ${reason}`];
    expect(cron('0 6 * * L')).toEqual(bad('0 6 * * L', `the day-of-week field "L" is not a day of the week (${dayOfWeek})`));
    expect(cron('0 25 * * *')).toEqual(bad('0 25 * * *', `the hour field "25" is not an hour (${hour})`));
    expect(cron('61 6 * * *')).toEqual(bad('61 6 * * *', `the minute field "61" is not a minute (${minute})`));
    expect(cron('0 6 32 * *')).toEqual(bad('0 6 32 * *', `the day-of-month field "32" is not a day of the month (${dayOfMonth})`));
    expect(cron('0 6 W * *')).toEqual(bad('0 6 W * *', `the day-of-month field "W" is not a day of the month (${dayOfMonth})`));
    expect(cron('0 6 * 13 *')).toEqual(bad('0 6 * 13 *', `the month field "13" is not a month (${month})`));
    expect(cron('0 6 * foo *')).toEqual(bad('0 6 * foo *', `the month field "foo" is not a month (${month})`));
    expect(cron('0 6 * * fooday')).toEqual(bad('0 6 * * fooday', `the day-of-week field "fooday" is not a day of the week (${dayOfWeek})`));
    expect(cron('0 6 * * 9#2')).toEqual(bad('0 6 * * 9#2', `the day-of-week field "9#2" is not a day of the week (${dayOfWeek})`));
    // Inside a list or range, the value at fault is named too.
    expect(cron('0 6,25 * * *')).toEqual(bad('0 6,25 * * *', `the hour field "6,25" is not an hour: 25 is out of range (${hour})`));
    expect(cron('0 6 * * 1-8')).toEqual(bad('0 6 * * 1-8', `the day-of-week field "1-8" is not a day of the week: 8 is out of range (${dayOfWeek})`));
    expect(cron('0 6-3 * * *')).toEqual(bad('0 6-3 * * *', `the hour field "6-3" is not an hour: it runs backwards (write the earlier one first, or two ranges in a list) (${hour})`));
    expect(cron('0 6 * * mon,fri-mon')).toEqual(
      bad('0 6 * * mon,fri-mon', `the day-of-week field "mon,fri-mon" is not a day of the week: fri-mon runs backwards (write the earlier one first, or two ranges in a list) (${dayOfWeek})`),
    );
    expect(cron('0 */0 * * *')).toEqual(bad('0 */0 * * *', `the hour field "*/0" is not an hour: a step of 0 never moves on (${hour})`));
    expect(cron('60 0 6 * * *')).toEqual(bad('60 0 6 * * *', `the second field "60" is not a second (${minute})`));
    expect(cron('0 0 6 * * * 0')).toEqual(bad('0 0 6 * * * 0', `the year field "0" is not a year (1–9999, ${steps})`));
    expect(cron('every morning')).toEqual(
      bad('every morning', 'it has 2 fields; write 5 (minute hour day-of-month month day-of-week, e.g. "0 6 * * *"), 6 with seconds first, 7 with a year last, or a nickname such as @daily'),
    );
    expect(cron('@reboot')).toEqual(bad('@reboot', '"@reboot" is not a schedule nickname; use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, or write 5 fields such as "0 6 * * *"'));
    // None of croner's own wording (its internal field names, zero-based indexes, "CronPattern:") gets through.
    for (const pattern of ['0 6 * * L', '0 6 W * *', '0 6 * * 1/x', '0 6 * * 1-', '0 6 L,LW * *', '0 6 5L * *', '0 6 * * 1#', '0 6 * * mon2', '0 6 * 1#2 *', '0 6 * * +']) {
      const [message] = cron(pattern);
      expect(message, pattern).toMatch(/ is not a valid cron pattern: the (minute|hour|day-of-month|month|day-of-week) field "[^"]+" is not /);
      expect(message, pattern).not.toMatch(/CronPattern|configuration entry|dayOfWeek|nearestWeekdays|NaN|illegal|syntax error/i);
    }
    // Steps, names, nicknames, Sunday as 7, ? for *, and croner's L, W and # are valid (docs/scheduling.md).
    for (const pattern of ['*/15 6-9 * * mon-fri', '0 6 1 JAN *', '0 6 L * *', '0 6 LW * *', '@daily', '0 6 * * 7', '0 8 * * 0', '0 6 * * fri-sun', '0 6 * * 5L', '0 6 1W * *', '0 6 * * 5#L', '0 6 * * mon#2', '0 6 ? * 1', '0 0 6 * * *', '0 0 6 * * * 2030', '0 6 * JAN-MAR MON']) expect(cron(pattern), pattern).toEqual([]);
  });

  it('rejects a cron pattern that parses but never fires', () => {
    expect(configProblems({ newsletters: [newsletter({ schedule: { cron: '0 6 30 2 *' } })] })).toEqual([
      'daybreak.config.json: newsletters[0].schedule.cron: "0 6 30 2 *" never fires: no date matches it, so the newsletter would never go out',
    ]);
  });

  it('reports every mistake of one edit in one run, one line each, a bad cron beside a bad timezone included', () => {
    expect(
      configProblems({
        baseUrl: 'localhost:3000',
        publisher: { name: 'HB Pub', adress: '1 Main St' },
        newsletters: [newsletter({ schedule: { cron: '0 25 * * *', timezone: 'Europe/Pari' } })],
        delivery: { retrys: 3 },
      }),
    ).toEqual([
      'daybreak.config.json: baseUrl: Invalid URL: expected an absolute http(s) URL',
      'daybreak.config.json: publisher: Unknown key "adress" (allowed: name, postalAddress, from, replyTo, unsubscribeMailbox, brand)',
      'daybreak.config.json: newsletters[0].schedule.cron: "0 25 * * *" is not a valid cron pattern: the hour field "25" is not an hour (0–23, ranges, lists and steps such as */15)',
      'daybreak.config.json: newsletters[0].schedule.timezone: Unknown IANA timezone "Europe/Pari" (use a name like "America/New_York")',
      'daybreak.config.json: delivery: Unknown key "retrys" (allowed: maxConnections, ratePerSecond, connectionTimeoutMs, greetingTimeoutMs, socketTimeoutMs, retries, retryBaseMs, maxPolicyErrors, maxInFlight, leaseSeconds, maxSpamScore, dkim)',
    ]);
  });

  it('reports cron and localTime together, and a duplicate newsletter id, beside problems in the same schedule and entries', () => {
    expect(
      configProblems({
        newsletters: [
          newsletter({ schedule: { cron: '0 6 * * *', localTime: '06:00', timezone: 'Europe/Pari' } }),
          newsletter({ locale: 'not a locale!' }),
        ],
      }),
    ).toEqual([
      'daybreak.config.json: newsletters[0].schedule.timezone: Unknown IANA timezone "Europe/Pari" (use a name like "America/New_York")',
      'daybreak.config.json: newsletters[0].schedule.localTime: Use either schedule.cron or schedule.localTime, not both',
      'daybreak.config.json: newsletters[1].locale: Invalid locale "not a locale!": expected a BCP 47 language tag like "en-US"',
      'daybreak.config.json: newsletters[1].id: Duplicate newsletter id "morning"',
    ]);
  });

  it('rejects an empty include list, which would skip every edition', () => {
    expect(configProblems({ newsletters: [newsletter({ include: { tags: [] } })] })).toEqual([
      'daybreak.config.json: newsletters[0].include.tags: Must have at least 1 item',
    ]);
  });

  it('rejects a locale that is not a BCP 47 tag, and accepts one that is', () => {
    expect(configProblems({ newsletters: [newsletter({ locale: 'en_US' })] })).toEqual([
      'daybreak.config.json: newsletters[0].locale: Invalid locale "en_US": expected a BCP 47 language tag like "en-US"',
    ]);
    expect(configProblems({ newsletters: [newsletter({ locale: 'fr-CA' })] })).toEqual([]);
  });

  it('rejects two newsletters with the same id, pointing at the second', () => {
    expect(configProblems({ newsletters: [newsletter(), newsletter({ name: 'Another' })] })).toEqual([
      'daybreak.config.json: newsletters[1].id: Duplicate newsletter id "morning"',
    ]);
  });

  it('rejects an empty newsletter list and a baseUrl that is not http(s)', () => {
    expect(configProblems({ newsletters: [] })).toEqual(['daybreak.config.json: newsletters: Must have at least 1 item']);
    expect(configProblems({ baseUrl: 'localhost:3000' })).toEqual(['daybreak.config.json: baseUrl: Invalid URL: expected an absolute http(s) URL']);
    expect(configProblems({ baseUrl: 3000 })).toEqual(['daybreak.config.json: baseUrl: Expected a string, got the number 3000']);
  });

  it('reports every problem at once', () => {
    expect(configProblems({ web: { port: '3000' }, delivery: { retries: -1 }, extra: true }).sort()).toEqual([
      'daybreak.config.json: Unknown key "extra" (allowed: $schema, database, dataDir, baseUrl, publisher, newsletters, delivery, web, inbound, webhooks, sources)',
      'daybreak.config.json: delivery.retries: Must be at least 0, got the number -1',
      'daybreak.config.json: web.port: Expected a number, got the string "3000"',
    ]);
  });

  it('names the file and the position of a config that is not JSON', () => {
    expect(configProblems('{\n  "baseUrl": "http://localhost:3000",\n}\n')).toEqual([
      'daybreak.config.json: not valid JSON at line 3, column 1: Expected double-quoted property name',
    ]);
  });

  it('reads a config file with a syntax error through loadConfig as an ECONFIG error', () => {
    const data = tempData({ 'my.json': '{ "web": { "port": 3000 }' });
    cleanups.push(data.cleanup);
    const file = join(data.dir, 'my.json');
    writeFileSync(file, '{ "web": { "port": 3000 }');
    expect(() => loadConfig({ file })).toThrow(`${file}: not valid JSON at line 1, column 26`);
  });

  it('fills a source\'s limits and defaults, and reports a Ghost source without its key, a duplicate id and a bad timezone', () => {
    const config = ConfigSchema.parse({ sources: [{ id: 'ledger', url: 'https://ledger.example/feed/' }] });
    expect(config.sources).toEqual([
      {
        id: 'ledger',
        url: 'https://ledger.example/feed/',
        every: '15m',
        kickerFrom: 'source',
        sectionFrom: 'source',
        headers: {},
        maxBytes: 10 * 1024 * 1024,
        timeoutMs: 30_000,
        maxRedirects: 5,
        maxItems: 50,
      },
    ]);
    expect(ConfigSchema.parse({}).sources).toEqual([]);
    expect(
      configProblems({
        sources: [
          { id: 'letters', type: 'ghost', url: 'https://letters.example' },
          { id: 'letters', type: 'rss', url: 'https://letters.example/rss', timezone: 'Mars/Olympus', every: '0s' },
        ],
      }),
    ).toEqual([
      'daybreak.config.json: sources[0].apiKey: A Ghost source needs its Content API key in "apiKey"',
      'daybreak.config.json: sources[1].every: Must be at least 1s',
      'daybreak.config.json: sources[1].timezone: Unknown IANA timezone "Mars/Olympus" (use a name like "America/New_York")',
      // In the same run as the problems inside the entries, not after they are fixed.
      'daybreak.config.json: sources[1].id: Duplicate source id "letters"',
    ]);
    expect(configProblems({ sources: [{ id: 'a', url: 'https://a.example/' }, { id: 'a', url: 'https://b.example/' }] })).toEqual([
      'daybreak.config.json: sources[1].id: Duplicate source id "a"',
    ]);
  });

  it('parses the same defaults through ConfigSchema directly', () => {
    expect(ConfigSchema.parse({}).newsletters[0]!.id).toBe('morning');
  });
});

describe('config: inbound mail and the gate', () => {
  it('reads inbound with its defaults, lower-cases the domain, and defaults delivery.maxSpamScore to 2.0', () => {
    const config = parseConfig('daybreak.config.json', JSON.stringify({ inbound: { domain: 'Bounces.News.Example' } }));
    expect(config.inbound).toEqual({ domain: 'bounces.news.example', port: 2525, host: '127.0.0.1', softBounceLimit: 3, retentionDays: 90, maxMessageBytes: 2_000_000 });
    expect(config.delivery.maxSpamScore).toBe(2);
    expect(parseConfig('daybreak.config.json', '{}').inbound).toBeUndefined();
  });

  it('names a bad inbound domain and a bad soft-bounce limit', () => {
    const problem = (value: unknown) => {
      try {
        parseConfig('daybreak.config.json', JSON.stringify(value));
        return null;
      } catch (error) {
        return (error as DaybreakError).message;
      }
    };
    expect(problem({ inbound: { domain: 'not a domain' } })).toContain('inbound.domain: Expected a domain name such as bounces.news.example');
    expect(problem({ inbound: { domain: 'b.example', softBounceLimit: 0 } })).toContain('inbound.softBounceLimit');
    expect(problem({ webhooks: { mailgun: {} } })).toContain('webhooks.mailgun.signingKey');
  });

  it('refuses an inbound.retentionDays shorter than the soft-bounce window, naming both keys, or longer than a hundred years, and takes one in between', () => {
    const problem = (retentionDays: unknown) => {
      try {
        parseConfig('daybreak.config.json', JSON.stringify({ inbound: { domain: 'b.example', retentionDays } }));
        return null;
      } catch (error) {
        return (error as DaybreakError).message;
      }
    };
    expect(problem(7)).toBe(
      'daybreak.config.json: inbound.retentionDays: Must be at least 30, got 7: inbound.softBounceLimit counts the soft bounces kept over the last 30 days, so inbound.retentionDays may not delete them sooner',
    );
    expect(problem(0)).toContain('inbound.retentionDays: Must be at least 30, got 0');
    expect(problem(45.5)).toBe('daybreak.config.json: inbound.retentionDays: Expected a whole number, got the number 45.5');
    expect(problem(30)).toBeNull();
    expect(problem(36_500)).toBeNull();
    expect(problem(1e9)).toBe('daybreak.config.json: inbound.retentionDays: Must be at most 36500 (a hundred years), got 1000000000');
    expect(parseConfig('daybreak.config.json', JSON.stringify({ inbound: { domain: 'b.example', retentionDays: 365 } })).inbound!.retentionDays).toBe(365);
  });

  it('reads inbound.imap with the INBOX and Daybreak/Processed defaults', () => {
    const config = parseConfig('daybreak.config.json', JSON.stringify({ inbound: { domain: 'b.example', imap: { url: 'imaps://bounces%40b.example:p%3Ass@imap.example.com' } } }));
    expect(config.inbound!.imap).toEqual({ url: 'imaps://bounces%40b.example:p%3Ass@imap.example.com', mailbox: 'INBOX', processedMailbox: 'Daybreak/Processed' });
    const custom = parseConfig('daybreak.config.json', JSON.stringify({ inbound: { domain: 'b.example', imap: { url: 'imap://u:p@127.0.0.1:1143', mailbox: 'Bounces', processedMailbox: 'Bounces/Done' } } }));
    expect(custom.inbound!.imap).toMatchObject({ mailbox: 'Bounces', processedMailbox: 'Bounces/Done' });
  });

  it('names what is wrong with inbound.imap: the URL, its user and password, the mailboxes', () => {
    const problem = (imap: unknown) => {
      try {
        parseConfig('daybreak.config.json', JSON.stringify({ inbound: { domain: 'b.example', imap } }));
        return null;
      } catch (error) {
        return (error as DaybreakError).message;
      }
    };
    expect(problem({})).toContain('inbound.imap.url');
    expect(problem({ url: 'not a url' })).toContain('inbound.imap.url: Expected an IMAP URL such as imaps://user:password@imap.example.com:993');
    expect(problem({ url: 'https://u:p@imap.example.com' })).toContain('inbound.imap.url: Expected imaps:// (TLS, port 993) or imap:// (STARTTLS, port 143), not https://');
    expect(problem({ url: 'imaps://imap.example.com' })).toContain('inbound.imap.url: Names no user');
    expect(problem({ url: 'imaps://bounces@imap.example.com' })).toContain('inbound.imap.url: Names no password');
    expect(problem({ url: 'imaps://u:p@imap.example.com/Bounces' })).toContain('inbound.imap.url: Give the mailbox as inbound.imap.mailbox, not in the URL');
    expect(problem({ url: 'imaps://u:p%zz@imap.example.com' })).toContain('inbound.imap.url: The user or password has a malformed %-escape');
    expect(problem({ url: 'imaps://u:p@imap.example.com', mailbox: '' })).toContain('inbound.imap.mailbox');
    expect(problem({ url: 'imaps://u:p@imap.example.com', processedMailbox: 'Daybreak//Done' })).toContain('inbound.imap.processedMailbox: Expected a mailbox name');
    expect(problem({ url: 'imaps://u:p@imap.example.com', processedMailbox: 'inbox' })).toContain('inbound.imap.processedMailbox: Must differ from mailbox');
    expect(problem({ url: 'imaps://u:p@imap.example.com', folder: 'X' })).toContain('folder');
    expect(problem({ url: 'imaps://u:p@imap.example.com' })).toBeNull();
  });
});
