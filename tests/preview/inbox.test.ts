import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverToMaildir } from '../../src/delivery/index.ts';
import { previewHarness, type PreviewHarness } from './setup.ts';

let h: PreviewHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

function eml(options: { to: string; subject: string; date: string; html?: string; text: string }): string {
  const boundary = 'b1';
  return [
    'From: The Daybreak Post <briefing@daybreak.example>',
    `To: ${options.to}`,
    `Subject: ${options.subject}`,
    `Date: ${options.date}`,
    'Message-ID: <m1@daybreak.example>',
    'List-Unsubscribe: <https://daybreak.example/unsubscribe?token=t>',
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    options.text,
    ...(options.html ? [`--${boundary}`, 'Content-Type: text/html; charset=utf-8', '', options.html] : []),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/** Delivers a message and sets its file time, which orders the list. */
async function deliver(maildir: string, message: string, mtime: Date): Promise<string> {
  const id = await deliverToMaildir(maildir, message);
  utimesSync(join(maildir, 'new', id), mtime, mtime);
  return id;
}

describe('/inbox (the local mail server\'s Maildir)', () => {
  it('lists the messages newest first with time, recipient and subject', async () => {
    h = previewHarness();
    const maildir = join(h.varDir, 'mail');
    const older = await deliver(maildir, eml({ to: 'ada@example.com', subject: 'Older <one>', date: 'Sun, 29 Nov 2026 06:00:00 -0500', text: 'a' }), new Date('2026-11-29T11:00:00Z'));
    const newer = await deliver(maildir, eml({ to: 'bob@example.com', subject: 'Newer & better', date: 'Mon, 30 Nov 2026 06:00:00 -0500', text: 'b' }), new Date('2026-11-30T11:00:00Z'));

    const page = await h.app.request('/inbox');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html.indexOf('Newer &amp; better')).toBeGreaterThan(0);
    expect(html.indexOf('Newer &amp; better')).toBeLessThan(html.indexOf('Older &lt;one&gt;'));
    expect(html).toContain('bob@example.com');
    expect(html).toContain('2026-11-30 11:00:00 UTC');
    expect(html).toContain(`href="/inbox/${newer}"`);
    expect(html).toContain('2 messages');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");

    const listing = await (await h.app.request('/inbox?format=json')).json();
    expect(listing.messages.map((m: { id: string }) => m.id)).toEqual([newer, older]);
    expect(listing.messages[0]).toMatchObject({ to: 'bob@example.com', subject: 'Newer & better', date: '2026-11-30T11:00:00.000Z' });
  });

  it('links every page back to a mailbox that answers: /inbox/ and the back links from a message lead to the list', async () => {
    h = previewHarness();
    const id = await deliverToMaildir(join(h.varDir, 'mail'), eml({ to: 'ada@example.com', subject: 'Round trip', date: 'Mon, 30 Nov 2026 06:00:00 -0500', text: 'x' }));
    const slash = await h.app.request('/inbox/');
    expect(slash.status).toBe(200);
    expect(await slash.text()).toContain(`href="/inbox/${id}"`);
    const message = await (await h.app.request(`/inbox/${id}`)).text();
    const back = /<a href="([^"]+)">← Mailbox<\/a>/.exec(message)?.[1];
    expect(back).toBe('/inbox/');
    // Followed as a browser would, from the message's own URL.
    const target = new URL(back!, `http://localhost/inbox/${id}`);
    const listed = await h.app.request(target.pathname);
    expect(listed.status).toBe(200);
    expect(await listed.text()).toContain('Round trip');
    const missing = await (await h.app.request('/inbox/no-such-message')).text();
    const backFromMissing = /<a href="([^"]+)">Back to the mailbox<\/a>/.exec(missing)?.[1];
    expect((await h.app.request(new URL(backFromMissing!, 'http://localhost/inbox/no-such-message').pathname)).status).toBe(200);
  });

  it('shows one message with its HTML in a sandboxed frame, its text and its raw source', async () => {
    h = previewHarness();
    const maildir = join(h.varDir, 'mail');
    const id = await deliverToMaildir(
      maildir,
      eml({ to: 'ada@example.com', subject: 'Hello', date: 'Mon, 30 Nov 2026 06:00:00 -0500', html: '<p>Rich <b>body</b></p><script>alert(1)</script>', text: 'Plain body' }),
    );
    const page = await h.app.request(`/inbox/${id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<h1>Hello</h1>');
    expect(html).toMatch(/<iframe class="email" title="HTML part" sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox" src="[^"]+\/html">/);
    expect(html).toContain('Plain body');
    expect(html).toContain('List-Unsubscribe');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;'); // the raw source, escaped
    const part = await h.app.request(`/inbox/${id}/html`);
    expect(await part.text()).toContain('<p>Rich <b>body</b></p>');
    expect(part.headers.get('content-security-policy')).toMatch(/^sandbox /);
    expect(part.headers.get('content-security-policy')).not.toContain('allow-scripts');
    expect(part.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const raw = await h.app.request(`/inbox/${id}/raw`);
    expect(raw.headers.get('content-type')).toContain('text/plain');
    expect(await raw.text()).toContain('Subject: Hello');
  });

  it('answers 404 for an unknown id or one that tries to leave the Maildir', async () => {
    h = previewHarness();
    expect((await h.app.request('/inbox/nope.eml')).status).toBe(404);
    expect((await h.app.request('/inbox/..%2F..%2Fdaybreak.config.json')).status).toBe(404);
    expect((await h.app.request('/inbox/..%2F..%2Fdaybreak.config.json/raw')).status).toBe(404);
  });

  it('says the mailbox is empty before anything is sent', async () => {
    h = previewHarness();
    const html = await (await h.app.request('/inbox')).text();
    expect(html).toContain('No messages yet');
  });

  it('answers 404 with an explanation when mail goes to SMTP_URL instead of the local mail server', async () => {
    h = previewHarness({ env: { SMTP_URL: 'smtp://mail.example.com:587' } });
    const page = await h.app.request('/inbox');
    expect(page.status).toBe(404);
    const html = await page.text();
    expect(html).toContain('No local mailbox');
    expect(html).toContain('smtp://mail.example.com:587');
    expect(html).toContain('SMTP_URL');
    const sidebar = await (await h.app.request('/preview/api/sidebar')).json();
    expect(sidebar.mailbox).toEqual({ local: false, url: '/inbox', describe: 'smtp://mail.example.com:587' });
  });

  it('shows a test sent from the preview, through the real local mail server', async () => {
    h = previewHarness();
    const sent = await h.app.request('/preview/api/send-test', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: 'editor@example.com', newsletter: 'good-news', date: '2026-11-29', template: 'briefing' }),
    });
    expect(sent.status).toBe(200);
    const listing = await (await h.app.request('/inbox?format=json')).json();
    expect(listing.messages).toHaveLength(1);
    expect(listing.messages[0].subject).toMatch(/^\[Test\] The Good News Weekly: /);
    const page = await (await h.app.request(`/inbox/${listing.messages[0].id}`)).text();
    expect(page).toContain('Good morning, Ana.');
  });
});
