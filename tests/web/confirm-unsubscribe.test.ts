import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIRM_TOKEN_TTL_MS } from '../../src/audience/index.ts';
import { form, harness, linkTo, parse, type Harness } from './setup.ts';

let h: Harness;
let clock: Date;
beforeEach(async () => {
  clock = new Date('2026-11-30T12:00:00Z');
  h = await harness({ now: () => clock });
});
afterEach(() => h.close());

const statuses = (h: Harness) =>
  h.db.prepare('SELECT newsletter, status FROM subscriptions ORDER BY newsletter').all() as { newsletter: string; status: string }[];

async function signUpAndGetConfirmLink(email = 'ann@example.com', newsletters = ['morning']): Promise<string> {
  const res = await h.app.request('/subscribe', form({ email, newsletters }));
  expect(res.status).toBe(200);
  await h.settle();
  const mail = await parse(h.sink.messagesTo(email).at(-1)!);
  const url = new URL(linkTo(mail.text!, '/confirm'));
  return url.pathname + url.search;
}

const tokenOf = (link: string) => new URL(link, 'http://x').searchParams.get('token')!;

describe('confirm', () => {
  it('names a single newsletter once, with its cadence, on the confirmed page', async () => {
    const link = await signUpAndGetConfirmLink('solo@example.com', ['morning']);
    const done = await (await h.app.request('/confirm', form({ token: tokenOf(link) }))).text();
    expect(done).toMatch(/You'll receive <strong>The Morning Briefing<\/strong>, every [^<]+\.<\/p>/);
    expect(done).not.toContain('<li>');
  });

  it('GET shows one button and changes nothing; POST confirms and sends the welcome mail', async () => {
    const link = await signUpAndGetConfirmLink('ann@example.com', ['morning', 'good-news']);
    for (let i = 0; i < 3; i++) {
      const page = await h.app.request(link);
      expect(page.status).toBe(200);
      const body = await page.text();
      expect(body.match(/<button/g)).toHaveLength(1);
      expect(body).toContain('The Morning Briefing and The Good News Weekly');
    }
    expect(statuses(h)).toEqual([{ newsletter: 'good-news', status: 'pending' }, { newsletter: 'morning', status: 'pending' }]);
    const res = await h.app.request('/confirm', form({ token: tokenOf(link) }));
    expect(res.status).toBe(200);
    const done = await res.text();
    expect(done).toContain("You're subscribed");
    // Two newsletters: each on its own line with its cadence.
    expect(done.match(/<li>/g)).toHaveLength(2);
    expect(statuses(h)).toEqual([{ newsletter: 'good-news', status: 'confirmed' }, { newsletter: 'morning', status: 'confirmed' }]);
    await h.settle();
    const welcome = await parse(h.sink.messagesTo('ann@example.com').at(-1)!);
    expect(welcome.subject).toMatch(/Welcome/i);
    expect(linkTo(welcome.text!, '/unsubscribe')).toContain('http://daybreak.test/unsubscribe?token=');
  });

  it('works once: a second POST of the same token gets the invalid-link page', async () => {
    const link = await signUpAndGetConfirmLink();
    expect((await h.app.request('/confirm', form({ token: tokenOf(link) }))).status).toBe(200);
    const again = await h.app.request('/confirm', form({ token: tokenOf(link) }));
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('This link has expired or is invalid');
    expect((await h.app.request(link)).status).toBe(400);
    await h.settle();
    expect(h.sink.messages).toHaveLength(2); // confirmation + one welcome
  });

  it('refuses every other spelling of a used confirm link, so it cannot re-subscribe a reader who left', async () => {
    const link = await signUpAndGetConfirmLink('ann@example.com', ['morning']);
    const token = tokenOf(link);
    const sig = token.slice(token.lastIndexOf('.') + 1);
    const bytes = Buffer.from(sig, 'base64url');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelt = [...alphabet]
      .map((c) => sig.slice(0, -1) + c)
      .filter((s) => s !== sig && Buffer.from(s, 'base64url').equals(bytes))
      .map((s) => token.slice(0, token.lastIndexOf('.') + 1) + s);
    expect(respelt).toHaveLength(3);
    expect((await h.app.request('/confirm', form({ token }))).status).toBe(200);
    const id = (await h.app.audience.store.findByEmail('ann@example.com'))!.id;
    for (const other of respelt) {
      // The reader leaves; a replayed spelling of the old confirm link must not bring them back.
      await h.app.request(`/unsubscribe?token=${h.tokens.unsubscribeToken(id, 'morning')}`, form({ 'List-Unsubscribe': 'One-Click' }));
      expect((await h.app.request('/confirm', form({ token: other }))).status).toBe(400);
      expect((await h.app.request(`/confirm?token=${other}`)).status).toBe(400);
      expect(statuses(h)).toEqual([{ newsletter: 'morning', status: 'unsubscribed' }]);
    }
  });

  it('refuses an expired token after 7 days and changes nothing', async () => {
    const link = await signUpAndGetConfirmLink();
    clock = new Date(clock.getTime() + CONFIRM_TOKEN_TTL_MS + 1000);
    expect((await h.app.request(link)).status).toBe(400);
    const res = await h.app.request('/confirm', form({ token: tokenOf(link) }));
    expect(res.status).toBe(400);
    expect(statuses(h)).toEqual([{ newsletter: 'morning', status: 'pending' }]);
  });

  it('gives tampered tokens and purpose mix-ups the same 4xx page and changes nothing', async () => {
    const link = await signUpAndGetConfirmLink();
    const token = tokenOf(link);
    const id = (await h.app.audience.store.findByEmail('ann@example.com'))!.id;
    const tampered = token.slice(0, -3) + (token.endsWith('AAA') ? 'BBB' : 'AAA');
    const unsubscribeToken = h.tokens.unsubscribeToken(id, 'morning');
    const pages: string[] = [];
    for (const [method, path, init] of [
      ['POST', '/confirm', form({ token: tampered })],
      ['POST', '/confirm', form({ token: unsubscribeToken })],
      ['POST', '/confirm', form({})],
      ['GET', `/confirm?token=${unsubscribeToken}`, undefined],
      ['GET', '/confirm?token=garbage', undefined],
      ['POST', `/unsubscribe?token=${token}`, form({ 'List-Unsubscribe': 'One-Click' })],
      ['GET', `/unsubscribe?token=${token}`, undefined],
      ['GET', `/unsubscribe?token=${unsubscribeToken.slice(0, -1)}`, undefined],
    ] as const) {
      const res = await h.app.request(path, init ?? { method });
      expect(res.status, `${method} ${path}`).toBe(400);
      const body = await res.text();
      expect(body).toContain('This link has expired or is invalid');
      expect(body).toContain('href="/"');
      pages.push(body);
    }
    expect(new Set(pages).size).toBe(1);
    expect(statuses(h)).toEqual([{ newsletter: 'morning', status: 'pending' }]);
  });
});

describe('unsubscribe', () => {
  async function confirmedReader(email = 'ann@example.com', newsletters = ['morning', 'good-news']) {
    const { id } = (await h.app.audience.store.add({ email, name: 'Ann', newsletters, confirmed: true, source: 'cli' }, clock));
    return id;
  }

  it('GET shows the newsletter and buttons, including "unsubscribe from everything", and changes nothing', async () => {
    const id = await confirmedReader();
    const res = await h.app.request(`/unsubscribe?token=${h.tokens.unsubscribeToken(id, 'morning')}`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('The Morning Briefing');
    expect(body).toContain('Unsubscribe from everything');
    expect(body).toContain(`action="/unsubscribe?token=${h.tokens.unsubscribeToken(id, '*')}"`);
    expect(statuses(h).map((s) => s.status)).toEqual(['confirmed', 'confirmed']);
  });

  it('handles an RFC 8058 one-click POST (form-encoded): 200, no redirect, no cookie needed, idempotent', async () => {
    const id = await confirmedReader();
    const url = `/unsubscribe?token=${h.tokens.unsubscribeToken(id, 'morning')}`;
    for (let i = 0; i < 2; i++) {
      const res = await h.app.request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      expect(res.status).toBe(200);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(await res.text()).toContain("You're unsubscribed");
    }
    expect(statuses(h)).toEqual([{ newsletter: 'good-news', status: 'confirmed' }, { newsletter: 'morning', status: 'unsubscribed' }]);
    await h.settle();
    // The reader's mail client asked for no more mail: nothing more is sent, not even a goodbye.
    expect(h.sink.messagesTo('ann@example.com')).toHaveLength(0);
    const outbox = h.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'unsubscribed'").get() as { n: number };
    expect(outbox.n).toBe(0);
  });

  it('confirms a page unsubscribe (the button) with one mail that has a way back, not one per POST', async () => {
    const id = await confirmedReader();
    const url = `/unsubscribe?token=${h.tokens.unsubscribeToken(id, 'morning')}`;
    for (let i = 0; i < 2; i++) expect((await h.app.request(url, { method: 'POST' })).status).toBe(200);
    await h.settle();
    const mails = h.sink.messagesTo('ann@example.com');
    expect(mails).toHaveLength(1);
    const mail = await parse(mails[0]!);
    expect(mail.subject).toMatch(/unsubscribed/i);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    const back = new URL(linkTo(mail.text!, '/confirm'));
    const resubscribe = await h.app.request('/confirm', form({ token: back.searchParams.get('token')! }));
    expect(resubscribe.status).toBe(200);
    expect(statuses(h)).toEqual([{ newsletter: 'good-news', status: 'confirmed' }, { newsletter: 'morning', status: 'confirmed' }]);
  });

  it('handles the one-click POST as multipart/form-data too', async () => {
    const id = await confirmedReader();
    const body = new FormData();
    body.set('List-Unsubscribe', 'One-Click');
    const res = await h.app.request(`/unsubscribe?token=${h.tokens.unsubscribeToken(id, 'good-news')}`, { method: 'POST', body });
    expect(res.status).toBe(200);
    expect(statuses(h)).toEqual([{ newsletter: 'good-news', status: 'unsubscribed' }, { newsletter: 'morning', status: 'confirmed' }]);
  });

  it('never lets an odd content type or an empty body stop an opt-out', async () => {
    const id = await confirmedReader();
    const plain = await h.app.request(`/unsubscribe?token=${h.tokens.unsubscribeToken(id, 'morning')}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'List-Unsubscribe=One-Click' });
    expect(plain.status).toBe(200);
    const bare = await h.app.request(`/unsubscribe?token=${h.tokens.unsubscribeToken(id, 'good-news')}`, { method: 'POST' });
    expect(bare.status).toBe(200);
    expect(statuses(h).map((s) => s.status)).toEqual(['unsubscribed', 'unsubscribed']);
  });

  it('unsubscribes from everything with the "*" token, and still works years later', async () => {
    const id = await confirmedReader();
    clock = new Date('2036-01-01T00:00:00Z');
    const res = await h.app.request(`/unsubscribe?token=${h.tokens.unsubscribeToken(id, '*')}`, form({}));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('any of our newsletters');
    expect(statuses(h).map((s) => s.status)).toEqual(['unsubscribed', 'unsubscribed']);
  });

  it('answers 200 for a person since removed, and changes nothing', async () => {
    const id = await confirmedReader();
    (await h.app.audience.store.remove('ann@example.com'));
    const res = await h.app.request(`/unsubscribe?token=${h.tokens.unsubscribeToken(id, 'morning')}`, form({ 'List-Unsubscribe': 'One-Click' }));
    expect(res.status).toBe(200);
    await h.settle();
    expect(h.sink.messages).toHaveLength(0);
  });
});
