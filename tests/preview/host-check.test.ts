import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverToMaildir, readMaildir } from '../../src/delivery/index.ts';
import { startServer } from '../../src/web/index.ts';
import { previewHarness, type PreviewHarness } from './setup.ts';

let h: PreviewHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const sendTest = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ to: 'editor@example.com', newsletter: 'morning', date: '2026-12-01', template: 'compact' }) };

/** A GET with a Host header of our choosing (fetch may not set Host; a rebinding browser does). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the preview and the mailbox refuse foreign Host headers (DNS rebinding)', () => {
  it('answers loopback names and the baseUrl host on any port, and 403 to any other host, before touching the Maildir or the mailer', async () => {
    h = previewHarness({ baseUrl: 'https://news.example.org' });
    await deliverToMaildir(join(h.varDir, 'mail'), 'Subject: confirm\r\nTo: a@example.com\r\n\r\nhttps://x/confirm?token=secret\r\n');
    for (const origin of ['http://localhost', 'http://localhost:3001', 'http://127.0.0.1:9', 'http://[::1]:3001', 'https://news.example.org', 'http://NEWS.example.org:8080']) {
      expect((await h.app.request(`${origin}/preview/`)).status, origin).toBe(200);
      expect((await h.app.request(`${origin}/inbox?format=json`)).status, origin).toBe(200);
    }
    for (const origin of ['http://attacker.example:3001', 'http://127.0.0.1.attacker.example', 'http://localhost.attacker.example', 'http://10.0.0.5:3001', 'http://[::2]:3001']) {
      for (const path of ['/preview/', '/preview/api/sidebar', '/preview/morning/2026-12-01/compact.html', '/inbox', '/inbox/', '/inbox?format=json']) {
        const res = await h.app.request(`${origin}${path}`);
        expect(res.status, `${origin}${path}`).toBe(403);
        expect(await res.text()).not.toContain('secret');
      }
      expect((await h.app.request(`${origin}/preview/api/send-test`, sendTest)).status).toBe(403);
    }
    expect(await readMaildir(join(h.varDir, 'mail'))).toHaveLength(1); // no test send went out
  });

  it('takes the baseUrl host from the config file when none is given, and checks the real Host header on a real server', async () => {
    h = previewHarness(); // the sample config's baseUrl is http://localhost:3000
    const server = await startServer(h.app, { port: 0 });
    try {
      expect((await getWithHost(`${server.url}/inbox`, `127.0.0.1:${server.port}`)).status).toBe(200);
      expect((await getWithHost(`${server.url}/preview/api/sidebar`, 'localhost')).status).toBe(200);
      const refused = await getWithHost(`${server.url}/inbox`, `rebind.attacker.example:${server.port}`);
      expect(refused.status).toBe(403);
      expect(refused.body).toContain('Forbidden');
    } finally {
      await server.close();
    }
  });
});
