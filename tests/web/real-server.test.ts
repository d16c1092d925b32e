import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/web/index.ts';
import { countRows, harness, type Harness } from './setup.ts';

// The same checks as through app.request(), on the real @hono/node-server socket path (the body is read
// from Node's stream there).
let h: Harness;
let server: RunningServer;
beforeAll(async () => {
  h = await harness({ signupRatePerMinute: 1000 });
  server = await startServer(h.app, { port: 0 });
});
afterAll(async () => {
  await server.close();
  await h.close();
});

function post(path: string, body: Buffer | string, headers: Record<string, string>, chunked = false): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}${path}`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    if (chunked) {
      const data = Buffer.from(body);
      for (let i = 0; i < data.length; i += 1024) req.write(data.subarray(i, i + 1024));
      req.end();
    } else {
      req.end(body);
    }
  });
}

describe('the real server', () => {
  it('takes a JSON sign-up and a form sign-up', async () => {
    const viaJson = await post('/subscribe', JSON.stringify({ email: 'real@example.com' }), { 'content-type': 'application/json' });
    expect(viaJson).toMatchObject({ status: 200, body: '{"ok":true}' });
    const viaForm = await post('/subscribe', 'email=real2%40example.com&name=Zo%C3%AB', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(viaForm.status).toBe(200);
    expect(viaForm.body).toContain('Check your inbox');
    expect((await h.app.audience.store.findByEmail('real2@example.com'))!.name).toBe('Zoë');
  });

  it('refuses bodies over 16 KB, declared or chunked, with 413, and bad UTF-8 and content types too', async () => {
    const before = countRows(h.db, 'subscribers');
    const big = `email=big%40example.com&name=${'x'.repeat(17 * 1024)}`;
    expect((await post('/subscribe', big, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(413);
    expect((await post('/subscribe', big, { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' }, true)).status).toBe(413);
    const huge = await post('/subscribe', `email=huge%40example.com&name=${'y'.repeat(2 * 1024 * 1024)}`, { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' }, true);
    expect(huge.status).toBe(413);
    expect(huge.body).toContain('too large');
    const badUtf8 = await post('/subscribe', Buffer.from([0x7b, 0x22, 0x65, 0x6d, 0x61, 0x69, 0x6c, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), { 'content-type': 'application/json' });
    expect(badUtf8.status).toBe(400);
    expect(badUtf8.body).toContain('UTF-8');
    expect((await post('/subscribe', 'email=a@example.com', { 'content-type': 'text/csv' })).status).toBe(415);
    expect(countRows(h.db, 'subscribers')).toBe(before);
  });

  it('sends the security headers on the wire', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('sign-ups over the real server', () => {
  it('stores every acknowledged sign-up of a burst and sends each confirmation from the outbox', async () => {
    const t = await harness({ signupRatePerMinute: 1000 });
    const s = await startServer(t.app, { port: 0 });
    try {
      const emails = Array.from({ length: 25 }, (_, i) => `burst${i}@example.com`);
      const answers = await Promise.all(
        emails.map((email) => fetch(`${s.url}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) }).then((r) => r.json())),
      );
      expect(answers.every((a) => a.ok === true)).toBe(true);
      for (const email of emails) expect((await t.app.audience.store.findByEmail(email))?.subscriptions).toEqual([{ newsletter: 'morning', status: 'pending', sections: null }]);
      expect(t.app.audience.stats.signUps).toBe(25);
      await t.settle();
      await t.sink.waitForMessages(25);
      expect(new Set(t.sink.messages.map((m) => m.to[0])).size).toBe(25);
      expect(countRows(t.db, 'outbox')).toBe(25);
      expect(t.db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE state = 'sent'`).get()).toEqual({ n: 25 });
    } finally {
      await s.close();
      await t.close();
    }
  }, 60_000);
});
