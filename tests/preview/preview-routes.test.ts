import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assembleEdition, isSkipped, loadConfig, loadContent } from '../../src/content/index.ts';
import { readMaildir, readMaildirMessage } from '../../src/delivery/index.ts';
import { awkwardReader, escapeHtml, GMAIL_CLIP_BYTES, renderEdition, sampleReader } from '../../src/designs/index.ts';
import { htmlChecks } from '../../src/preview/service.ts';
import { previewHarness, type PreviewHarness } from './setup.ts';

let h: PreviewHarness;
beforeEach(() => {
  h = previewHarness();
});
afterEach(async () => {
  await h.close();
});

async function json(path: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await h.app.request(path, init);
  return { status: response.status, body: await response.json(), headers: response.headers };
}

async function text(path: string): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await h.app.request(path);
  return { status: response.status, body: await response.text(), headers: response.headers };
}

describe('the preview page', () => {
  it('serves the page at /preview/ and /preview, with its own script and stylesheet and nothing third-party', async () => {
    for (const path of ['/preview/', '/preview']) {
      const page = await text(path);
      expect(page.status).toBe(200);
      expect(page.body).toContain('<script type="module" src="/preview/assets/preview.js"></script>');
      expect(page.body).toContain('href="/preview/assets/preview.css"');
      expect(page.body).toContain('href="/inbox"');
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
    const js = await text('/preview/assets/preview.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    const css = await text('/preview/assets/preview.css');
    expect(css.headers.get('content-type')).toContain('text/css');
    // No build step and no third-party assets: no absolute URLs at all in the page's own files.
    for (const body of [readFileSync('preview/index.html', 'utf8'), js.body, css.body]) {
      expect(body).not.toMatch(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
    }
    expect((await text('/preview/assets/secret.txt')).status).toBe(404);
    expect((await text('/preview/assets/..%2F..%2Fpackage.json')).status).toBe(404);
  });

  it('redirects / to the preview in the standalone app', async () => {
    const response = await h.app.request('/');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/preview/');
  });

  it('answers the browser\'s /favicon.ico with an empty 204, not a 404', async () => {
    const response = await h.app.request('/favicon.ico');
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });
});

describe('GET /preview/api/sidebar', () => {
  it('lists newsletters with their dates newest first, every edition design, and defaults to the newest edition of the first newsletter in its own design', async () => {
    const { status, body } = await json('/preview/api/sidebar');
    expect(status).toBe(200);
    expect(body.errors).toBeNull();
    const config = loadConfig({ file: h.configFile });
    expect(body.newsletters.map((n: any) => n.id)).toEqual(config.newsletters.map((n) => n.id));
    const morning = body.newsletters[0];
    const dates = morning.editions.map((e: any) => e.date);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(dates.slice(0, 3)).toEqual(['2026-12-01', '2026-11-30', '2026-11-29']);
    expect(morning.editions[1].curatedBy).toMatch(/editions\/morning\/2026-11-30\.json$/);
    // Every listed date really builds, with that many articles.
    const content = loadContent(h.dataDir);
    for (const newsletter of body.newsletters) {
      for (const entry of newsletter.editions) {
        const edition = assembleEdition({ config, content, newsletterId: newsletter.id, date: entry.date });
        expect(isSkipped(edition)).toBe(false);
        if (!isSkipped(edition)) expect(entry.articles).toBe(1 + edition.items.length);
      }
    }
    expect(body.newsletters[1].editions.map((e: any) => e.date)).toContain('2026-11-29');
    // The cadence in words (describeSchedule) with the zone as configured and its offset now, beside the raw schedule.
    expect(body.newsletters.map((n: any) => n.cadence)).toEqual([
      expect.stringMatching(/^Every day at 6:00 a\.m\. America\/New_York, UTC-[45]$/),
      expect.stringMatching(/^Every Sunday at 8:00 a\.m\. America\/New_York, UTC-[45]$/),
    ]);
    expect(morning.schedule).toEqual({ cron: '0 6 * * *', timezone: 'America/New_York' });
    expect(body.templates.map((t: any) => t.name)).toEqual(expect.arrayContaining(['briefing', 'compact']));
    expect(body.templates.map((t: any) => t.name)).not.toContain('welcome');
    expect(body.defaultView).toEqual({ newsletter: 'morning', date: '2026-12-01', template: 'briefing' });
    expect(body.mailbox).toEqual({ local: true, url: '/inbox', describe: expect.stringContaining('local mail server') });
  });

  it('lists only dates whose window has articles or a curated file (a quiet day and a non-sending day are absent)', async () => {
    rmSync(join(h.dataDir, 'articles'), { recursive: true });
    rmSync(join(h.dataDir, 'editions'), { recursive: true });
    mkdirSync(join(h.dataDir, 'articles'));
    mkdirSync(join(h.dataDir, 'editions', 'morning'), { recursive: true });
    const article = (id: string, publishedAt: string, tags: string[] = []) => ({
      id, kicker: 'Speed read', headline: `Headline ${id}`, dek: 'Dek.', url: `https://news.example.com/${id}`, publishedAt, tags,
    });
    writeFileSync(
      join(h.dataDir, 'articles', 'a.json'),
      JSON.stringify([
        article('before-six', '2026-11-10T05:59:00-05:00'), // goes out on the 10th
        article('after-six', '2026-11-10T06:00:01-05:00'), // goes out on the 11th
        article('good', '2026-11-12T09:00:00-05:00', ['good-news']), // morning on the 13th; good-news on Sunday the 15th
      ]),
    );
    // A curated edition on a day whose window is empty still makes that date available.
    writeFileSync(join(h.dataDir, 'editions', 'morning', '2026-11-20.json'), JSON.stringify({ lead: 'before-six' }));
    const { body } = await json('/preview/api/sidebar');
    const morning = body.newsletters.find((n: any) => n.id === 'morning');
    expect(morning.editions.map((e: any) => e.date)).toEqual(['2026-11-20', '2026-11-13', '2026-11-11', '2026-11-10']);
    const goodNews = body.newsletters.find((n: any) => n.id === 'good-news');
    expect(goodNews.editions).toEqual([{ date: '2026-11-15', articles: 1 }]);
  });
});

describe('GET /preview/api/view', () => {
  it('renders the default view: subject, preheader, headers, plain text and checks', async () => {
    const { status, body } = await json('/preview/api/view');
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, newsletter: 'morning', date: '2026-12-01', template: 'briefing', reader: 'sample' });
    const config = loadConfig({ file: h.configFile });
    const edition = assembleEdition({ config, content: loadContent(h.dataDir), newsletterId: 'morning', date: '2026-12-01' });
    if (isSkipped(edition)) throw new Error('sample data changed: 2026-12-01 is empty');
    expect(body.subject).toBe(edition.subject);
    expect(body.text).toContain(edition.lead.headline);
    expect(body.text).toContain(edition.lead.url);
    const header = (name: string) => body.headers.find((x: any) => x.name === name)?.value;
    // The headers as the sender's builder writes them (the display name quoted, RFC 5322 §3.2.4).
    expect(header('From')).toBe('"The Daybreak Post" <briefing@daybreak.example>');
    expect(header('List-Id')).toBe('"The Morning Briefing" <morning.daybreak.example>');
    expect(header('Feedback-ID')).toBe('morning:newsletter:daybreak.example');
    expect(body.headers.map((x: any) => x.name).slice(0, 4)).toEqual(['From', 'Reply-To', 'Subject', 'Preheader']);
    expect(header('Subject')).toBe(edition.subject);
    expect(header('Preheader')).toBe(body.preheader);
    expect(header('List-Unsubscribe')).toBe(`<${sampleReader.unsubscribeUrl}>, <mailto:${config.publisher.unsubscribeMailbox}?subject=unsubscribe>`);
    expect(header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const checks = body.checks;
    expect(checks.articles).toBe(1 + edition.items.length);
    expect(checks.size.limit).toBe(102 * 1024);
    expect(checks.size.bytes).toBeGreaterThan(1000);
    expect(checks.size.clipped).toBe(false);
    expect(checks.lint).toEqual([]);
    expect(checks.imagesWithoutAlt).toEqual([]);
    expect(checks.nonAbsoluteLinks).toEqual([]);
    // The panel's Sends line: the time over the zone as configured, with its offset at the send (not "EST").
    expect(checks.sendAt).toEqual({
      iso: '2026-12-01T11:00:00.000Z',
      local: expect.stringMatching(/December 1, 2026.*6:00.*AM EST$/),
      timezone: 'America/New_York',
      wallClock: expect.stringMatching(/^Tuesday, December 1, 2026.*6:00\sAM$/),
      zone: 'America/New_York, UTC-5',
    });
    expect(checks.window.from).toBe('2026-11-30T11:00:00.000Z');
    // The pre-send gate, the same checks as `daybreak check`.
    expect(checks.gate.checks.map((c: any) => c.id)).toEqual(['lint', 'size', 'links', 'images', 'headers', 'sender', 'dkim', 'spam']);
    expect(checks.gate.checks.find((c: any) => c.id === 'size').status).toBe('pass');
  });

  it('says where each article came from: a configured source by its folder, or a file written by hand', async () => {
    const config = JSON.parse(readFileSync(h.configFile, 'utf8'));
    writeFileSync(h.configFile, JSON.stringify({ ...config, sources: [{ id: 'wire', url: 'https://wire.example/feed.json' }] }));
    mkdirSync(join(h.dataDir, 'articles', 'wire'), { recursive: true });
    const fetched = {
      id: 'wire-late-night',
      kicker: 'Wire',
      headline: 'A late-night wire story',
      dek: 'From the feed.',
      url: 'https://wire.example/late-night',
      publishedAt: '2026-12-01T05:30:00-05:00',
      priority: 100,
    };
    writeFileSync(join(h.dataDir, 'articles', 'wire', 'wire-late-night.json'), JSON.stringify(fetched));
    const { body } = await json('/preview/api/view?newsletter=morning&date=2026-12-01&template=briefing');
    const origins = body.checks.origins;
    expect(origins[0]).toEqual({
      id: 'wire-late-night',
      headline: 'A late-night wire story',
      kind: 'source',
      source: 'wire',
      url: 'https://wire.example/feed.json',
      file: expect.stringMatching(/articles\/wire\/wire-late-night\.json$/),
    });
    expect(origins.length).toBe(body.checks.articles);
    expect(origins.slice(1).every((o: any) => o.kind === 'file' && /articles\/[^/]+\.json$/.test(o.file))).toBe(true);
  });

  it('checks report lint findings, images without alt, relative links and a size over the clipping limit', () => {
    const bad =
      '<html><head><style>@media (prefers-color-scheme: dark) { body { color: #eee } }</style></head><body>' +
      '<img src="https://x.example/a.png" width="10" height="10"><img src="https://x.example/b.png" alt="" width="1" height="1">' +
      '<a href="/relative">x</a><a href="javascript:alert(1)">y</a><a href="https://ok.example/">z</a>' +
      `<p>${'x'.repeat(GMAIL_CLIP_BYTES)}</p></body></html>`;
    const checks = htmlChecks(bad);
    expect(checks.imagesWithoutAlt).toHaveLength(1);
    expect(checks.imagesWithoutAlt[0]).toContain('a.png');
    expect(checks.nonAbsoluteLinks).toHaveLength(2);
    expect(checks.nonAbsoluteLinks[0]).toContain('"/relative"');
    expect(checks.lint.map((f) => f.rule)).toEqual(expect.arrayContaining(['html-lang', 'preheader', 'size', 'img-attributes', 'absolute-links']));
    expect(checks.size.clipped).toBe(true);
    expect(checks.size.percent).toBeGreaterThan(100);
    expect(checks.darkModeRules).toBe(1);
    const fine = htmlChecks('<html lang="en"><body><div style="display:none">Pre</div><p>Hi</p></body></html>');
    expect(fine).toMatchObject({ lint: [], imagesWithoutAlt: [], nonAbsoluteLinks: [], darkModeRules: 0, size: { clipped: false } });
  });

  it('personalizes for the sample reader, a reader with no name and one with awkward characters', async () => {
    const sample = await text('/preview/morning/2026-12-01/briefing.html?reader=sample');
    expect(sample.body).toContain('Good morning, Ana.');
    const noName = await text('/preview/morning/2026-12-01/briefing.html?reader=no-name');
    expect(noName.body).toContain('Good morning.');
    expect(noName.body).not.toContain('Good morning, ');
    const awkward = await text('/preview/morning/2026-12-01/briefing.html?reader=awkward');
    expect(awkward.body).toContain(escapeHtml(awkwardReader.firstName!));
    expect(awkward.body).not.toContain(awkwardReader.firstName!);
    const awkwardText = await text('/preview/morning/2026-12-01/briefing.txt?reader=awkward');
    expect(awkwardText.body).toContain(awkwardReader.firstName!);
    const view = await json('/preview/api/view?newsletter=morning&date=2026-12-01&template=briefing&reader=awkward');
    expect(view.body.text).toContain(awkwardReader.firstName!);
    expect((await text('/preview/morning/2026-12-01/briefing.html?reader=mallory')).status).toBe(400);
    expect((await json('/preview/api/view?reader=mallory')).status).toBe(400);
  });

  it('answers 404 naming the alternatives for an unknown newsletter or design, and 400 for a malformed date', async () => {
    const newsletter = await json('/preview/api/view?newsletter=evening');
    expect(newsletter.status).toBe(404);
    expect(newsletter.body.errors[0]).toMatch(/No newsletter "evening".*morning, good-news/);
    const design = await json('/preview/api/view?newsletter=morning&date=2026-12-01&template=glossy');
    expect(design.status).toBe(404);
    expect(design.body.errors[0]).toMatch(/No edition template "glossy".*briefing/);
    const transactional = await json('/preview/api/view?newsletter=morning&date=2026-12-01&template=welcome');
    expect(transactional.status).toBe(404);
    const date = await json('/preview/api/view?date=2026-13-01');
    expect(date.status).toBe(400);
    expect(date.body.errors).toEqual(['request: date: Expected a date written YYYY-MM-DD']);
  });

  it('explains a date on which the newsletter does not go out, naming the next one', async () => {
    const { status, body } = await json('/preview/api/view?newsletter=good-news&date=2026-11-30&template=briefing');
    expect(status).toBe(404);
    expect(body.kind).toBe('no-edition');
    expect(body.errors[0]).toMatch(/does not go out on 2026-11-30.*next edition is on 2026-12-06/);
  });

  it('says a date has no articles and shows the window it looked at', async () => {
    const { status, body } = await json('/preview/api/view?newsletter=morning&date=2027-01-15&template=briefing');
    expect(status).toBe(404);
    expect(body.kind).toBe('no-articles');
    expect(body.window).toMatchObject({ from: '2027-01-14T11:00:00.000Z', to: '2027-01-15T11:00:00.000Z', timezone: 'America/New_York' });
    expect(body.window.fromLocal).toMatch(/January 14, 2027.*6:00.*AM EST/);
    expect(body.errors[0]).toContain('would have no articles');
    expect(body.errors[0]).toContain(body.window.fromLocal);
    expect(body.errors[0]).toContain(body.window.toLocal);
    expect(body.errors[1]).toBe('Nearest editions with articles: 2026-12-01 (before)');
    const raw = await text('/preview/morning/2027-01-15/briefing.html');
    expect(raw.status).toBe(404);
    expect(raw.body).toContain('No articles for this edition');
    expect(raw.body).toContain(escapeHtml(body.window.fromLocal));
  });
});

describe('raw renders GET /preview/<newsletter>/<date>/<template>.html|.txt', () => {
  it('serves every available edition in every design, both parts, with the lead headline and link', async () => {
    const { body: sidebar } = await json('/preview/api/sidebar');
    const config = loadConfig({ file: h.configFile });
    const content = loadContent(h.dataDir);
    let served = 0;
    for (const newsletter of sidebar.newsletters) {
      for (const { date } of newsletter.editions) {
        const edition = assembleEdition({ config, content, newsletterId: newsletter.id, date });
        if (isSkipped(edition)) throw new Error('listed date is empty');
        for (const template of sidebar.templates) {
          const html = await text(`/preview/${newsletter.id}/${date}/${template.name}.html`);
          expect(html.status, `${newsletter.id}/${date}/${template.name}.html`).toBe(200);
          expect(html.headers.get('content-type')).toContain('text/html');
          expect(html.headers.get('content-security-policy')).toMatch(/^sandbox /);
          expect(html.headers.get('content-security-policy')).not.toContain('allow-scripts');
          expect(html.body).toContain(escapeHtml(edition.lead.headline));
          const txt = await text(`/preview/${newsletter.id}/${date}/${template.name}.txt`);
          expect(txt.status).toBe(200);
          expect(txt.headers.get('content-type')).toContain('text/plain');
          expect(txt.body).toContain(edition.lead.headline);
          expect(txt.body).toContain(edition.lead.url);
          served += 2;
        }
      }
    }
    expect(served).toBeGreaterThanOrEqual(2 * 2 * 4);
  });

  it('is byte for byte what renderEdition + personalize (the send path) produce', async () => {
    const config = loadConfig({ file: h.configFile });
    const edition = assembleEdition({ config, content: loadContent(h.dataDir), newsletterId: 'morning', date: '2026-11-30' });
    if (isSkipped(edition)) throw new Error('sample data changed');
    for (const template of ['briefing', 'compact']) {
      const rendered = await renderEdition(edition, config, template);
      const expected = rendered.personalize(sampleReader);
      expect((await text(`/preview/morning/2026-11-30/${template}.html`)).body).toBe(expected.html);
      expect((await text(`/preview/morning/2026-11-30/${template}.txt`)).body).toBe(expected.text);
    }
  });

  it('serves a dark-mode copy whose dark media queries apply, and leaves the light copy alone', async () => {
    const light = await text('/preview/morning/2026-12-01/briefing.html');
    const dark = await text('/preview/morning/2026-12-01/briefing.html?scheme=dark');
    expect(light.body).toMatch(/prefers-color-scheme:\s*dark/);
    expect(dark.body).not.toMatch(/prefers-color-scheme:\s*dark/);
    expect(dark.body).toContain('(min-width: 0px)');
    expect(dark.body.length).toBeLessThan(light.body.length + 200);
  });

  it('answers 404 for a malformed path, an unknown design or a date without an edition', async () => {
    expect((await text('/preview/morning/2026-12-01/briefing.pdf')).status).toBe(404);
    expect((await text('/preview/morning/12-01-2026/briefing.html')).status).toBe(404);
    const unknown = await text('/preview/morning/2026-12-01/glossy.txt');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('No edition template "glossy"');
    expect((await text('/preview/good-news/2026-11-30/briefing.html')).status).toBe(404);
  });
});

describe('invalid data and config', () => {
  it('shows every validation error line instead of a render, and keeps the last good render reachable', async () => {
    const good = await text('/preview/morning/2026-12-01/briefing.html');
    expect(good.status).toBe(200);
    const before = await json('/preview/api/sidebar');
    writeFileSync(
      join(h.dataDir, 'articles', 'broken.json'),
      JSON.stringify([{ id: 'x1', kicker: 'K', dek: 'D', url: 'not a url', publishedAt: '2026-12-01T01:00:00-05:00' }]),
    );
    writeFileSync(join(h.dataDir, 'articles', 'truncated.json'), '{"id": "x2",');
    const view = await json('/preview/api/view?newsletter=morning&date=2026-12-01&template=briefing');
    expect(view.status).toBe(422);
    expect(view.body.kind).toBe('invalid');
    expect(view.body.title).toBe('The data does not validate');
    const broken = join(h.dataDir, 'articles', 'broken.json');
    expect(view.body.errors).toEqual(
      expect.arrayContaining([
        `${broken}: [0].headline: Required`,
        expect.stringMatching(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: \\[0\\]\\.url: `)),
        expect.stringMatching(/truncated\.json: not valid JSON/),
      ]),
    );
    expect(view.body.lastGood).toMatchObject({ renderedAt: expect.any(String) });

    const raw = await text('/preview/morning/2026-12-01/briefing.html');
    expect(raw.status).toBe(422);
    for (const line of view.body.errors) expect(raw.body).toContain(escapeHtml(line));
    expect(raw.body).toContain('<a href="?last-good=1">Show the last good render</a>');
    const rawNoName = await text('/preview/morning/2026-12-01/briefing.html?reader=no-name');
    expect(rawNoName.body).toContain('<a href="?reader=no-name&amp;last-good=1">');
    const lastGood = await text('/preview/morning/2026-12-01/briefing.html?last-good=1');
    expect(lastGood.status).toBe(200);
    expect(lastGood.body).toBe(good.body);

    const sidebar = await json('/preview/api/sidebar');
    expect(sidebar.body.errors).toEqual(view.body.errors);
    // The page keeps its navigation: the last good lists, with the errors.
    expect(sidebar.body.newsletters).toEqual(before.body.newsletters);

    rmSync(broken);
    rmSync(join(h.dataDir, 'articles', 'truncated.json'));
    expect((await json('/preview/api/view?newsletter=morning&date=2026-12-01&template=briefing')).status).toBe(200);
  });

  it('has no last good render to offer when the view never rendered, and still lists the newsletters', async () => {
    writeFileSync(join(h.dataDir, 'articles', 'broken.json'), '[');
    const sidebar = await json('/preview/api/sidebar');
    expect(sidebar.body.errors[0]).toMatch(/broken\.json: not valid JSON/);
    expect(sidebar.body.newsletters.map((n: any) => [n.id, n.editions])).toEqual([['morning', []], ['good-news', []]]);
    const view = await json('/preview/api/view?newsletter=morning&date=2026-11-29&template=compact');
    expect(view.status).toBe(422);
    expect(view.body.lastGood).toBeUndefined();
    expect((await text('/preview/morning/2026-11-29/compact.html?last-good=1')).status).toBe(404);
  });

  it('shows config errors naming the key', async () => {
    const config = JSON.parse(readFileSync(h.configFile, 'utf8'));
    config.newsletters[0].schedule.timezone = 'Mars/Olympus_Mons';
    writeFileSync(h.configFile, JSON.stringify(config));
    const view = await json('/preview/api/view?newsletter=morning&date=2026-12-01&template=briefing');
    expect(view.status).toBe(422);
    expect(view.body.title).toBe('The config does not validate');
    expect(view.body.errors).toHaveLength(1);
    expect(view.body.errors[0]).toMatch(/: newsletters\[0\]\.schedule\.timezone: Unknown IANA timezone/);
    expect(view.body.errors[0].startsWith(`${h.configFile}: `)).toBe(true);
  });
});

describe('POST /preview/api/send-test', () => {
  const request = (body: unknown) => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const view = { newsletter: 'morning', date: '2026-12-01', template: 'compact', reader: 'no-name' };

  it('sends the current view through the mailer (the local mail server here), outside the ledger', async () => {
    const { status, body } = await json('/preview/api/send-test', request({ to: 'editor@example.com', ...view }));
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, to: 'editor@example.com', via: expect.stringContaining('local mail server'), inbox: '/inbox' });
    const maildir = join(h.varDir, 'mail');
    const [entry] = await readMaildir(maildir);
    expect(entry!.to).toBe('editor@example.com');
    expect(entry!.subject).toMatch(/^\[Test\] The Morning Briefing: /);
    const message = await readMaildirMessage(maildir, entry!.id);
    const header = (name: string) => message.headers.find((x) => x.name === name)?.value;
    expect(header('List-Unsubscribe')).toContain('<http://localhost:3000/unsubscribe?token=sample-noname>');
    expect(header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(header('Message-ID')).toBe(body.messageId);
    const preview = await text('/preview/morning/2026-12-01/compact.html?reader=no-name');
    // The same render, with the address it went to as the reader's email.
    expect(message.html!.trim()).toBe(preview.body.replaceAll('no.name@example.com', 'editor@example.com').trim());
  });

  it('refuses a malformed address or view, and a date without an edition', async () => {
    const bad = await json('/preview/api/send-test', request({ to: 'not-an-address', ...view }));
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual(['request: to: Enter an email address']);
    const missing = await json('/preview/api/send-test', request({ to: 'a@example.com' }));
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual(expect.arrayContaining(['request: newsletter: Required', 'request: date: Required']));
    const notJson = await h.app.request('/preview/api/send-test', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: 'to=a@example.com' });
    expect(notJson.status).toBe(400);
    // A cross-site form can only post "simple" bodies; text/plain that looks like JSON is refused.
    const formLike = await h.app.request('/preview/api/send-test', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ to: 'a@example.com', ...view }) });
    expect(formLike.status).toBe(415);
    const quiet = await json('/preview/api/send-test', request({ to: 'a@example.com', ...view, date: '2027-01-15' }));
    expect(quiet.status).toBe(404);
    expect(await readMaildir(join(h.varDir, 'mail'))).toEqual([]);
  });

  it('allows a few sends a minute and then answers 429 with Retry-After', async () => {
    await h.close();
    h = previewHarness({ sendRatePerMinute: 2 });
    const send = () => json('/preview/api/send-test', request({ to: 'editor@example.com', ...view }));
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(200);
    const third = await send();
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(third.body.errors[0]).toMatch(/At most 2 test sends a minute/);
    expect(await readMaildir(join(h.varDir, 'mail'))).toHaveLength(2);
  });

  it('reports a transport that refuses the message and does not count it', async () => {
    await h.close();
    // Nothing listens on port 9 of loopback: the connection is refused.
    h = previewHarness({ env: { SMTP_URL: 'smtp://127.0.0.1:9' }, sendRatePerMinute: 1 });
    const first = await json('/preview/api/send-test', request({ to: 'editor@example.com', ...view }));
    expect(first.status).toBe(502);
    expect(first.body.errors[0]).toMatch(/^The test was not sent: /);
    expect(first.body.via).toBe('smtp://127.0.0.1:9');
    expect((await json('/preview/api/send-test', request({ to: 'editor@example.com', ...view }))).status).toBe(502);
  });
});

describe('without the watcher (daybreak preview --no-watch)', () => {
  it('reads the data afresh for every request, so an edit still shows', async () => {
    const before = await text('/preview/morning/2026-12-01/briefing.txt');
    h.editJson('articles/2026-12-01-lead-winter-storm.json', (article) => ({ ...article, headline: 'Edited without a watcher' }));
    const after = await text('/preview/morning/2026-12-01/briefing.txt');
    expect(before.body).not.toContain('Edited without a watcher');
    expect(after.body).toContain('Edited without a watcher');
  });
});
