import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadContent } from '../../src/content/index.ts';
import { fetchSources } from '../../src/sources/index.ts';
import { jsonFeed, rssFeed } from './documents.ts';
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

/** A JSON Feed with one item whose title is given, so a test can change the item between reads. */
function oneItemFeed(title: string, url = 'https://wire.example/briefs/one'): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: 'Wire',
    items: [{ id: 'one', url, title, content_text: 'Text.', date_published: '2026-11-30T10:00:00Z' }],
  });
}

describe('fetching again', () => {
  it('sends the ETag back and, on 304, writes nothing and reports not-modified', async () => {
    server.route('/feed/', serveDocument(rssFeed(), 'application/rss+xml', { etag: '"v1"' }));
    const config = world.config([{ id: 'ledger', url: `${server.url}/feed/` }]);
    await fetchSources({ config, dataDir: world.dataDir });
    const file = join(world.dataDir, 'articles', 'ledger', Object.keys(world.written('ledger'))[0]!);
    const before = statSync(file).mtimeMs;

    const [report] = await fetchSources({ config, dataDir: world.dataDir });
    expect(server.requests[1]!.headers['if-none-match']).toBe('"v1"');
    expect(report).toEqual({ id: 'ledger', status: 'not-modified', new: 0, updated: 0, unchanged: 3, skipped: 0, errors: [], notes: [] });
    expect(statSync(file).mtimeMs).toBe(before);
  });

  it('sends Last-Modified back as If-Modified-Since when the server gives no ETag', async () => {
    const lastModified = 'Mon, 30 Nov 2026 09:40:12 GMT';
    server.route('/feed/', serveDocument(rssFeed(), 'application/rss+xml', { lastModified }));
    const config = world.config([{ id: 'ledger', url: `${server.url}/feed/` }]);
    await fetchSources({ config, dataDir: world.dataDir });
    const [report] = await fetchSources({ config, dataDir: world.dataDir });
    expect(server.requests[1]!.headers['if-modified-since']).toBe(lastModified);
    expect(report!.status).toBe('not-modified');
  });

  it('reads afresh, without validators, when the source\'s mapping in the config changed', async () => {
    server.route('/feed/', serveDocument(rssFeed(), 'application/rss+xml', { etag: '"v1"' }));
    await fetchSources({ config: world.config([{ id: 'ledger', url: `${server.url}/feed/` }]), dataDir: world.dataDir });
    const [report] = await fetchSources({ config: world.config([{ id: 'ledger', url: `${server.url}/feed/`, kicker: 'Local' }]), dataDir: world.dataDir });
    expect(server.requests[1]!.headers['if-none-match']).toBeUndefined();
    expect(report).toMatchObject({ status: 'ok', updated: 3 });
    expect(Object.values(world.written('ledger')).map((a) => a.kicker)).toEqual(['Local', 'Local', 'Local']);
  });

  it('rewrites only the item that changed', async () => {
    let feed = oneItemFeed('First title');
    server.route('/feed.json', (_req, res) => res.end(feed));
    const config = world.config([{ id: 'wire', url: `${server.url}/feed.json` }]);
    expect((await fetchSources({ config, dataDir: world.dataDir }))[0]).toMatchObject({ new: 1 });
    expect((await fetchSources({ config, dataDir: world.dataDir }))[0]).toMatchObject({ new: 0, updated: 0, unchanged: 1 });
    feed = oneItemFeed('Corrected title');
    expect((await fetchSources({ config, dataDir: world.dataDir }))[0]).toMatchObject({ new: 0, updated: 1, unchanged: 0 });
    expect(world.written('wire')['wire-one.json']!.headline).toBe('Corrected title');
  });

  it("never overwrites a file an editor changed, keeps the editor's version and says so", async () => {
    let feed = oneItemFeed('First title');
    server.route('/feed.json', (_req, res) => res.end(feed));
    const config = world.config([{ id: 'wire', url: `${server.url}/feed.json` }]);
    await fetchSources({ config, dataDir: world.dataDir });
    const file = join(world.dataDir, 'articles', 'wire', 'wire-one.json');
    const edited = { ...JSON.parse(readFileSync(file, 'utf8')), headline: 'An editor\'s better headline', priority: 5 };
    writeFileSync(file, JSON.stringify(edited, null, 2));

    feed = oneItemFeed('The source changed it too');
    const [report] = await fetchSources({ config, dataDir: world.dataDir });
    expect(report).toMatchObject({ status: 'ok', updated: 0, skipped: 1 });
    expect(report!.notes).toEqual([expect.stringMatching(/wire-one\.json was edited by hand; kept the editor's version/)]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(edited);
  });

  it('does not write again a file an editor deleted', async () => {
    let feed = oneItemFeed('First title');
    server.route('/feed.json', (_req, res) => res.end(feed));
    const config = world.config([{ id: 'wire', url: `${server.url}/feed.json` }]);
    await fetchSources({ config, dataDir: world.dataDir });
    const file = join(world.dataDir, 'articles', 'wire', 'wire-one.json');
    rmSync(file);
    feed = oneItemFeed('Changed after the deletion');
    const [report] = await fetchSources({ config, dataDir: world.dataDir });
    expect(report).toMatchObject({ skipped: 1, new: 0 });
    expect(report!.notes[0]).toMatch(/was deleted by hand; not written again/);
    expect(existsSync(file)).toBe(false);
  });

  it('does not overwrite a file that was there before fetch wrote it', async () => {
    server.route('/feed.json', (_req, res) => res.end(oneItemFeed('From the feed')));
    const file = join(world.dataDir, 'articles', 'wire', 'wire-one.json');
    const mine = { id: 'wire-one', kicker: 'Mine', headline: 'Written by hand', dek: 'Mine.', url: 'https://wire.example/briefs/one', publishedAt: '2026-11-30T10:00:00Z' };
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(world.dataDir, 'articles', 'wire'), { recursive: true });
    writeFileSync(file, JSON.stringify(mine));
    const [report] = await fetchSources({ config: world.config([{ id: 'wire', url: `${server.url}/feed.json` }]), dataDir: world.dataDir });
    expect(report).toMatchObject({ new: 0, skipped: 1 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(mine);
  });

  it('writes a story two sources carry (links differing only in tracking and scheme) once, and one already written by hand not at all', async () => {
    const ledger = rssFeed(server.url.replace('127.0.0.1', 'localhost'));
    server.route('/a', serveDocument(ledger, 'application/rss+xml'));
    // The same ferry story on a second feed, with different tracking parameters and a trailing fragment.
    const copy = rssFeed(server.url.replace('127.0.0.1', 'localhost'))
      .replace(/utm_source=rss&amp;utm_medium=rss/, 'utm_campaign=partner#top')
      .replace(/<guid[^>]*>[^<]*48211<\/guid>/, '<guid isPermaLink="false">partner-1</guid>');
    server.route('/b', serveDocument(copy, 'application/rss+xml'));
    // A hand-written article about the library story.
    writeFileSync(
      join(world.dataDir, 'articles', 'library.json'),
      JSON.stringify({ id: 'library-by-hand', kicker: 'Books', headline: 'Library hours', dek: 'Longer.', url: `${server.url.replace('127.0.0.1', 'localhost')}/2026/11/29/library-hours`, publishedAt: '2026-11-29T12:00:00Z' }),
    );
    const config = world.config([
      { id: 'ledger', url: `${server.url}/a` },
      { id: 'partner', url: `${server.url}/b` },
    ]);
    const [a, b] = await fetchSources({ config, dataDir: world.dataDir });
    expect(a).toMatchObject({ new: 2, skipped: 1 });
    expect(b).toMatchObject({ new: 0, skipped: 3 });
    expect(b!.notes.join('\n')).toContain('is already in');
    expect(b!.notes.join('\n')).toContain('library.json');
    // The data folder loads: no duplicate ids, one file per story.
    const content = loadContent(world.dataDir);
    const urls = content.articles.map((x) => x.url);
    expect(new Set(urls).size).toBe(urls.length);
    expect(content.articles).toHaveLength(3);
  });

  it('keeps the first-seen time as the date of an item without one, so its file does not change', async () => {
    const feed = JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'W', items: [{ id: 'undated', url: 'https://w.example/u', title: 'Undated' }] });
    server.route('/f', (_req, res) => res.end(feed));
    const config = world.config([{ id: 'w', url: `${server.url}/f` }]);
    await fetchSources({ config, dataDir: world.dataDir, now: () => new Date('2026-11-30T08:00:00Z') });
    const [again] = await fetchSources({ config, dataDir: world.dataDir, now: () => new Date('2026-11-30T09:00:00Z') });
    expect(again).toMatchObject({ unchanged: 1, updated: 0 });
    expect(world.written('w')['w-undated.json']!.publishedAt).toBe('2026-11-30T08:00:00.000Z');
  });

  it('reads a source that fails as failed, and still writes the others', async () => {
    server.route('/feed.json', serveDocument(jsonFeed(), 'application/feed+json'));
    server.route('/broken', (_req, res) => {
      res.statusCode = 503;
      res.end('down');
    });
    const config = world.config([
      { id: 'broken', url: `${server.url}/broken` },
      { id: 'wire', url: `${server.url}/feed.json` },
    ]);
    const [broken, wire] = await fetchSources({ config, dataDir: world.dataDir });
    expect(broken).toEqual({ id: 'broken', status: 'failed', new: 0, updated: 0, unchanged: 0, skipped: 0, errors: [`${server.url}/broken answered HTTP 503 Service Unavailable`], notes: [] });
    expect(wire).toMatchObject({ status: 'ok', new: 2 });
  });
});
