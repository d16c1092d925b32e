/**
 * The sample pictures: shipped in data/images, served at /images/<file> by every app that serves the
 * emails' baseUrl, and checked by the preview, whose panel names each image that does not load and why.
 * Real HTTP servers on loopback; no image host is faked.
 */
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, loadContent, resolveBrand } from '../../src/content/index.ts';
import { createImageApp, startServer, type RunningServer } from '../../src/web/index.ts';
import { brandAssets } from '../../src/web/brand-assets.ts';
import { createImageProbe } from '../../src/web/image-probe.ts';
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
