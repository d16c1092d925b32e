import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchSources } from '../../src/sources/index.ts';
import { rssFeed } from './documents.ts';
import { serveDocument, startFeedServer, type FeedServer } from './feed-server.ts';
import { makeWorld, type World } from './setup.ts';

let server: FeedServer;
let world: World;
beforeEach(async () => {
  server = await startFeedServer();
  world = makeWorld();
});
afterEach(async () => {
  await server.close();
  world.cleanup();
});

async function fetchOne(source: Record<string, unknown>) {
  const config = world.config([{ id: 'hostile', ...source }]);
  const [report] = await fetchSources({ config, dataDir: world.dataDir });
  return report!;
}

function allWritten(): string {
  const folder = join(world.dataDir, 'articles', 'hostile');
  try {
    return readdirSync(folder).map((n) => readFileSync(join(folder, n), 'utf8')).join('\n');
  } catch {
    return '';
  }
}

describe('hostile sources', () => {
  it('reports malformed XML as a per-source error naming what is wrong', async () => {
    server.route('/feed', serveDocument('<?xml version="1.0"?><rss version="2.0"><channel><item><title>Cut off', 'application/rss+xml'));
    const report = await fetchOne({ url: `${server.url}/feed` });
    expect(report.status).toBe('failed');
    expect(report.errors[0]).toMatch(/^not a well-formed feed: /);
  });

  it('refuses an entity-expansion ("billion laughs") document at once instead of expanding it', async () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  ${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('\n  ')}
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><link>https://x.example/a</link></item></channel></rss>`;
    server.route('/feed', serveDocument(laughs, 'application/rss+xml'));
    const report = await fetchOne({ url: `${server.url}/feed` });
    expect(report).toMatchObject({ status: 'failed', new: 0 });
    expect(report.errors[0]).toMatch(/declares XML entities in its DOCTYPE; refused/);
  });

  it('never reads a local file named by an external entity (XXE)', async () => {
    const secretDir = mkdtempSync(join(tmpdir(), 'daybreak-xxe-'));
    const secret = join(secretDir, 'secret.txt');
    writeFileSync(secret, 'TOP-SECRET-MARKER');
    try {
      const xxe = `<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://${secret}">]>
<rss version="2.0"><channel><title>x</title><item><title>Leak &xxe;</title><link>https://x.example/a</link><description>&xxe;</description></item></channel></rss>`;
      server.route('/feed', serveDocument(xxe, 'application/rss+xml'));
      const report = await fetchOne({ url: `${server.url}/feed` });
      expect(report.status).toBe('failed');
      expect(JSON.stringify(report)).not.toContain('TOP-SECRET-MARKER');
      expect(allWritten()).not.toContain('TOP-SECRET-MARKER');
    } finally {
      rmSync(secretDir, { recursive: true, force: true });
    }
  });

  it('stops reading a 50 MB feed at the size limit', async () => {
    const item = '<item><title>Padding</title><link>https://x.example/p</link><description>' + 'x'.repeat(1000) + '</description></item>';
    const chunk = Buffer.from(item.repeat(1000)); // about 1 MB
    server.route('/feed', (_req, res) => {
      res.setHeader('content-type', 'application/rss+xml');
      res.write('<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>');
      let sent = 0;
      const more = () => {
        while (sent < 50) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end('</channel></rss>');
      };
      more();
    });
    const report = await fetchOne({ url: `${server.url}/feed` });
    expect(report.status).toBe('failed');
    expect(report.errors[0]).toBe('the response is over the limit of 10 MB (maxBytes)');
  });

  it('refuses a body whose Content-Length is over the limit before reading it', async () => {
    server.route('/feed', serveDocument(rssFeed(), 'application/rss+xml'));
    const report = await fetchOne({ url: `${server.url}/feed`, maxBytes: 1000 });
    expect(report.errors[0]).toMatch(/^the response is [\d.]+ KB, over the limit of 1 KB \(maxBytes\)$/);
  });

  it('counts a gzip body at its decompressed size, so a small gzip bomb is stopped too', async () => {
    const bomb = gzipSync(Buffer.alloc(30 * 1024 * 1024, 0x20)); // 30 MB of spaces, about 30 KB compressed
    server.route('/feed', (_req, res) => {
      res.setHeader('content-type', 'application/rss+xml');
      res.setHeader('content-encoding', 'gzip');
      res.end(bomb);
    });
    const report = await fetchOne({ url: `${server.url}/feed`, maxBytes: 1024 * 1024 });
    expect(report.errors[0]).toBe('the response is over the limit of 1 MB (maxBytes)');
  });

  it('reads a gzip-compressed feed', async () => {
    server.route('/feed', (req, res) => {
      expect(req.headers['accept-encoding']).toContain('gzip');
      res.setHeader('content-type', 'application/rss+xml');
      res.setHeader('content-encoding', 'gzip');
      res.end(gzipSync(rssFeed()));
    });
    expect(await fetchOne({ url: `${server.url}/feed` })).toMatchObject({ status: 'ok', new: 3 });
  });

  it('gives up on a server that trickles its answer, at the time limit', async () => {
    const timers: NodeJS.Timeout[] = [];
    server.route('/feed', (_req, res) => {
      res.setHeader('content-type', 'application/rss+xml');
      res.write('<?xml version="1.0"?><rss version="2.0"><channel>');
      timers.push(setInterval(() => res.write(' '), 50));
    });
    try {
      const report = await fetchOne({ url: `${server.url}/feed`, timeoutMs: 400 });
      expect(report).toMatchObject({ status: 'failed', errors: ['no complete answer within 0.4 s (timeoutMs)'] });
    } finally {
      timers.forEach(clearInterval);
    }
  });

  it('follows redirects (relative and absolute) to the feed', async () => {
    server.route('/old', (_req, res) => {
      res.writeHead(301, { location: '/moved' });
      res.end();
    });
    server.route('/moved', (_req, res) => {
      res.writeHead(307, { location: `${server.url}/feed` });
      res.end();
    });
    server.route('/feed', serveDocument(rssFeed(), 'application/rss+xml'));
    expect(await fetchOne({ url: `${server.url}/old` })).toMatchObject({ status: 'ok', new: 3 });
    expect(server.requests.map((r) => r.path)).toEqual(['/old', '/moved', '/feed']);
  });

  it('stops after maxRedirects, naming the limit', async () => {
    server.route('/loop', (_req, res) => {
      res.writeHead(302, { location: '/loop' });
      res.end();
    });
    const report = await fetchOne({ url: `${server.url}/loop`, maxRedirects: 3 });
    expect(report.errors[0]).toBe(`more than 3 redirects (maxRedirects), the last to ${server.url}/loop`);
    expect(server.requests).toHaveLength(4);
  });

  it('refuses a redirect to a file: URL', async () => {
    server.route('/feed', (_req, res) => {
      res.writeHead(302, { location: 'file:///etc/passwd' });
      res.end();
    });
    const report = await fetchOne({ url: `${server.url}/feed` });
    expect(report.errors[0]).toBe('redirected to file:///etc/passwd, which is not an http(s) URL');
  });

  it('decodes a feed in windows-1252 from its Content-Type, and one in ISO-8859-1 from its XML declaration', async () => {
    const title = 'Café owner’s “best” crème brûlée';
    const doc = (decl: string) =>
      `<?xml version="1.0" encoding="${decl}"?><rss version="2.0"><channel><title>T</title><item><title>${title}</title><link>https://x.example/${decl}</link><guid>g-${decl}</guid></item></channel></rss>`;
    const cp1252 = Buffer.from(doc('windows-1252'), 'latin1');
    // latin1 in Node is one byte per code unit; write the curly quotes as windows-1252 bytes by hand.
    const bytes = Buffer.from(
      [...doc('windows-1252')].map((ch) => ({ '’': 0x92, '“': 0x93, '”': 0x94 })[ch] ?? ch.charCodeAt(0)),
    );
    expect(cp1252.length).toBe(bytes.length);
    server.route('/cp1252', serveDocument(bytes, 'application/rss+xml; charset=windows-1252'));
    const plainTitle = 'Café crème brûlée';
    const latin1 = Buffer.from(doc('ISO-8859-1').replace(title, plainTitle), 'latin1');
    server.route('/latin1', serveDocument(latin1, 'application/xml'));
    const config = world.config([
      { id: 'cp', url: `${server.url}/cp1252` },
      { id: 'latin', url: `${server.url}/latin1` },
    ]);
    const reports = await fetchSources({ config, dataDir: world.dataDir });
    expect(reports.map((r) => r.status)).toEqual(['ok', 'ok']);
    expect(world.written('cp')['cp-g-windows-1252.json']!.headline).toBe(title);
    expect(world.written('latin')['latin-g-ISO-8859-1.json']!.headline).toBe(plainTitle);
  });

  it('names a charset this system cannot decode', async () => {
    server.route('/feed', serveDocument(rssFeed(), 'application/rss+xml; charset=x-klingon'));
    const report = await fetchOne({ url: `${server.url}/feed` });
    expect(report.errors[0]).toBe('the response\'s charset "x-klingon" is not one this system can decode');
  });

  it('says an HTML page is not a feed', async () => {
    server.route('/feed', serveDocument('<!doctype html><html><body><h1>Welcome</h1></body></html>', 'text/html'));
    const report = await fetchOne({ url: `${server.url}/feed` });
    expect(report.errors[0]).toBe('not an RSS, Atom, RDF or JSON feed: the document is an HTML page');
  });

  it('reports an item that cannot be an article and writes the rest', async () => {
    const extra = '<item><title>No link at all</title><guid isPermaLink="false">nolink</guid></item><item><title>Bad link</title><link>javascript:alert(1)</link></item>';
    server.route('/feed', serveDocument(rssFeed('https://ledger.example', extra), 'application/rss+xml'));
    const report = await fetchOne({ url: `${server.url}/feed` });
    expect(report).toMatchObject({ status: 'ok', new: 3, skipped: 2 });
    expect(report.errors).toEqual([
      'item "hostile-nolink": it has no link',
      expect.stringMatching(/^item "hostile-[a-z0-9-]+": its link "javascript:alert\(1\)" is not an http\(s\) URL$/),
    ]);
  });

  it('takes a guid as the permalink only when it is an absolute http(s) URL, and skips an item whose guid is just a name', async () => {
    // Neither item has a <link>; both guids are permalinks by default (RSS 2.0), but only the first is a URL.
    const extra = '<item><title>Named guid</title><guid>nolink-1</guid></item><item><title>URL guid</title><guid>https://ledger.example/2026/guid-story</guid></item>';
    server.route('/feed', serveDocument(rssFeed('https://ledger.example', extra), 'application/rss+xml'));
    const report = await fetchOne({ url: `${server.url}/feed` });
    expect(report).toMatchObject({ status: 'ok', new: 4, skipped: 1 });
    expect(report.errors).toEqual(['item "hostile-nolink-1": it has no link']);
    expect(allWritten()).toContain('https://ledger.example/2026/guid-story');
    expect(allWritten()).not.toContain('nolink-1');
  });

  it('reports a connection that is refused, with the reason', async () => {
    const closed = await startFeedServer();
    await closed.close();
    const report = await fetchOne({ url: `${closed.url}/feed` });
    expect(report.errors[0]).toBe(`could not read ${closed.url}/feed: ECONNREFUSED`);
  });
});
