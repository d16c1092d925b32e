import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadContent } from '../../src/content/index.ts';
import { fetchSources } from '../../src/sources/index.ts';
import { atomFeed, ghostPosts, jsonFeed, rssFeed, wordpressPosts } from './documents.ts';
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

describe('fetching each kind of source', () => {
  it('maps an RSS 2.0 feed with content:encoded and media:content to one validated article file per item', async () => {
    server.route('/feed/', serveDocument(rssFeed(), 'application/rss+xml; charset=UTF-8'));
    const config = world.config([{ id: 'ledger', type: 'rss', url: `${server.url}/feed/`, section: 'Local' }]);
    const [report] = await fetchSources({ config, dataDir: world.dataDir, now: () => new Date('2026-11-30T12:00:00Z') });
    expect(report).toEqual({ id: 'ledger', status: 'ok', new: 3, updated: 0, unchanged: 0, skipped: 0, errors: [], notes: [] });

    const files = world.written('ledger');
    expect(Object.keys(files)).toHaveLength(3);
    const ferry = Object.values(files).find((a) => String(a.headline).startsWith('Council'))!;
    expect(ferry).toEqual({
      // The guid is WordPress's "?p=48211" link: not a safe id as it is, so a slug of it and a hash.
      id: expect.stringMatching(/^ledger-p-48211-[0-9a-f]{8}$/),
      kicker: 'City Hall',
      headline: 'Council approves harbor ferry plan after late-night session',
      dek: 'The vote was 7 to 2. Service starts in the spring, with three boats and a fare of $2.50. Opponents said the money should go to buses.',
      url: 'https://ledger.example/2026/11/30/council-approves-harbor-ferry/',
      publishedAt: '2026-11-30T04:12:00-05:00',
      section: 'Local',
      tags: ['City Hall', 'Transport'],
      body: [
        'The city council voted 7 to 2 early Monday to approve the harbor ferry plan.',
        'Service starts in the spring with three boats & a fare of $2.50.',
        'What comes next',
        'Bids open in January.',
        'Hearings in February.',
      ],
      author: { name: 'Maria Okafor' },
      image: { url: 'https://ledger.example/wp-content/uploads/2026/11/ferry-1200x800.jpg', alt: 'The ferry terminal at dawn', width: 1200, height: 800 },
    });
    // Loaded by the same loader as hand-written files.
    const content = loadContent(world.dataDir);
    expect(content.articles.map((a) => a.id).sort()).toEqual(Object.values(files).map((a) => a.id).sort());
  });

  it('removes scripts, event handlers and tags from titles and content, keeping the text', async () => {
    server.route('/feed/', serveDocument(rssFeed(), 'application/rss+xml'));
    const config = world.config([{ id: 'ledger', url: `${server.url}/feed/` }]);
    await fetchSources({ config, dataDir: world.dataDir });
    const fire = Object.values(world.written('ledger')).find((a) => String(a.url).includes('fire-main-street'))!;
    expect(fire.headline).toBe('Breaking: Fire closes Main Street');
    expect(fire.dek).toBe('Crews fought the blaze for three hours. No one was hurt.');
    const raw = JSON.stringify(world.written('ledger'));
    expect(raw).not.toMatch(/<script|alert\(|onerror|onclick|__ads|<b>|<p/);
  });

  it('uses an item without a guid under a stable hashed id, its kicker from the feed, and the description as dek', async () => {
    server.route('/feed/', serveDocument(rssFeed(), 'application/rss+xml'));
    const config = world.config([{ id: 'ledger', url: `${server.url}/feed/` }]);
    await fetchSources({ config, dataDir: world.dataDir });
    const library = Object.values(world.written('ledger')).find((a) => String(a.url).includes('library-hours'))!;
    expect(library).toEqual({
      id: expect.stringMatching(/^ledger-library-hours-[0-9a-f]{8}$/),
      kicker: 'The Springfield Ledger',
      headline: 'Library extends weekend hours',
      dek: 'The main branch will open at 9 on Saturdays and Sundays.',
      url: 'https://ledger.example/2026/11/29/library-hours/',
      publishedAt: '2026-11-29T07:00:00-05:00',
    });
  });

  it('reads an Atom feed with XHTML content, detecting the type when it is left out', async () => {
    server.route('/feed.atom', serveDocument(atomFeed(), 'application/atom+xml'));
    const config = world.config([{ id: 'valley', url: `${server.url}/feed.atom`, kickerFrom: 'category' }]);
    const [report] = await fetchSources({ config, dataDir: world.dataDir });
    expect(report).toMatchObject({ status: 'ok', new: 1 });
    expect(Object.values(world.written('valley'))).toEqual([
      {
        id: expect.stringMatching(/^valley-comets-[0-9a-f]{8}$/),
        kicker: 'Astronomy',
        headline: 'Telescope finds three new comets',
        dek: "The survey's first month turned up more than expected. Two are visible with binoculars.",
        url: 'https://valley.example/science/comets',
        publishedAt: '2026-11-30T08:15:00+01:00',
        tags: ['Astronomy', 'space'],
        body: ["The survey's first month turned up three comets.", 'Two will be visible with binoculars in January.'],
        author: { name: 'Dr. Ines Varga', url: 'https://valley.example/people/varga' },
        image: { url: 'https://valley.example/img/comets.jpg', alt: '', width: 640, height: 360 },
      },
    ]);
  });

  it('reads a JSON Feed 1.1, reading a date without an offset in the source timezone and plain-text content as paragraphs', async () => {
    server.route('/feed.json', serveDocument(jsonFeed(), 'application/feed+json'));
    const config = world.config([{ id: 'wire', type: 'jsonfeed', url: `${server.url}/feed.json`, kicker: 'Wire', timezone: 'Europe/Berlin' }]);
    await fetchSources({ config, dataDir: world.dataDir });
    const files = world.written('wire');
    expect(files['wire-2026-11-30-markets.json']).toEqual({
      id: 'wire-2026-11-30-markets',
      kicker: 'Wire',
      headline: 'Markets open higher after jobs report',
      dek: 'Stocks rose 1% in early trading. Bond yields fell.',
      url: 'https://wire.example/briefs/markets-open-higher',
      publishedAt: '2026-11-30T14:35:00+00:00',
      tags: ['Markets', 'Economy'],
      body: ['Stocks rose 1% in early trading.', 'Bond yields fell for a third day.'],
      author: { name: 'Priya Natarajan', url: 'https://wire.example/staff/priya' },
    });
    // No title: the headline is the first paragraph of the text; 06:00 in Berlin in winter is +01:00.
    expect(files['wire-2026-11-30-weather.json']).toMatchObject({
      headline: 'A snow watch is in effect from Tuesday night.',
      publishedAt: '2026-11-30T06:00:00+01:00',
      body: ['A snow watch is in effect from Tuesday night.', 'Up to 20 cm is possible in the hills.'],
    });
  });

  it('reads WordPress posts through /wp-json/wp/v2/posts?_embed with author bio, featured image and terms', async () => {
    server.route('/wp-json/wp/v2/posts', serveDocument(wordpressPosts(), 'application/json; charset=UTF-8'));
    const config = world.config([{ id: 'city', type: 'wordpress', url: server.url, kickerFrom: 'category' }]);
    const [report] = await fetchSources({ config, dataDir: world.dataDir });
    expect(report).toMatchObject({ status: 'ok', new: 2 });
    expect(server.requests[0]!.path).toBe('/wp-json/wp/v2/posts?_embed&per_page=50');
    expect(world.written('city')['city-501.json']).toEqual({
      id: 'city-501',
      kicker: 'Politics',
      headline: 'Mayor’s budget adds 40 teachers',
      dek: 'The mayor’s budget adds 40 teachers. It also cuts road repairs by a third',
      url: 'https://city.example/2026/11/30/mayor-budget/',
      // date is the site's local time, date_gmt UTC: five hours apart.
      publishedAt: '2026-11-30T05:30:00-05:00',
      tags: ['Politics', 'Budget & Taxes'],
      body: ['Paragraph one.', 'Paragraph two – with a dash.'],
      author: { name: 'Jordan Blake', bio: 'Jordan covers City Hall.', url: 'https://city.example/author/jblake/' },
      image: { url: 'https://city.example/wp-content/uploads/2026/11/mayor-budget.jpg', alt: 'The mayor at the podium', width: 1600, height: 900 },
    });
    expect(world.written('city')['city-498.json']).toMatchObject({ kicker: 'city', publishedAt: '2026-07-01T09:00:00-04:00' });
  });

  it('reads Ghost posts through the Content API with the key, leaving out internal tags and an image without a size', async () => {
    server.route('/ghost/api/content/posts/', serveDocument(ghostPosts(), 'application/json'));
    const config = world.config([{ id: 'letters', type: 'ghost', url: `${server.url}/`, apiKey: 'a1b2c3d4e5f6a7b8c9d0e1f2a3', section: 'Opinion', kicker: 'Letters' }]);
    await fetchSources({ config, dataDir: world.dataDir });
    const query = new URL(server.requests[0]!.path, 'http://x').searchParams;
    expect(Object.fromEntries(query)).toEqual({ key: 'a1b2c3d4e5f6a7b8c9d0e1f2a3', include: 'tags,authors', limit: '50' });
    expect(server.requests[0]!.headers['accept-version']).toBe('v5.0');
    expect(world.written('letters')['letters-6754a1f0c2b3a40001e2d3f4.json']).toEqual({
      id: 'letters-6754a1f0c2b3a40001e2d3f4',
      kicker: 'Letters',
      headline: 'Why the river is rising <faster> than forecast',
      dek: 'Hydrologists say the snowpack melted early. Levels rose 30 cm overnight.',
      url: 'https://letters.example/river-rising/',
      publishedAt: '2026-11-30T07:00:00+00:00',
      section: 'Opinion',
      tags: ['Environment'],
      body: ['Hydrologists say the snowpack melted early.', 'Levels rose 30 cm overnight.'],
      author: { name: 'Noor Haddad', bio: 'Noor writes about water.', url: 'https://letters.example/author/noor/' },
    });
  });

  it('keeps the Ghost key out of the error of a failed read', async () => {
    server.route('/ghost/api/content/posts/', (_req, res) => res.writeHead(302, { location: 'ftp://letters.example/elsewhere?key=a1b2c3d4e5f6a7b8c9d0e1f2a3' }).end());
    const config = world.config([{ id: 'letters', type: 'ghost', url: server.url, apiKey: 'a1b2c3d4e5f6a7b8c9d0e1f2a3' }]);
    const [report] = await fetchSources({ config, dataDir: world.dataDir });
    expect(report!.errors).toEqual(['redirected to ftp://letters.example/elsewhere?key=…, which is not an http(s) URL']);
  });

  it('reports a source whose document is of another kind than its type says', async () => {
    server.route('/feed.atom', serveDocument(atomFeed(), 'application/atom+xml'));
    const config = world.config([{ id: 'valley', type: 'rss', url: `${server.url}/feed.atom` }]);
    const [report] = await fetchSources({ config, dataDir: world.dataDir });
    expect(report).toMatchObject({ status: 'failed', errors: ['the source is configured as "rss" but the document is an ATOM feed (fix "type" or leave it out)'] });
  });
});
