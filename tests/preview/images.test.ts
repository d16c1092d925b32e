/**
 * The sample pictures: shipped in data/images, served at /images/<file> by every app that serves the
 * emails' baseUrl, and checked by the preview, whose panel names each image that does not load and why.
 * Real HTTP servers on loopback; no image host is faked.
 */
import { copyFileSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, loadContent, resolveBrand } from '../../src/content/index.ts';
import { createImageApp, startServer, type RunningServer } from '../../src/web/index.ts';
import { brandAssets } from '../../src/web/brand-assets.ts';
import { createImageProbe } from '../../src/web/image-probe.ts';
import { checksHeadline } from '../../src/preview/checks-headline.ts';
import { previewHarness, type PreviewHarness } from './setup.ts';

let servers: RunningServer[] = [];
let h: PreviewHarness | undefined;
afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
  await h?.close();
  h = undefined;
});

/** A loopback port nothing listens on: one a server just let go of. */
async function closedPort(): Promise<number> {
  const server = await startServer(new Hono(), { port: 0, hostname: '127.0.0.1' });
  const { port } = server;
  await server.close();
  return port;
}

/** What `daybreak start` serves under baseUrl for the emails' pictures: /images, and the brand's logos. */
async function serveImages(dir: string, configFile?: string): Promise<RunningServer> {
  const app = new Hono();
  app.route('/images', createImageApp(dir));
  if (configFile) app.route('/', brandAssets(resolveBrand(loadConfig({ file: configFile }))));
  const server = await startServer(app, { port: 0, hostname: '127.0.0.1' });
  servers.push(server);
  return server;
}

describe('the shipped sample images', () => {
  it('are real pictures in data/images for every image the sample articles name', () => {
    const content = loadContent('data');
    const named = content.articles.filter((a) => a.image).map((a) => a.image!.url);
    expect(named.length).toBeGreaterThanOrEqual(5);
    for (const url of named) {
      expect(url).toMatch(/^\/images\//);
      const bytes = readFileSync(join('data', url));
      // JPEG's start-of-image marker: a real picture, not a placeholder.
      expect([...bytes.subarray(0, 3)], url).toEqual([0xff, 0xd8, 0xff]);
    }
  });

  it('are served at /images/<file> with their type, and nothing outside data/images is', async () => {
    h = previewHarness();
    symlinkSync(join(h.dir, 'daybreak.config.json'), join(h.dataDir, 'images', 'config.jpg'));
    writeFileSync(join(h.dataDir, 'images', 'drawing.svg'), '<svg onload="alert(1)"/>');
    const server = await serveImages(join(h.dataDir, 'images'));
    const ok = await fetch(`${server.url}/images/otters-600.jpg`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await ok.arrayBuffer())).toEqual(readFileSync(join('data', 'images', 'otters-600.jpg')));
    for (const path of ['/images/missing.jpg', '/images/config.jpg', '/images/drawing.svg', '/images/..%2Fdaybreak.config.json', '/images/.hidden.jpg']) {
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
    }
  });
});

describe('the image probe', () => {
  it('names each image that does not load, with the reason, and passes the ones that do', async () => {
    const server = await serveImages(join('data', 'images'));
    const closed = await closedPort();
    const html = [
      `<img src="${server.url}/images/otters-600.jpg" alt="ok">`,
      `<img src="${server.url}/images/missing.jpg" alt="gone">`,
      `<img alt="refused" src='http://127.0.0.1:${closed}/x.jpg'>`,
      `<img src="http://static.daybreak.invalid/x.jpg" alt="unresolvable">`,
    ].join('');
    const problems = await createImageProbe({ timeoutMs: 4000 })(html);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toBe(`${server.url}/images/missing.jpg: HTTP 404`);
    expect(problems[1]).toBe(`http://127.0.0.1:${closed}/x.jpg: nothing listens there (ECONNREFUSED)`);
    // RFC 6761: .invalid never resolves (or the lookup times out where there is no DNS at all).
    expect(problems[2]).toMatch(/^http:\/\/static\.daybreak\.invalid\/x\.jpg: (its host does not resolve \((ENOTFOUND|EAI_AGAIN)\)|no answer within 4 s)$/);
  }, 20_000);
});

describe('the preview checks panel', () => {
  it('reports that every image loads when baseUrl reaches a server of the data folder, and names it when it does not', async () => {
    h = previewHarness();
    const server = await serveImages(join(h.dataDir, 'images'), h.configFile);
    const setBaseUrl = (baseUrl: string) => {
      const config = JSON.parse(readFileSync(h!.configFile, 'utf8'));
      writeFileSync(h!.configFile, JSON.stringify({ ...config, baseUrl }));
    };
    setBaseUrl(server.url);
    const view = async () => (await (await h!.app.request('/preview/api/view?newsletter=morning&date=2026-12-01&template=briefing')).json()) as {
      checks: { imagesNotLoading: string[] };
      text: string;
    };
    const good = await view();
    expect(good.checks.imagesNotLoading).toEqual([]);
    const html = await (await h.app.request('/preview/morning/2026-12-01/briefing.html')).text();
    expect(html).toContain(`src="${server.url}/images/storm-radar-600.jpg"`);

    await h.close();
    h = previewHarness();
    const config = JSON.parse(readFileSync(h.configFile, 'utf8'));
    const closed = await closedPort();
    writeFileSync(h.configFile, JSON.stringify({ ...config, baseUrl: `http://127.0.0.1:${closed}` }));
    const bad = (await (await h.app.request('/preview/api/view?newsletter=morning&date=2026-12-01&template=briefing')).json()) as { checks: { imagesNotLoading: string[] } };
    expect(bad.checks.imagesNotLoading).toContain(`http://127.0.0.1:${closed}/images/storm-radar-600.jpg: nothing listens there (ECONNREFUSED)`);
    expect(bad.checks.imagesNotLoading).toContain(`http://127.0.0.1:${closed}/assets/brand/logo.png: nothing listens there (ECONNREFUSED)`);
  }, 30_000);

  it('is what the sample config gives: the sample images are served where its baseUrl points', () => {
    const config = loadConfig({ file: 'daybreak.config.json' });
    // `daybreak start` listens on web.port and serves /images there; baseUrl points at it.
    expect(new URL(config.baseUrl).port).toBe(String(config.web.port));
  });
});

describe('the standalone preview (daybreak preview) and the images under baseUrl', () => {
  const VIEW = '/preview/api/view?newsletter=morning&date=2026-12-01&template=briefing';
  const RAW = '/preview/morning/2026-12-01/briefing.html';
  type ViewChecks = {
    imagesNotLoading: string[];
    imagesShownByPreview: { src: string; path: string; loads: boolean }[];
    headline: { status: string; text: string };
    gate: { ok: boolean };
  };
  const checksOf = async (): Promise<ViewChecks> => ((await (await h!.app.request(VIEW)).json()) as { checks: ViewChecks }).checks;
  const srcs = (html: string): string[] => [...html.matchAll(/<img\b[^>]*\bsrc="([^"]*)"/g)].map((m) => m[1]!);

  /** A preview whose config's baseUrl is a port nothing listens on, as when only `daybreak preview` runs. */
  async function previewWithBaseUrlDown(): Promise<string> {
    h = previewHarness();
    const baseUrl = `http://127.0.0.1:${await closedPort()}`;
    h.editJson('../daybreak.config.json', (config) => ({ ...config, baseUrl }));
    return baseUrl;
  }

  it('serves the brand logos and the data folder\'s images at the paths the public app serves them at under baseUrl', async () => {
    h = previewHarness();
    for (const [path, file, type] of [
      ['/assets/brand/logo.png', 'brand/logo.png', 'image/png'],
      ['/assets/brand/logo-dark.png', 'brand/logo-dark.png', 'image/png'],
      ['/images/storm-radar-600.jpg', 'images/storm-radar-600.jpg', 'image/jpeg'],
    ] as const) {
      const res = await h.app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
      expect(Buffer.from(await res.arrayBuffer()), path).toEqual(readFileSync(join(h.dataDir, file)));
    }
    expect((await h.app.request('/assets/brand/logo.gif')).status).toBe(404);
    // A config without logos (once the preview has reloaded it): nothing is served at the logo paths.
    h.editJson('../daybreak.config.json', (config) => ({ ...config, publisher: { ...config.publisher, brand: { ...config.publisher.brand, logo: undefined, logoDark: undefined } } }));
    h.preview.service.notify({ kinds: ['config'], files: [h.configFile] });
    expect((await h.app.request('/assets/brand/logo.png')).status).toBe(404);
  });

  it('shows the frame with those images pointed at itself, while the Source, the raw render and a test send keep the baseUrl addresses', async () => {
    const baseUrl = await previewWithBaseUrlDown();
    const sent = [`${baseUrl}/assets/brand/logo.png`, `${baseUrl}/assets/brand/logo-dark.png`, `${baseUrl}/images/storm-radar-600.jpg`];
    const shown = srcs(await (await h!.app.request(`${RAW}?images=preview`)).text());
    expect(shown).toEqual(['/assets/brand/logo.png', '/assets/brand/logo-dark.png', '/images/storm-radar-600.jpg']);
    for (const path of shown) expect((await h!.app.request(path)).status, path).toBe(200);
    expect(srcs(await (await h!.app.request(`${RAW}?images=preview&scheme=dark`)).text())).toEqual(shown);

    // What the Source tab and the raw link fetch: the copy as sent, byte for byte what the service renders.
    const source = await (await h!.app.request(RAW)).text();
    expect(srcs(source)).toEqual(sent);
    const copy = await h!.preview.service.copy({ newsletter: 'morning', date: '2026-12-01', template: 'briefing' });
    expect(copy.ok && copy.copy.html).toBe(source);

    const test = await h!.app.request('/preview/api/send-test', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: 'editor@example.com', newsletter: 'morning', date: '2026-12-01', template: 'briefing' }),
    });
    expect(test.status).toBe(200);
    const listing = (await (await h!.app.request('/inbox?format=json')).json()) as { messages: { id: string }[] };
    expect(srcs(await (await h!.app.request(`/inbox/${listing.messages[0]!.id}/html`)).text())).toEqual(sent);
  }, 30_000);

  it('does not say a plain "pass" while images do not load: the headline counts them, and the checks name what the frame shows from the preview', async () => {
    const baseUrl = await previewWithBaseUrlDown();
    const checks = await checksOf();
    expect(checks.gate.ok).toBe(true);
    expect(checks.imagesNotLoading).toHaveLength(3);
    expect(checks.headline).toEqual({ status: 'warn', text: 'Pre-send checks: pass, but 3 images do not load' });
    expect(checks.imagesShownByPreview).toEqual([
      { src: `${baseUrl}/assets/brand/logo.png`, path: '/assets/brand/logo.png', loads: true },
      { src: `${baseUrl}/assets/brand/logo-dark.png`, path: '/assets/brand/logo-dark.png', loads: true },
      { src: `${baseUrl}/images/storm-radar-600.jpg`, path: '/images/storm-radar-600.jpg', loads: true },
    ]);
  }, 30_000);

  it('says "pass" when baseUrl answers with every image', async () => {
    h = previewHarness();
    const server = await serveImages(join(h.dataDir, 'images'), h.configFile);
    h.editJson('../daybreak.config.json', (config) => ({ ...config, baseUrl: server.url }));
    const checks = await checksOf();
    expect(checks.imagesNotLoading).toEqual([]);
    expect(checks.headline).toEqual({ status: 'pass', text: 'Pre-send checks: pass' });
  }, 30_000);

  it('still reports an image that exists nowhere, and leaves images on other hosts as they are', async () => {
    const baseUrl = await previewWithBaseUrlDown();
    const lead = 'articles/2026-12-01-lead-winter-storm.json';
    h!.editJson(lead, (article) => ({ ...article, image: { ...article.image, url: `${baseUrl}/images/not-there.jpg` } }));
    let checks = await checksOf();
    expect(checks.imagesNotLoading).toContain(`${baseUrl}/images/not-there.jpg: nothing listens there (ECONNREFUSED)`);
    expect(checks.imagesShownByPreview).toContainEqual({ src: `${baseUrl}/images/not-there.jpg`, path: '/images/not-there.jpg', loads: false });
    expect(checks.headline.status).toBe('warn');
    // The preview does not have it either: the frame keeps its address rather than pointing at a 404 here.
    expect((await h!.app.request('/images/not-there.jpg')).status).toBe(404);
    const framed = srcs(await (await h!.app.request(`${RAW}?images=preview`)).text());
    expect(framed).toContain(`${baseUrl}/images/not-there.jpg`);
    expect(framed).not.toContain('/images/not-there.jpg');

    const elsewhere = `http://127.0.0.1:${await closedPort()}/photos/x.jpg`;
    h!.editJson(lead, (article) => ({ ...article, image: { ...article.image, url: elsewhere } }));
    checks = await checksOf();
    expect(checks.imagesNotLoading).toContain(`${elsewhere}: nothing listens there (ECONNREFUSED)`);
    expect(checks.imagesShownByPreview.map((i) => i.src)).not.toContain(elsewhere);
    expect(checks.headline.text).toBe('Pre-send checks: pass, but 3 images do not load');
    expect(srcs(await (await h!.app.request(`${RAW}?images=preview`)).text())).toContain(elsewhere);
  }, 30_000);

  it('words the headline in the panel\'s terms: one image, several, and a held edition', () => {
    expect(checksHeadline(true, 0)).toEqual({ status: 'pass', text: 'Pre-send checks: pass' });
    expect(checksHeadline(true, 1)).toEqual({ status: 'warn', text: 'Pre-send checks: pass, but 1 image does not load' });
    expect(checksHeadline(false, 0)).toEqual({ status: 'fail', text: 'Pre-send checks: the edition would be held' });
    expect(checksHeadline(false, 2)).toEqual({ status: 'fail', text: 'Pre-send checks: the edition would be held, and 2 images do not load' });
  });
});

describe('the standalone preview over HTTP: the images its frame shows from itself', () => {
  const RAW = '/preview/morning/2026-12-01/briefing.html';
  const srcs = (html: string): string[] => [...html.matchAll(/<img\b[^>]*\bsrc="([^"]*)"/g)].map((m) => m[1]!);

  it('points the frame at an image file it has, and leaves one whose file it does not have at its real address', async () => {
    h = previewHarness();
    const baseUrl = `http://127.0.0.1:${await closedPort()}`;
    h.editJson('../daybreak.config.json', (config) => ({ ...config, baseUrl }));
    // A picture on the real site under baseUrl that the local data folder does not have.
    const onSite = `${baseUrl}/images/on-the-site.jpg`;
    h.editJson('articles/2026-12-01-lead-winter-storm.json', (article) => ({ ...article, image: { ...article.image, url: onSite } }));
    const server = await startServer(h.app, { port: 0, hostname: '127.0.0.1' });
    servers.push(server);
    const framed = async (scheme = ''): Promise<string[]> => srcs(await (await fetch(`${server.url}${RAW}?images=preview${scheme}`)).text());

    expect((await fetch(`${server.url}/images/on-the-site.jpg`)).status).toBe(404);
    expect(await framed()).toEqual(['/assets/brand/logo.png', '/assets/brand/logo-dark.png', onSite]);
    expect(await framed('&scheme=dark')).toEqual(['/assets/brand/logo.png', '/assets/brand/logo-dark.png', onSite]);
    for (const path of ['/assets/brand/logo.png', '/assets/brand/logo-dark.png']) expect((await fetch(`${server.url}${path}`)).status, path).toBe(200);
    const view = async () =>
      ((await (await fetch(`${server.url}/preview/api/view?newsletter=morning&date=2026-12-01&template=briefing`)).json()) as {
        checks: { imagesShownByPreview: { src: string; path: string; loads: boolean }[] };
      }).checks.imagesShownByPreview;
    expect(await view()).toContainEqual({ src: onSite, path: '/images/on-the-site.jpg', loads: false });

    // Once the file is in the folder the preview serves, the frame shows it from there.
    copyFileSync(join('data', 'images', 'storm-radar-600.jpg'), join(h.dataDir, 'images', 'on-the-site.jpg'));
    expect(await framed()).toEqual(['/assets/brand/logo.png', '/assets/brand/logo-dark.png', '/images/on-the-site.jpg']);
    const picture = await fetch(`${server.url}/images/on-the-site.jpg`);
    expect(picture.status).toBe(200);
    expect(picture.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await picture.arrayBuffer())).toEqual(readFileSync(join('data', 'images', 'storm-radar-600.jpg')));
    expect(await view()).toContainEqual({ src: onSite, path: '/images/on-the-site.jpg', loads: true });
    // The copy as sent keeps the baseUrl addresses either way.
    expect(srcs(await (await fetch(`${server.url}${RAW}`)).text())).toEqual([`${baseUrl}/assets/brand/logo.png`, `${baseUrl}/assets/brand/logo-dark.png`, onSite]);
  }, 30_000);
});

describe("the standalone preview's logo route (/assets/brand/…)", () => {
  /** The logo as fetched over HTTP: its status and bytes. */
  const fetchLogo = async (server: RunningServer): Promise<{ status: number; body: Buffer }> => {
    const res = await fetch(`${server.url}/assets/brand/logo.png`);
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
  };
  const otherLogo = (config: any) => ({ ...config, publisher: { ...config.publisher, brand: { ...config.publisher.brand, logo: 'data/brand/logo-dark.png' } } });

  it('serves the logos of the config the preview renders with, and reads the config again only when the preview reloads it', async () => {
    h = previewHarness();
    const server = await startServer(h.app, { port: 0, hostname: '127.0.0.1' });
    servers.push(server);
    const light = readFileSync(join(h.dataDir, 'brand', 'logo.png'));
    const dark = readFileSync(join(h.dataDir, 'brand', 'logo-dark.png'));
    expect(light.equals(dark)).toBe(false);
    expect(await fetchLogo(server)).toEqual({ status: 200, body: light });

    // A config file made invalid after start: the logo route keeps the config the preview holds.
    const good = readFileSync(h.configFile, 'utf8');
    writeFileSync(h.configFile, '{ "baseUrl": ');
    expect(await fetchLogo(server)).toEqual({ status: 200, body: light });
    // The preview reloads it (as its watcher does on a change) and shows the error; the logos of the
    // config it last loaded stay, which its last good renders name.
    h.preview.service.notify({ kinds: ['config'], files: [h.configFile] });
    const sidebar = (await (await fetch(`${server.url}/preview/api/sidebar`)).json()) as { errors: string[] | null };
    expect(sidebar.errors?.join('\n')).toMatch(/daybreak\.config\.json/);
    expect(await fetchLogo(server)).toEqual({ status: 200, body: light });

    // A valid config naming another logo file: served once the preview has reloaded it, not before.
    writeFileSync(h.configFile, JSON.stringify(otherLogo(JSON.parse(good))));
    expect(await fetchLogo(server)).toEqual({ status: 200, body: light });
    h.preview.service.notify({ kinds: ['config'], files: [h.configFile] });
    expect(await fetchLogo(server)).toEqual({ status: 200, body: dark });
  }, 30_000);

  it('follows a change to the config file when the preview watches it', async () => {
    h = previewHarness({ watch: true });
    const server = await startServer(h.app, { port: 0, hostname: '127.0.0.1' });
    servers.push(server);
    expect(await fetchLogo(server)).toEqual({ status: 200, body: readFileSync(join(h.dataDir, 'brand', 'logo.png')) });
    const changed = new Promise<void>((resolve) => {
      const stop = h!.preview.service.subscribe((event) => {
        if (event.kinds.includes('config')) {
          stop();
          resolve();
        }
      });
    });
    h.editJson('../daybreak.config.json', otherLogo);
    await changed;
    expect(await fetchLogo(server)).toEqual({ status: 200, body: readFileSync(join(h.dataDir, 'brand', 'logo-dark.png')) });
  }, 30_000);
});
