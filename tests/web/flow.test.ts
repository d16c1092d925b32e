import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleEdition, isSkipped, loadConfig, loadContent, type Config } from '../../src/content/index.ts';
import { sendEdition } from '../../src/delivery/index.ts';
import { renderEdition } from '../../src/designs/index.ts';
import { startServer, type RunningServer } from '../../src/web/index.ts';
import { harness, linkTo, parse, SECRET, type Harness } from './setup.ts';

// The whole reader journey against the real HTTP server on port 0, real SMTP to a sink, real SQLite.
let h: Harness;
let server: RunningServer;
let config: Config;

beforeAll(async () => {
  config = loadConfig({ file: 'daybreak.config.json' });
  h = await harness({ config });
  server = await startServer(h.app, { port: 0 });
  config.baseUrl = server.url; // links in mail must point at this server
});
afterAll(async () => {
  await server.close();
  await h.close();
});

async function send(date: string) {
  const newsletter = config.newsletters[0]!;
  const edition = assembleEdition({ config, content: loadContent('data'), newsletterId: newsletter.id, date });
  if (isSkipped(edition)) throw new Error(`no edition on ${date}`);
  return sendEdition({
    store: h.store.sends,
    transport: h.mailer,
    config,
    newsletter,
    date,
    rendered: await renderEdition(edition, config),
    secret: SECRET,
    unsubscribeUrlFor: (id, nl) => h.tokens.unsubscribeUrl(config.baseUrl, id, nl),
  });
}

describe('the reader journey over real HTTP and SMTP', () => {
  it('signs up, confirms from the emailed link, gets the welcome, the briefing, one-click unsubscribes, and is skipped next time', async () => {
    expect(server.port).toBeGreaterThan(0);
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(config.publisher.name);

    // sign up with the form encoding a browser uses
    const signUp = await fetch(`${server.url}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'FlowTest/1' },
      body: new URLSearchParams({ email: 'reader@example.com', name: 'Rea', newsletters: 'morning', choose: '1' }).toString(),
      redirect: 'manual',
    });
    expect(signUp.status).toBe(200);
    expect(await signUp.text()).toContain('Check your inbox');
    const person = (await h.app.audience.store.findByEmail('reader@example.com'))!;
    expect(person.consent.ip).toBe('127.0.0.1');

    // the confirmation arrives; its link shows a page with one button
    await h.sink.waitForMessages(1);
    const confirmation = await parse(h.sink.messages[0]!);
    const confirmLink = linkTo(confirmation.text!, '/confirm');
    expect(confirmLink.startsWith(`${server.url}/confirm?token=`)).toBe(true);
    const confirmPage = await fetch(confirmLink);
    const confirmHtml = await confirmPage.text();
    expect(confirmPage.status).toBe(200);
    expect(confirmPage.headers.get('referrer-policy')).toBe('no-referrer');
    const token = /name="token" value="([^"]+)"/.exec(confirmHtml)![1]!;
    expect((await h.app.audience.store.findByEmail('reader@example.com'))!.subscriptions).toEqual([{ newsletter: 'morning', status: 'pending', sections: null }]);

    // pressing the button confirms; the welcome arrives
    const confirmed = await fetch(`${server.url}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain("You're subscribed");
    expect((await h.app.audience.store.findByEmail('reader@example.com'))!.subscriptions).toEqual([{ newsletter: 'morning', status: 'confirmed', sections: null }]);
    await h.sink.waitForMessages(2);
    expect((await parse(h.sink.messages[1]!)).subject).toMatch(/Welcome/i);

    // a briefing goes out; its List-Unsubscribe header carries our one-click URL
    const first = await send('2026-11-30');
    expect(first.sent).toBe(1);
    await h.sink.waitForMessages(3);
    const rawHeaders = h.sink.messages[2]!.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
    const header = /^List-Unsubscribe: (.*)$/im.exec(rawHeaders)![1]!;
    expect(/^List-Unsubscribe-Post: (.*)$/im.exec(rawHeaders)![1]).toBe('List-Unsubscribe=One-Click');
    const oneClickUrl = /<(https?:[^>]+)>/.exec(header)![1]!;
    expect(oneClickUrl.startsWith(`${server.url}/unsubscribe?token=`)).toBe(true);
    expect(oneClickUrl).not.toContain('reader');

    // what a mail provider does (RFC 8058): a bare POST, no cookies, no redirects followed
    const oneClick = await fetch(oneClickUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
      redirect: 'manual',
    });
    expect(oneClick.status).toBe(200);
    expect((await h.app.audience.store.findByEmail('reader@example.com'))!.subscriptions).toEqual([{ newsletter: 'morning', status: 'unsubscribed', sections: null }]);

    // the next edition skips them
    const next = await send('2026-12-01');
    expect(next.sent).toBe(0);
    await h.settle();
    const briefingsAfter = h.sink.messagesTo('reader@example.com').filter((m) => /List-Unsubscribe-Post/i.test(m.raw));
    expect(briefingsAfter).toHaveLength(1);

    const health = await fetch(`${server.url}/healthz`);
    expect(await health.json()).toMatchObject({ ok: true, database: 'reachable' });
  });
});
