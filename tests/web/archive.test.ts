import { afterEach, describe, expect, it } from 'vitest';
import { Parser } from 'htmlparser2';
import { ArticleSchema, ConfigSchema, type Content, type ArticleRecord } from '../../src/content/index.ts';
import { createArchiveApp } from '../../src/web/archive-routes.ts';
import { archiveEditionHtml } from '../../src/web/archive-page.ts';
import { startServer } from '../../src/web/index.ts';
import { tempDb } from '../schedule/fixtures.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const config = ConfigSchema.parse({
  baseUrl: 'https://news.example.org',
  newsletters: [
    { id: 'morning', name: 'The Morning Briefing', description: 'News & views <daily>', schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } },
    { id: 'weekly', name: 'The Weekly', schedule: { cron: '0 8 * * 0', timezone: 'America/New_York' } },
  ],
});

function article(id: string, publishedAt: string, headline: string, extra: Record<string, unknown> = {}): ArticleRecord {
  return {
    ...ArticleSchema.parse({ id, kicker: 'Speed read', headline, dek: `Summary of ${headline}`, url: `https://news.example.org/${id}`, publishedAt, ...extra }),
    file: `${id}.json`,
  };
}

const articles = [
  article('nov29-lead', '2026-11-29T05:00:00-05:00', 'Sunday lead story', { priority: 5 }),
  article('nov30-lead', '2026-11-30T04:00:00-05:00', 'AT&T <b>"quoted"</b> & more', { priority: 5 }),
  article('nov30-item', '2026-11-30T03:00:00-05:00', 'A second story'),
  article('dec01-lead', '2026-12-01T04:00:00-05:00', 'Tomorrow, not sent yet', { priority: 5 }),
];
const content: Content = { articles, byId: new Map(articles.map((a) => [a.id, a])), editions: new Map() };

async function setup() {
  const t = tempDb();
  const insertRun = t.db.prepare(`INSERT INTO runs (newsletter, edition_date, state, scheduled_at, started_at, finished_at, total, sent)
    VALUES (?, ?, ?, ?, ?, ?, 1, 1)`);
  insertRun.run('morning', '2026-11-29', 'done', '2026-11-29T11:00:00.000Z', '2026-11-29T11:00:00.000Z', '2026-11-29T11:00:05.000Z');
  insertRun.run('morning', '2026-11-30', 'done', '2026-11-30T11:00:00.000Z', '2026-11-30T11:00:00.000Z', '2026-11-30T11:00:05.000Z');
  insertRun.run('morning', '2026-11-28', 'missed', '2026-11-28T11:00:00.000Z', '2026-11-28T15:00:00.000Z', '2026-11-28T15:00:00.000Z');
  // A reader who got the 2026-11-30 edition: their name and address must never reach the archive.
  t.db.prepare(`INSERT INTO subscribers (id, email, name, created_at) VALUES (7, 'zelda.reader@example.com', 'Zelda', '2026-11-01T00:00:00Z')`).run();
  t.db.prepare(`INSERT INTO sends (newsletter, edition_date, subscriber_id, state, message_id, queued_at, updated_at, sent_at)
    VALUES ('morning', '2026-11-30', 7, 'sent', '<x@example>', '2026-11-30T11:00:00Z', '2026-11-30T11:00:01Z', '2026-11-30T11:00:01Z')`).run();
  const store = await t.store();
  const app = createArchiveApp({ config, archive: store.archive, loadContent: () => content });
  cleanups.push(t.cleanup);
  return { ...t, app, archive: store.archive };
}

const get = (app: Awaited<ReturnType<typeof setup>>['app'], path: string) => app.request(`http://localhost${path}`);

describe('GET /archive', () => {
  it('lists the sent editions newest first, per newsletter, and nothing that was missed or not yet sent', async () => {
    const { app } = await setup();
    const res = await get(app, '/');
    expect(res.status).toBe(200);
    const page = await res.text();
    const morning = page.slice(page.indexOf('The Morning Briefing'), page.indexOf('The Weekly'));
    const links = [...morning.matchAll(/href="(\/archive\/morning\/[^"]+)"/g)].map((m) => m[1]);
    expect(links).toEqual(['/archive/morning/2026-11-30', '/archive/morning/2026-11-29', '/archive/morning/feed.xml']);
    expect(page).toContain('The Morning Briefing: AT&amp;T &lt;b&gt;&quot;quoted&quot;&lt;/b&gt; &amp; more');
    expect(page).not.toContain('2026-11-28');
    expect(page).not.toContain('Tomorrow, not sent yet');
    expect(page).toContain('No editions have gone out yet.');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page).not.toMatch(/<script/i);
  });

  it('counts an edition sent by hand (copies sent, no scheduler run) as sent', async () => {
    const { db, archive } = await setup();
    db.prepare(`INSERT INTO sends (newsletter, edition_date, subscriber_id, state, message_id, queued_at, updated_at, sent_at)
      VALUES ('weekly', '2026-11-29', 7, 'sent', '<y@example>', '2026-11-29T13:00:00Z', '2026-11-29T13:00:01Z', '2026-11-29T13:00:01Z')`).run();
    expect((await archive.listSent()).map((e) => `${e.newsletter}/${e.date}`)).toEqual(['morning/2026-11-30', 'morning/2026-11-29', 'weekly/2026-11-29']);
  });
});

describe('GET /archive/<newsletter>/<date>', () => {
  it('marks the sponsor link rel="sponsored" on the web copy, with its label, for both designs', async () => {
    const { archive } = await setup();
    const sponsor = { label: 'Sponsored', headline: 'Harbor Street Coffee', text: 'Beans roasted the morning you order.', url: 'https://coffee.example/daybreak' };
    const withSponsor: Content = { ...content, editions: new Map([['morning/2026-11-30', { sponsor, file: 'data/editions/morning/2026-11-30.json' }]]) };
    for (const template of ['briefing', 'compact']) {
      const cfg = ConfigSchema.parse({ ...config, newsletters: config.newsletters.map((n, i) => (i === 0 ? { ...n, template } : n)) });
      const res = await createArchiveApp({ config: cfg, archive, loadContent: () => withSponsor }).request('http://localhost/morning/2026-11-30');
      expect(res.status).toBe(200);
      const page = await res.text();
      const anchors: Array<Record<string, string>> = [];
      const parser = new Parser({ onopentag: (name, attribs) => name === 'a' && anchors.push(attribs) });
      parser.end(page);
      expect(anchors.filter((a) => a.href === sponsor.url).map((a) => a.rel), template).toEqual(['sponsored noopener']);
      expect(anchors.filter((a) => a.rel?.includes('sponsored')).map((a) => a.href), template).toEqual([sponsor.url]);
      expect(page).toContain('>Sponsored<');
    }
  });

  it('shows the edition as readers got it, without their name, address or tokens, and a sign-up link instead of unsubscribe', async () => {
    const { app } = await setup();
    const res = await get(app, '/morning/2026-11-30');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('AT&amp;T &lt;b&gt;&quot;quoted&quot;&lt;/b&gt; &amp; more');
    expect(page).toContain('A second story');
    expect(page).toContain('Good morning.');
    expect(page).not.toContain('Zelda');
    expect(page).not.toContain('zelda.reader@example.com');
    expect(page).not.toMatch(/unsubscribe/i);
    expect(page).not.toContain('token=');
    expect(page).not.toContain('daybreak-archive');
    expect(page).not.toContain('This email was sent to');
    expect(page.split('You are reading the web edition of The Morning Briefing.')).toHaveLength(2);
    expect(page).not.toContain('because you signed up');
    expect(page).toMatch(/<a href="https:\/\/news\.example\.org\/"[^>]*>Sign up to get it by email<\/a>/);
    expect(page).toMatch(/<a href="https:\/\/news\.example\.org\/archive"[^>]*>All editions<\/a>/);
    expect(page).not.toContain('View in your browser');
    expect(page).not.toMatch(/<script/i);
    // Laid out at the phone's width, not at a desktop's 980 px.
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
  });

  it('answers 404 for an edition that was not sent, an unknown newsletter or a malformed date', async () => {
    const { app } = await setup();
    for (const path of ['/morning/2026-12-01', '/morning/2026-11-28', '/nope/2026-11-30', '/morning/2026-11-3x', '/morning/..%2F..%2Fetc']) {
      const res = await get(app, path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('Tomorrow, not sent yet');
    }
  });

  it('sends /archive/ and /archive/<newsletter> to the index, and 404s an unknown newsletter', async () => {
    const { app } = await setup();
    const { Hono } = await import('hono');
    const site = new Hono().route('/archive', app);
    const slash = await site.request('http://localhost/archive/');
    expect([slash.status, slash.headers.get('location')]).toEqual([301, '/archive']);
    const letter = await site.request('http://localhost/archive/morning');
    expect([letter.status, letter.headers.get('location')]).toEqual([302, '/archive#h-morning']);
    expect((await site.request('http://localhost/archive/nope')).status).toBe(404);
    expect((await site.request('http://localhost/archive/morning/2026-11-30/extra')).status).toBe(404);
  });

  it('is served over real HTTP with its Content-Security-Policy', async () => {
    const { app } = await setup();
    const server = await startServer(app, { port: 0 });
    cleanups.push(server.close);
    const res = await fetch(`${server.url}/morning/2026-11-29`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await res.text()).toContain('Sunday lead story');
  });
});

describe('archiveEditionHtml', () => {
  const markers = { emailMarker: 'EMAIL-MARK', unsubscribeMarker: 'https://x.invalid/UNSUB', signUpUrl: 'https://s.example/?a=1&b=2', newsletterName: 'A & B' };

  it('replaces the address sentence, the unsubscribe link, scripts and inline handlers', () => {
    const out = archiveEditionHtml(
      '<p class="m">This email was sent to EMAIL-MARK.</p><p><a href="https://x.invalid/UNSUB" class="l">Unsubscribe</a></p>' +
        '<script>alert(1)</script><img src="x.png" onerror="alert(2)">',
      markers,
    );
    expect(out).toBe(
      '<p class="m">You are reading the web edition of A &amp; B.</p><p><a href="https://s.example/?a=1&amp;b=2" class="l">Sign up to get it by email</a></p><img src="x.png">',
    );
  });

  it('puts the web-edition line in place of the "why you get this" sentence, and drops the address sentence', () => {
    const out = archiveEditionHtml(
      '<p>You get A &amp; B because you signed up at x.example, Zoë&#x27;s site.</p><p class="m">This email was sent to EMAIL-MARK.</p><p>end</p>',
      { ...markers, reason: "You get A & B because you signed up at x.example, Zoë's site." },
    );
    expect(out).toBe('<p>You are reading the web edition of A &amp; B.</p><p>end</p>');
  });

  it('blanks a reader address or unsubscribe URL found anywhere else (an attribute, bare text)', () => {
    expect(archiveEditionHtml('<p title="EMAIL-MARK">hi</p>', markers)).toBe('<p title="">hi</p>');
    expect(archiveEditionHtml('<link rel="x" href="https://x.invalid/UNSUB">', markers)).toBe('<link rel="x" href="https://s.example/?a=1&amp;b=2">');
  });
});

/**
 * A strict well-formedness check on top of htmlparser2's xmlMode (which is lenient): every tag closed
 * explicitly and in order, one root, and no bare `&` or `<` in text.
 */
function parseXmlStrict(xml: string) {
  const problems: string[] = [];
  const stack: string[] = [];
  const selfClosing: boolean[] = [];
  const elements: { name: string; attribs: Record<string, string>; text: string; parent: string | undefined }[] = [];
  const open: typeof elements = [];
  let roots = 0;
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (stack.length === 0) roots++;
        const el = { name, attribs, text: '', parent: stack.at(-1) };
        stack.push(name);
        selfClosing.push(xml.slice(parser.startIndex, parser.endIndex + 1).endsWith('/>'));
        open.push(el);
        elements.push(el);
      },
      ontext(text) {
        if (open.length) open.at(-1)!.text += text;
      },
      onclosetag(name, isImplied) {
        if (isImplied && !selfClosing.pop()) problems.push(`<${name}> not closed`);
        else if (!isImplied) selfClosing.pop();
        if (stack.pop() !== name) problems.push(`</${name}> out of order`);
        open.pop();
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(xml);
  parser.end();
  const withoutMarkup = xml.replace(/<\?xml[^>]*\?>/, '').replace(/<[^>]+>/g, '');
  if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(withoutMarkup)) problems.push('bare & in text');
  if (roots !== 1) problems.push(`${roots} root elements`);
  if (stack.length) problems.push(`unclosed: ${stack.join(',')}`);
  return { problems, elements };
}

describe('GET /archive/<newsletter>/feed.xml', () => {
  it('is well-formed RSS 2.0 with one escaped item per sent edition, newest first', async () => {
    const { app } = await setup();
    const res = await get(app, '/morning/feed.xml');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const xml = await res.text();
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"')).toBe(true);
    const { problems, elements } = parseXmlStrict(xml);
    expect(problems).toEqual([]);
    const items = elements.filter((e) => e.name === 'item');
    expect(items).toHaveLength(2);
    const field = (name: string) => elements.filter((e) => e.name === name && e.parent === 'item').map((e) => e.text);
    expect(field('title')).toEqual(['The Morning Briefing: AT&T <b>"quoted"</b> & more', 'The Morning Briefing: Sunday lead story']);
    expect(field('link')).toEqual(['https://news.example.org/archive/morning/2026-11-30', 'https://news.example.org/archive/morning/2026-11-29']);
    expect(field('pubDate')).toEqual(['Mon, 30 Nov 2026 11:00:00 GMT', 'Sun, 29 Nov 2026 11:00:00 GMT']);
    expect(field('description')[0]).toContain('<a href="https://news.example.org/nov30-item">A second story</a>');
    expect(elements.find((e) => e.name === 'description' && e.parent === 'channel')!.text).toBe('News & views <daily>');
  });

  it('the strict check rejects what is not well-formed', () => {
    expect(parseXmlStrict('<rss><channel><title>A & B</title></channel></rss>').problems).toContain('bare & in text');
    expect(parseXmlStrict('<rss><channel><title>x</channel></rss>').problems.length).toBeGreaterThan(0);
    expect(parseXmlStrict('<a/><b/>').problems).toContain('2 root elements');
  });

  it('is an empty, valid feed for a newsletter with nothing sent, and 404 for an unknown one', async () => {
    const { app } = await setup();
    const xml = await (await get(app, '/weekly/feed.xml')).text();
    const { problems, elements } = parseXmlStrict(xml);
    expect(problems).toEqual([]);
    expect(elements.filter((e) => e.name === 'item')).toEqual([]);
    expect((await get(app, '/nope/feed.xml')).status).toBe(404);
  });
});
