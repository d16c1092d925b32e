import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countRows, form, harness, json, linkTo, parse, testConfig, type Harness } from './setup.ts';

const config = () =>
  testConfig({
    newsletters: [
      { id: 'morning', name: 'The Morning Briefing', schedule: { localTime: '06:00', timezone: 'America/New_York' }, readerChoices: { sections: ['Politics', 'Business', 'Science'] } },
      { id: 'good-news', name: 'The Good News Weekly', schedule: { cron: '0 8 * * 0', timezone: 'America/New_York' } },
    ],
  });

let h: Harness;
beforeEach(async () => {
  h = await harness({ config: config() });
});
afterEach(() => h.close());

async function reader(email = 'ann@example.com', newsletters = ['morning']): Promise<{ id: number; token: string }> {
  const { id } = await h.store.subscribers.add({ email, name: 'Ann', newsletters, confirmed: true, source: 'test' }, new Date());
  return { id, token: h.tokens.manageToken(id) };
}

const state = (h: Harness, id: number) =>
  h.db.prepare('SELECT newsletter, status, sections FROM subscriptions WHERE subscriber_id = ? ORDER BY newsletter').all(id);
const person = (h: Harness, id: number) => h.db.prepare('SELECT name, timezone FROM subscribers WHERE id = ?').get(id);

describe('the preference page', () => {
  it('GET shows every newsletter with a switch, the sections on offer, the name and the zone, and changes nothing', async () => {
    const { id, token } = await reader();
    const before = JSON.stringify([state(h, id), person(h, id)]);
    const res = await h.app.request(`/manage?token=${token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const page = await res.text();
    expect(page).toMatch(/<input type="checkbox" id="nl-morning" name="newsletters" value="morning" checked>/);
    expect(page).toMatch(/<input type="checkbox" id="nl-good-news" name="newsletters" value="good-news">/);
    for (const s of ['Politics', 'Business', 'Science']) expect(page).toContain(`name="sections.morning" value="${s}" checked`);
    expect(page).toContain('value="Ann"');
    expect(page).toContain('<option value="Pacific/Kiritimati">');
    expect(JSON.stringify([state(h, id), person(h, id)])).toBe(before);
  });

  it('POST applies switches, sections, name and zone at once and shows the page again with a confirmation', async () => {
    const { id, token } = await reader('cy@example.com', ['morning']);
    const res = await h.app.request('/manage', form({ token, newsletters: ['morning', 'good-news'], 'sections.morning': ['Science'], name: 'Cyrus', timezone: 'europe/london' }));
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('Your choices are saved.');
    expect(page).toContain('name="sections.morning" value="Science" checked');
    expect(page).not.toContain('name="sections.morning" value="Politics" checked');
    expect(state(h, id)).toEqual([
      { newsletter: 'good-news', status: 'confirmed', sections: null },
      { newsletter: 'morning', status: 'confirmed', sections: '["Science"]' },
    ]);
    expect(person(h, id)).toEqual({ name: 'Cyrus', timezone: 'Europe/London' });
    // Turning a newsletter on needed no confirmation mail, and nothing else was mailed either.
    await h.settle();
    expect(h.sink.messages).toHaveLength(0);
  });

  it('turning a newsletter back on needs no new confirmation', async () => {
    const { id, token } = await reader('dee@example.com', ['morning', 'good-news']);
    await h.app.request('/manage', form({ token, newsletters: ['morning'], 'sections.morning': ['Politics', 'Business', 'Science'] }));
    expect(state(h, id)).toContainEqual({ newsletter: 'good-news', status: 'unsubscribed', sections: null });
    await h.app.request('/manage', json({ token, newsletters: ['morning', 'good-news'], 'sections.morning': ['Politics', 'Business', 'Science'] }));
    expect(state(h, id)).toContainEqual({ newsletter: 'good-news', status: 'confirmed', sections: null });
    await h.settle();
    expect(h.sink.messages).toHaveLength(0);
  });

  it('turning everything off is an unsubscribe, with its one email', async () => {
    const { id, token } = await reader('eve@example.com', ['morning', 'good-news']);
    const res = await h.app.request('/manage', form({ token }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('unsubscribed from everything');
    expect(state(h, id)).toEqual([
      { newsletter: 'good-news', status: 'unsubscribed', sections: null },
      { newsletter: 'morning', status: 'unsubscribed', sections: null },
    ]);
    await h.settle();
    expect(h.sink.messagesTo('eve@example.com')).toHaveLength(1);
    const mail = await parse(h.sink.messagesTo('eve@example.com')[0]!);
    expect(mail.subject).toMatch(/unsubscribed/i);
    // The unsubscribed mail carries the reader's way back to the page.
    expect(linkTo(mail.text!, '/manage')).toContain(`/manage?token=${token}`);
  });

  it.each([
    [{ newsletters: ['morning', 'evening'] }, 'We don\'t have a newsletter called "evening".'],
    [{ newsletters: ['morning'], 'sections.morning': ['Science', 'Sports'] }, 'The Morning Briefing has no section called "Sports" (its sections: Politics, Business, Science).'],
    [{ newsletters: ['morning'], 'sections.good-news': ['Science'] }, 'The Good News Weekly has no sections to choose from.'],
    [{ newsletters: ['morning'], 'sections.weather': ['Rain'] }, 'We don\'t have a newsletter called "weather".'],
    [{ newsletters: [], timezone: 'Mars/Olympus_Mons' }, 'Unknown timezone "Mars/Olympus_Mons": expected an IANA name such as "Europe/London" or "America/New_York".'],
    [{ newsletters: [], timezone: '+05:00' }, 'Unknown timezone "+05:00": expected an IANA name such as "Europe/London" or "America/New_York".'],
  ])('answers %j with a 400 naming what is unknown, and changes nothing', async (fields, message) => {
    const { id, token } = await reader('fay@example.com', ['morning', 'good-news']);
    const before = JSON.stringify([state(h, id), person(h, id)]);
    const asForm = await h.app.request('/manage', form({ token, name: 'Changed', ...(fields as Record<string, string[]>) }));
    expect(asForm.status).toBe(400);
    const page = await asForm.text();
    expect(page).toContain(message.replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
    // The page comes back as stored, so the reader can fix the one thing.
    expect(page).toContain('Manage your subscriptions');
    const asJson = await h.app.request('/manage', json({ token, name: 'Changed', ...fields }));
    expect(asJson.status).toBe(400);
    expect(await asJson.json()).toEqual({ ok: false, error: message });
    expect(JSON.stringify([state(h, id), person(h, id)])).toBe(before);
    expect(countRows(h.db, 'outbox')).toBe(0);
  });

  it('answers a forged, a wrong-purpose and a removed reader\'s link alike', async () => {
    const { id, token } = await reader('gil@example.com');
    const answers: string[] = [];
    const unsubscribe = h.tokens.unsubscribeToken(id, 'morning');
    await h.store.subscribers.remove('gil@example.com');
    for (const t of [token, unsubscribe, `${token.slice(0, -2)}AA`, 'nonsense']) {
      const res = await h.app.request(`/manage?token=${encodeURIComponent(t)}`);
      expect(res.status).toBe(400);
      answers.push(await res.text());
      const post = await h.app.request('/manage', json({ token: t, newsletters: ['morning'] }));
      expect(post.status).toBe(400);
      answers.push(JSON.stringify(await post.json()));
    }
    expect(new Set(answers.filter((_, i) => i % 2 === 0)).size).toBe(1);
    expect(new Set(answers.filter((_, i) => i % 2 === 1)).size).toBe(1);
  });

  it('keeps the other routes\' abuse rules: content types, body size and a rate limit', async () => {
    const { token } = await reader('hal@example.com');
    const xml = await h.app.request('/manage', { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<x/>' });
    expect(xml.status).toBe(415);
    const huge = await h.app.request('/manage', form({ token, name: 'x'.repeat(20_000) }));
    expect(huge.status).toBe(413);
    const stranger = await h.app.request('/manage', json({ token, newsletters: ['morning'], colour: 'blue' }));
    expect(stranger.status).toBe(400);
    expect((await stranger.json()).error).toContain('Unknown field "colour"');
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) statuses.push((await h.app.request(`/manage?token=${token}`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const limited = await h.app.request(`/manage?token=${token}`);
    expect(limited.status).toBe(429);
    const wait = Number(limited.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    // The page says what happened and how long to wait, in the same number as Retry-After.
    const page = await limited.text();
    expect(page).toContain('Too many requests');
    expect(page).toContain(`Too many requests from your network. Please try again in ${wait} ${wait === 1 ? 'second' : 'seconds'}.`);
  });

  it('answers JSON with the stored state', async () => {
    const { token } = await reader('ivy@example.com');
    const res = await h.app.request(`/manage?token=${token}`, { headers: { accept: 'application/json' } });
    const body = await res.json();
    expect(body).toMatchObject({ ok: true, name: 'Ann', timezone: null });
    expect(body.newsletters.map((n: { id: string; on: boolean; offered: string[] | null }) => [n.id, n.on, n.offered])).toEqual([
      ['morning', true, ['Politics', 'Business', 'Science']],
      ['good-news', false, null],
    ]);
  });
});

describe('the sign-up page and the browser\'s timezone', () => {
  it('has a timezone field that a same-origin script fills, allowed by the page\'s CSP', async () => {
    const res = await h.app.request('/');
    const page = await res.text();
    expect(page).toContain('<input type="hidden" name="timezone" value="" data-browser-timezone>');
    expect(page).toContain('<script src="/assets/timezone.js" defer></script>');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const script = await h.app.request('/assets/timezone.js');
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(await script.text()).toContain('resolvedOptions().timeZone');
  });

  it('stores the zone a sign-up sends, and refuses one that is not IANA with a clear message', async () => {
    const ok = await h.app.request('/subscribe', form({ email: 'jo@example.com', newsletters: 'morning', choose: '1', timezone: 'Asia/Tokyo' }));
    expect(ok.status).toBe(200);
    expect(h.db.prepare('SELECT timezone FROM subscribers WHERE email = ?').get('jo@example.com')).toEqual({ timezone: 'Asia/Tokyo' });
    const empty = await h.app.request('/subscribe', form({ email: 'kim@example.com', newsletters: 'morning', choose: '1', timezone: '' }));
    expect(empty.status).toBe(200);
    expect(h.db.prepare('SELECT timezone FROM subscribers WHERE email = ?').get('kim@example.com')).toEqual({ timezone: null });
    const bad = await h.app.request('/subscribe', json({ email: 'lee@example.com', newsletters: ['morning'], timezone: 'Atlantis/Capital' }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toBe('Unknown timezone "Atlantis/Capital": expected an IANA name such as "Europe/London" or "America/New_York".');
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM subscribers WHERE email = ?').get('lee@example.com')).toEqual({ n: 0 });
  });

  it('puts "Manage your subscriptions" in the confirmation and welcome emails, opening the reader\'s page', async () => {
    await h.app.request('/subscribe', form({ email: 'max@example.com', newsletters: 'morning', choose: '1' }));
    await h.settle();
    const confirmation = await parse(h.sink.messagesTo('max@example.com')[0]!);
    expect(confirmation.html).toContain('Manage your subscriptions');
    const manage = linkTo(confirmation.text!, '/manage');
    const confirm = new URL(linkTo(confirmation.text!, '/confirm'));
    await h.app.request('/confirm', form({ token: confirm.searchParams.get('token')! }));
    await h.settle();
    const welcome = await parse(h.sink.messagesTo('max@example.com')[1]!);
    expect(welcome.html).toContain('Manage your subscriptions');
    expect(linkTo(welcome.text!, '/manage')).toBe(manage);
    const page = await h.app.request(new URL(manage).pathname + new URL(manage).search);
    expect(page.status).toBe(200);
  });
});
