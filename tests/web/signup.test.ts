import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countRows, form, harness, json, linkTo, parse, type Harness } from './setup.ts';

let h: Harness;
beforeEach(async () => {
  h = await harness({ signupRatePerMinute: 1000 });
});
afterEach(() => h.close());

describe('GET /', () => {
  it('shows the publisher, every newsletter with description and cadence, the first one checked, and a honeypot', async () => {
    const res = await h.app.request('/');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('The Daybreak Post');
    expect(page).toContain('The Morning Briefing');
    expect(page).toContain('The news before breakfast.');
    expect(page).toContain('Every day at 6:00 a.m. Eastern');
    expect(page).toContain('Every Sunday at 8:00 a.m. Eastern');
    expect(page).toMatch(/value="morning" checked>/);
    expect(page).not.toMatch(/value="good-news" checked>/);
    expect(page).toMatch(/<label for="email">Email address<\/label>/);
    expect(page).toMatch(/<label for="name">First name/);
    expect(page).toMatch(/<div class="hp" aria-hidden="true">[\s\S]*name="website" tabindex="-1"/);
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('name="viewport"');
    // No third-party assets, and one script of our own that only fills in the browser's timezone: the
    // form works with JavaScript off.
    expect(page).not.toMatch(/https?:\/\/(?!daybreak\.test)/);
    expect(page.match(/<script[^>]*>/g)).toEqual(['<script src="/assets/timezone.js" defer>']);
  });

  it('answers the browser\'s /favicon.ico with an empty 204 kept for a day, not a 404', async () => {
    const res = await h.app.request('/favicon.ico');
    expect(res.status).toBe(204);
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(await res.text()).toBe('');
  });

  it('sends the security headers', async () => {
    const res = await h.app.request('/');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain("style-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const css = await h.app.request('/assets/daybreak.css');
    expect(css.headers.get('content-type')).toContain('text/css');
  });
});

describe('POST /subscribe', () => {
  it('stores a form sign-up with its consent record, answers "check your inbox", and mails a confirmation without the typed name', async () => {
    const res = await h.app.request(
      '/subscribe',
      form({ email: ' Ann@Example.COM ', name: 'Zed Unique-Name', newsletters: ['morning', 'good-news'], source: 'https://news.example.com/signup' }, { 'user-agent': 'TestBrowser/1.0' }),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Check your inbox');
    const ann = (await h.app.audience.store.findByEmail('Ann@example.com'))!;
    expect(ann).toMatchObject({ name: 'Zed Unique-Name', subscriptions: [{ status: 'pending' }, { status: 'pending' }] });
    expect(ann.consent).toMatchObject({ userAgent: 'TestBrowser/1.0', source: 'https://news.example.com/signup' });
    expect(ann.consent.at).toBeTruthy();
    await h.settle();
    expect(h.sink.messages).toHaveLength(1);
    expect(h.sink.messages[0]!.to).toEqual(['Ann@example.com']);
    const mail = await parse(h.sink.messages[0]!);
    expect(mail.subject).toContain('Confirm');
    expect(linkTo(mail.text!, '/confirm')).toMatch(/^http:\/\/daybreak\.test\/confirm\?token=/);
    expect(h.sink.messages[0]!.raw).not.toContain('Zed');
    expect(h.sink.messages[0]!.raw).not.toContain('Unique-Name');
    expect(h.sink.messages[0]!.raw).not.toMatch(/confirm\?token=[^"\s]*@/);
    // Rendered once per newsletter set, then the token substituted: no placeholder survives, HTML and text agree.
    expect(h.sink.messages[0]!.raw).not.toContain('PLACEHOLDER');
    const token = new URL(linkTo(mail.text!, '/confirm')).searchParams.get('token')!;
    expect(mail.html).toContain(`/confirm?token=${token}`);
    expect((await h.tokens.verify(token, 'confirm')).newsletters.sort()).toEqual(['good-news', 'morning']);
  });

  it('answers a JSON sign-up with { ok: true } and defaults to the first newsletter', async () => {
    const res = await h.app.request('/subscribe', json({ email: 'bob@example.com' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect((await h.app.audience.store.findByEmail('bob@example.com'))!.subscriptions).toEqual([{ newsletter: 'morning', status: 'pending', sections: null }]);
  });

  it('answers known and unknown addresses with the same status and body, form and JSON alike', async () => {
    // pending, confirmed and unsubscribed people already exist
    await h.app.request('/subscribe', form({ email: 'pending@example.com', newsletters: 'morning' }));
    const c = (await h.app.audience.store.add({ email: 'confirmed@example.com', name: null, newsletters: ['morning'], confirmed: true, source: 'cli' }, new Date()));
    const u = (await h.app.audience.store.add({ email: 'gone@example.com', name: null, newsletters: ['morning'], confirmed: true, source: 'cli' }, new Date()));
    (await h.app.audience.store.unsubscribe(u.id, ['*'], new Date()));
    expect(c.created).toBe(true);
    for (const make of [(e: string) => form({ email: e, newsletters: 'morning' }), (e: string) => json({ email: e, newsletters: ['morning'] })]) {
      const answers = [];
      for (const email of ['new@example.com', 'pending@example.com', 'confirmed@example.com', 'gone@example.com']) {
        const res = await h.app.request('/subscribe', make(email));
        answers.push({ status: res.status, type: res.headers.get('content-type'), body: await res.text() });
      }
      expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
      expect(answers[0]!.status).toBe(200);
    }
  });

  it('gives a filled honeypot the normal answer and stores nothing', async () => {
    const res = await h.app.request('/subscribe', form({ email: 'bot@example.com', website: 'http://spam.test' }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Check your inbox');
    const viaJson = await h.app.request('/subscribe', json({ email: 'bot2@example.com', website: 'x' }));
    expect(await viaJson.json()).toEqual({ ok: true });
    await h.settle();
    expect(countRows(h.db, 'subscribers')).toBe(0);
    expect(h.sink.messages).toHaveLength(0);
  });

  it('gives a filled honeypot the normal answer even when the rest is invalid, so a bot learns nothing', async () => {
    const bad = { email: 'not-an-address', name: 'x'.repeat(300), newsletters: ['no-such-letter'], website: 'http://spam.test' };
    const viaForm = await h.app.request('/subscribe', form(bad));
    expect(viaForm.status).toBe(200);
    expect(await viaForm.text()).toContain('Check your inbox');
    const viaJson = await h.app.request('/subscribe', json({ ...bad, email: 42 }));
    expect(viaJson.status).toBe(200);
    expect(await viaJson.json()).toEqual({ ok: true });
    // Without the honeypot the same body is still refused.
    const { website: _website, ...human } = bad;
    expect((await h.app.request('/subscribe', form(human))).status).toBe(400);
    await h.settle();
    expect(countRows(h.db, 'subscribers')).toBe(0);
    expect(h.sink.messages).toHaveLength(0);
  });

  it('sends at most one confirmation per address per 24 hours, whatever the IP', async () => {
    h.config.web.trustProxy = true; // config is read per request for the client IP
    for (const ip of ['203.0.113.1', '203.0.113.2', '198.51.100.9']) {
      const res = await h.app.request('/subscribe', form({ email: 'target@example.com' }, { 'x-forwarded-for': ip }));
      expect(res.status).toBe(200);
    }
    await h.settle();
    expect(h.sink.messagesTo('target@example.com')).toHaveLength(1);
  });

  it('treats case variants of an address as one person: one subscriber and one confirmation mail, form and JSON alike', async () => {
    for (const variant of ['victim@example.com', 'Victim@example.com', 'vIctim@Example.COM', ' VICTIM@example.com ']) {
      const res = await h.app.request('/subscribe', form({ email: variant }));
      expect(res.status).toBe(200);
    }
    expect((await h.app.request('/subscribe', json({ email: 'ViCtIm@example.com', newsletters: ['good-news'] }))).status).toBe(200);
    await h.settle();
    expect(countRows(h.db, 'subscribers')).toBe(1);
    expect(h.sink.messages).toHaveLength(1);
    // Stored as first given (trimmed, domain lower-cased), with both sign-ups' newsletters pending.
    const person = (await h.app.audience.store.findByEmail('VICTIM@EXAMPLE.COM'))!;
    expect(person.email).toBe('victim@example.com');
    expect(person.subscriptions.map((s) => s.newsletter).sort()).toEqual(['good-news', 'morning']);
  });

  it('lands a cross-origin plain form POST on the thank-you page', async () => {
    const res = await h.app.request('/subscribe', form({ email: 'elsewhere@example.com' }, { origin: 'https://blog.example.org', referer: 'https://blog.example.org/post' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('Check your inbox');
    expect((await h.app.audience.store.findByEmail('elsewhere@example.com'))!.consent.source).toBe('https://blog.example.org');
  });
});

describe('other methods on /subscribe', () => {
  it('answers GET (and PUT, DELETE) with 405 and Allow: POST, as a page or JSON, and still answers the CORS preflight', async () => {
    const page = await h.app.request('/subscribe');
    expect(page.status).toBe(405);
    expect(page.headers.get('allow')).toBe('POST');
    const body = await page.text();
    expect(body).toContain('sign-up page');
    expect(body).toContain('<a href="/">Go to the sign-up page</a>');
    const viaJson = await h.app.request('/subscribe', { headers: { accept: 'application/json' } });
    expect(viaJson.status).toBe(405);
    expect(await viaJson.json()).toMatchObject({ ok: false });
    for (const method of ['PUT', 'DELETE']) {
      const res = await h.app.request('/subscribe', { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
    }
    const preflight = await h.app.request('/subscribe', { method: 'OPTIONS', headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(countRows(h.db, 'subscribers')).toBe(0);
  });
});

describe('bad input: 400 (413, 415) with a readable message, nothing stored', () => {
  const cases: [string, RequestInit, number, string][] = [
    ['missing email', form({ name: 'Ann' }), 400, 'Please enter your email address.'],
    ['empty email', form({ email: '' }), 400, 'Please enter your email address.'],
    ['malformed email', form({ email: 'ann@@example' }), 400, "doesn't look like an email address"],
    ['email over 254 characters', form({ email: `${'a'.repeat(64)}@${'b'.repeat(186)}.com` }), 400, 'too long'],
    ['CR/LF in the email', form({ email: 'ann@example.com\r\nBcc: victim@example.com' }), 400, 'line breaks or angle brackets'],
    ['angle brackets in the email', form({ email: '<ann@example.com>' }), 400, 'line breaks or angle brackets'],
    ['quotes in the local part', form({ email: '"ann smith"@example.com' }), 400, 'Quotation marks'],
    ['unknown newsletter', form({ email: 'ann@example.com', newsletters: ['morning', 'sports'] }), 400, 'We don\'t have a newsletter called "sports"'],
    ['no newsletter ticked on our form', form({ email: 'ann@example.com', choose: '1' }), 400, 'Choose at least one newsletter'],
    ['name over 100 characters', form({ email: 'ann@example.com', name: 'n'.repeat(101) }), 400, 'at most 100 characters'],
    ['CR/LF in the name', form({ email: 'ann@example.com', name: 'Ann\r\nX' }), 400, "can't contain line breaks"],
    ['body over 16 KB', form({ email: 'ann@example.com', name: 'x'.repeat(17 * 1024) }), 413, 'too large'],
    ['wrong content type', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'email=ann@example.com' }, 415, 'application/x-www-form-urlencoded'],
    ['no content type', { method: 'POST', body: 'email=ann@example.com' }, 415, 'application/x-www-form-urlencoded'],
    ['invalid UTF-8 in a form', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=ann%FF%FE@example.com' }, 400, 'UTF-8'],
    ['invalid UTF-8 bytes in JSON', { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from([0x7b, 0x22, 0x65, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]) }, 400, 'UTF-8'],
    ['JSON that is not an object', json(['ann@example.com']), 400, 'must be an object'],
    ['JSON null', json(null), 400, 'must be an object'],
    ['broken JSON', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' }, 400, 'not valid JSON'],
    ['email of the wrong type', json({ email: ['ann@example.com'] }), 400, 'must be text'],
    ['newsletters not a list', json({ email: 'ann@example.com', newsletters: 'morning' }), 400, 'list of newsletter ids'],
    ['another charset', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=iso-8859-1' }, body: 'email=ann@example.com' }, 415, 'UTF-8'],
  ];

  it.each(cases)('%s', async (_name, init, status, message) => {
    const res = await h.app.request('/subscribe', init);
    expect(res.status).toBe(status);
    const body = await res.text();
    expect(body).toContain(message.replace(/"/g, (init.headers as Record<string, string> | undefined)?.['content-type'] === 'application/json' ? '\\"' : '&quot;').replace(/'/g, (init.headers as Record<string, string> | undefined)?.['content-type'] === 'application/json' ? "'" : '&#39;'));
    expect(countRows(h.db, 'subscribers')).toBe(0);
    expect(countRows(h.db, 'subscriptions')).toBe(0);
  });

  it('answers JSON errors as JSON and re-shows the form with the typed values for form errors', async () => {
    const viaJson = await h.app.request('/subscribe', json({ email: 'nope' }));
    expect(viaJson.headers.get('content-type')).toContain('application/json');
    expect(await viaJson.json()).toEqual({ ok: false, error: '"nope" is missing an @. Enter an address like name@example.com.' });
    const viaForm = await h.app.request('/subscribe', form({ email: 'nope', name: 'Ann', newsletters: 'good-news', choose: '1' }));
    const page = await viaForm.text();
    expect(page).toContain('role="alert"');
    expect(page).toContain('value="nope"');
    expect(page).toContain('value="Ann"');
    expect(page).toMatch(/value="good-news" checked>/);
    expect(page).not.toMatch(/value="morning" checked>/);
  });

  it('refuses a chunked body over 16 KB that declares no length', async () => {
    const big = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
        controller.close();
      },
    });
    const res = await h.app.request('/subscribe', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: big, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
  });
});

describe('rate limits', () => {
  it('answers 429 past 5 sign-ups a minute from one IP, and counts another IP separately', async () => {
    const limited = await harness({ configOverrides: { web: { trustProxy: true } } });
    try {
      const statuses = [];
      for (let i = 0; i < 7; i++) {
        const res = await limited.app.request('/subscribe', form({ email: `p${i}@example.com` }, { 'x-forwarded-for': '198.51.100.7' }));
        statuses.push(res.status);
        if (res.status === 429) {
          const wait = Number(res.headers.get('retry-after'));
          // The window is a minute, so the wait here is always several seconds.
          expect(wait).toBeGreaterThan(1);
          const text = await res.text();
          expect(text).toContain('Too many sign-ups');
          // The page says the same wait as the Retry-After header, in words.
          expect(text).toContain(`try again in ${wait} seconds.`);
        }
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const other = await limited.app.request('/subscribe', form({ email: 'other@example.com' }, { 'x-forwarded-for': '198.51.100.7, 203.0.113.50' }));
      expect(other.status).toBe(200);
      expect(countRows(limited.db, 'subscribers')).toBe(6);
    } finally {
      await limited.close();
    }
  });

  it('counts IPv6 clients by /64: new addresses in one prefix share its allowance, another prefix has its own', async () => {
    const limited = await harness({ configOverrides: { web: { trustProxy: true } } });
    try {
      const statuses = [];
      for (let i = 0; i < 6; i++) {
        const res = await limited.app.request('/subscribe', form({ email: `v6-${i}@example.com` }, { 'x-forwarded-for': `2001:db8:1:2::${(i + 1).toString(16)}` }));
        statuses.push(res.status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      const other = await limited.app.request('/subscribe', form({ email: 'v6-other@example.com' }, { 'x-forwarded-for': '2001:db8:1:3::1' }));
      expect(other.status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('counts honeypot and invalid posts against the per-IP limit too', async () => {
    const limited = await harness({ configOverrides: { web: { trustProxy: true, signupRatePerMinute: 3 } } });
    try {
      const ip = { 'x-forwarded-for': '198.51.100.20' };
      expect((await limited.app.request('/subscribe', form({ email: 'bot@example.com', website: 'x' }, ip))).status).toBe(200);
      expect((await limited.app.request('/subscribe', form({ email: 'not-an-address' }, ip))).status).toBe(400);
      expect((await limited.app.request('/subscribe', json({ email: 'ok@example.com' }, ip))).status).toBe(200);
      const fourth = await limited.app.request('/subscribe', form({ email: 'late@example.com' }, ip));
      expect(fourth.status).toBe(429);
      expect(countRows(limited.db, 'subscribers')).toBe(1);
    } finally {
      await limited.close();
    }
  });

  it('ignores X-Forwarded-For unless web.trustProxy is set', async () => {
    const strict = await harness({ configOverrides: { web: { signupRatePerMinute: 2 } } });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        const res = await strict.app.request('/subscribe', form({ email: `q${i}@example.com` }, { 'x-forwarded-for': `203.0.113.${i}` }));
        statuses.push(res.status);
      }
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await strict.close();
    }
  });
});

describe('CORS for JSON from web.allowedOrigins', () => {
  it('answers a preflight and a JSON POST from an allowed origin with CORS headers, and not for others', async () => {
    const cors = await harness({ configOverrides: { web: { allowedOrigins: ['https://news.example.com'] } } });
    try {
      const preflight = await cors.app.request('/subscribe', {
        method: 'OPTIONS',
        headers: { origin: 'https://news.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://news.example.com');
      expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
      expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
      const post = await cors.app.request('/subscribe', json({ email: 'ann@example.com' }, { origin: 'https://news.example.com' }));
      expect(post.headers.get('access-control-allow-origin')).toBe('https://news.example.com');
      expect(await post.json()).toEqual({ ok: true });
      const refused = await cors.app.request('/subscribe', json({ email: 'nope' }, { origin: 'https://news.example.com' }));
      expect(refused.status).toBe(400);
      expect(refused.headers.get('access-control-allow-origin')).toBe('https://news.example.com');
      expect(await refused.json()).toMatchObject({ ok: false });
      const stranger = await cors.app.request('/subscribe', json({ email: 'bob@example.com' }, { origin: 'https://evil.example' }));
      expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await cors.close();
    }
  });
});

describe('GET /healthz', () => {
  it('reports the database reachable and the version, and 503 once it is not', async () => {
    const res = await h.app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, database: 'reachable', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    const broken = await harness();
    await broken.store.close();
    const down = await broken.app.request('/healthz');
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ ok: false, database: 'unreachable' });
    await broken.mailer.close();
    await broken.sink.close();
  });

  it('answers unknown paths with a 404 page', async () => {
    const res = await h.app.request('/nope');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Page not found');
  });
});
