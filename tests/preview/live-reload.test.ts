import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { escapeHtml, renderEdition, sampleReader } from '../../src/designs/index.ts';
import { assembleEdition, isSkipped, loadConfig, loadContent } from '../../src/content/index.ts';
import { createRenderLoader, importGeneration } from '../../src/preview/render-loader.ts';
import { previewHarness, readEvents, type PreviewHarness } from './setup.ts';

let h: PreviewHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const LEAD_FILE = 'articles/2026-12-01-lead-winter-storm.json';

/** Opens the event stream and waits for its hello, so later changes cannot be missed. */
async function openEvents(harness: PreviewHarness): Promise<Response> {
  const response = await harness.app.request('/preview/events');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  return response;
}

describe('live reload', () => {
  it('sends a change event when an article file is saved, and the next fetch renders the new headline', async () => {
    h = previewHarness({ watch: true });
    const before = await (await h.app.request('/preview/morning/2026-12-01/briefing.html')).text();
    const response = await openEvents(h);
    const events = readEvents(response, (e) => e.event === 'change');
    // Give the stream a moment to subscribe before the write (the hello is written after subscribing).
    await new Promise((resolve) => setTimeout(resolve, 50));
    const headline = 'Edited in the preview test: storm turns north';
    h.editJson(LEAD_FILE, (article) => ({ ...article, headline }));
    const received = await events;
    expect(received[0]).toEqual({ event: 'hello', data: JSON.stringify({ generation: 0 }) });
    const change = JSON.parse(received.at(-1)!.data);
    expect(change).toMatchObject({ type: 'change', generation: 1, kinds: ['data'] });
    expect(change.files[0]).toMatch(/2026-12-01-lead-winter-storm\.json$/);

    const after = await (await h.app.request('/preview/morning/2026-12-01/briefing.html')).text();
    expect(after).not.toBe(before);
    expect(after).toContain(escapeHtml(headline));
    const view = await (await h.app.request('/preview/api/view?newsletter=morning&date=2026-12-01&template=briefing')).json();
    expect(view.generation).toBe(1);
    expect(view.subject).toContain(headline);
  });

  it('reports a config change, and an invalid save shows its errors until it is fixed', async () => {
    h = previewHarness({ watch: true });
    await h.app.request('/preview/morning/2026-12-01/briefing.html');
    let events = readEvents(await openEvents(h), (e) => e.event === 'change');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const config = JSON.parse(readFileSync(h.configFile, 'utf8'));
    config.newsletters[0].name = 'The Early Edition';
    writeFileSync(h.configFile, JSON.stringify(config, null, 2));
    expect(JSON.parse((await events).at(-1)!.data).kinds).toEqual(['config']);
    const renamed = await (await h.app.request('/preview/api/view?newsletter=morning&date=2026-12-01&template=briefing')).json();
    expect(renamed.subject).toMatch(/^The Early Edition: /);

    events = readEvents(await openEvents(h), (e) => e.event === 'change');
    await new Promise((resolve) => setTimeout(resolve, 50));
    h.editJson(LEAD_FILE, (article) => ({ ...article, url: 'ftp://nowhere' }));
    await events;
    const broken = await h.app.request('/preview/api/view?newsletter=morning&date=2026-12-01&template=briefing');
    expect(broken.status).toBe(422);
    const problem = await broken.json();
    expect(problem.errors).toEqual([expect.stringMatching(/2026-12-01-lead-winter-storm\.json: url: .*absolute http\(s\) URL/)]);
    expect(problem.lastGood).toBeDefined();
    expect((await h.app.request('/preview/morning/2026-12-01/briefing.html?last-good=1')).status).toBe(200);

    events = readEvents(await openEvents(h), (e) => e.event === 'change');
    await new Promise((resolve) => setTimeout(resolve, 50));
    h.editJson(LEAD_FILE, (article) => ({ ...article, url: 'https://news.daybreak.example/fixed' }));
    await events;
    const fixed = await h.app.request('/preview/morning/2026-12-01/briefing.txt');
    expect(fixed.status).toBe(200);
    expect(await fixed.text()).toContain('https://news.daybreak.example/fixed');
  });

  it('batches a burst of saves into one event', async () => {
    h = previewHarness({ watch: true });
    const events = readEvents(await openEvents(h), (e) => e.event === 'change');
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 0; i < 5; i++) h.editJson(LEAD_FILE, (article) => ({ ...article, headline: `Draft ${i}` }));
    const change = JSON.parse((await events).at(-1)!.data);
    expect(change.generation).toBe(1);
    expect(change.files).toHaveLength(1);
  });

  it('ignores editor swap files and other non-JSON droppings in data/', async () => {
    h = previewHarness({ watch: true });
    const seen: string[][] = [];
    h.preview.service.subscribe((event) => seen.push(event.files));
    writeFileSync(join(h.dataDir, 'articles', '.lead.json.swp'), 'x');
    writeFileSync(join(h.dataDir, 'articles', 'notes.txt'), 'x');
    const events = readEvents(await openEvents(h), (e) => e.event === 'change');
    await new Promise((resolve) => setTimeout(resolve, 50));
    h.editJson(LEAD_FILE, (article) => ({ ...article, headline: 'Real change' }));
    const change = JSON.parse((await events).at(-1)!.data);
    expect(change.files).toEqual([expect.stringMatching(/lead-winter-storm\.json$/)]);
    expect(seen).toEqual([change.files]);
  });
});

describe('reloading templates (TypeScript modules)', () => {
  it('imports a changed module graph afresh under a new generation, project files only', async () => {
    // The hook carries the generation to files under the project root, so the fixture lives in var/.
    mkdirSync('var', { recursive: true });
    const dir = mkdtempSync(join(process.cwd(), 'var', 'preview-reload-'));
    try {
      writeFileSync(join(dir, 'leaf.ts'), "export const word: string = 'first';\n");
      writeFileSync(join(dir, 'entry.ts'), "import { word } from './leaf.ts';\nimport * as React from 'react';\nexport const value = (): string => word;\nexport { React };\n");
      const url = pathToFileURL(join(dir, 'entry.ts')).href;
      const one = (await importGeneration(url, 1)) as { value(): string; React: unknown };
      expect(one.value()).toBe('first');
      writeFileSync(join(dir, 'leaf.ts'), "export const word: string = 'second';\n");
      const same = (await importGeneration(url, 1)) as { value(): string };
      expect(same.value()).toBe('first'); // the same generation is the same modules
      const two = (await importGeneration(url, 2)) as { value(): string; React: unknown };
      expect(two.value()).toBe('second');
      expect(two.React).toBe(one.React); // node_modules are loaded once
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('after a template change the preview renders through a freshly imported src/render, identical to the send path', async () => {
    const loader = createRenderLoader();
    const boot = await loader.current();
    loader.reload();
    const fresh = await loader.current();
    expect(fresh).not.toBe(boot);
    expect(loader.generation).toBe(1);
    const config = loadConfig({ file: 'daybreak.config.json' });
    const edition = assembleEdition({ config, content: loadContent('data'), newsletterId: 'morning', date: '2026-12-01' });
    if (isSkipped(edition)) throw new Error('sample data changed');
    for (const template of ['briefing', 'compact']) {
      const a = (await renderEdition(edition, config, template)).personalize(sampleReader);
      const b = (await fresh.renderEdition(edition, config, template)).personalize(sampleReader);
      expect(b.html).toBe(a.html);
      expect(b.text).toBe(a.text);
    }
  });

  it('a template that fails to import is reported with its error for the view, and the last good render stays', async () => {
    mkdirSync('var', { recursive: true });
    const dir = mkdtempSync(join(process.cwd(), 'var', 'preview-broken-'));
    try {
      writeFileSync(join(dir, 'broken.tsx'), 'export const template = <div>{oops</div>;\n');
      const real = createRenderLoader();
      let broken = false;
      const loader = {
        get generation() {
          return real.generation;
        },
        current: () => (broken ? (importGeneration(pathToFileURL(join(dir, 'broken.tsx')).href, 1) as never) : real.current()),
        reload: () => {
          broken = true;
        },
      };
      h = previewHarness({ loader });
      const query = { newsletter: 'morning', date: '2026-12-01', template: 'briefing' } as const;
      expect((await h.preview.service.view(query)).ok).toBe(true);
      h.preview.service.notify({ kinds: ['templates'], files: ['templates/briefing.tsx'] });
      const view = await h.app.request('/preview/api/view?newsletter=morning&date=2026-12-01&template=briefing');
      expect(view.status).toBe(500);
      const problem = await view.json();
      expect(problem.kind).toBe('template-error');
      expect(problem.title).toBe('The templates failed to load');
      expect(problem.errors[0]).toMatch(/broken\.tsx/);
      expect(problem.lastGood).toBeDefined();
      const raw = await h.app.request('/preview/morning/2026-12-01/briefing.html');
      expect(raw.status).toBe(500);
      expect(await raw.text()).toContain('The templates failed to load');
      expect((await h.app.request('/preview/morning/2026-12-01/briefing.html?last-good=1')).status).toBe(200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
