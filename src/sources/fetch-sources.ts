import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Config, Source } from '../content/index.ts';
import { DaybreakError, isDaybreakError } from '../errors.ts';
import { canonicalUrl, sameStoryKey } from './canonical-url.ts';
import { httpGet } from './http-get.ts';
import { readGhost, readWordpress } from './map-cms.ts';
import { readFeed } from './map-feed.ts';
import type { SourceDocument } from './source-item.ts';
import { readState, writeState, type SourceState } from './source-state.ts';
import { toArticle } from './to-article.ts';

/** What one source's read did: the documented `daybreak fetch --json` shape, plus `notes` for a person. */
export interface SourceReport {
  id: string;
  status: 'ok' | 'not-modified' | 'failed';
  new: number;
  updated: number;
  unchanged: number;
  skipped: number;
  errors: string[];
  /** Files kept as an editor left them, duplicates merged into another file. */
  notes: string[];
}

export interface FetchSourcesOptions {
  config: Config;
  dataDir: string;
  /** Source ids to read; default all. Unknown ids are an EUSAGE error. */
  only?: readonly string[];
  now?: () => Date;
  /** Abandons the reads; nothing is written for a stopped run. */
  signal?: AbortSignal;
}

/** Bumped when the mapping changes, so every source is read afresh once instead of answering 304. */
const MAPPING_VERSION = 1;

function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

/**
 * The folder a source's articles are written to.
 *
 * @example
 * sourceFolder('data', 'ledger'); // 'data/articles/ledger'
 */
export function sourceFolder(dataDir: string, sourceId: string): string {
  return join(dataDir, 'articles', sourceId);
}

/**
 * The URL actually requested: a feed's as configured; for WordPress and Ghost, their posts API under the site.
 *
 * @example
 * requestUrl(wordpressSource); // 'https://city.example/wp-json/wp/v2/posts?_embed&per_page=50'
 */
export function requestUrl(source: Source): string {
  const url = new URL(source.url);
  const base = url.href.endsWith('/') ? url.href : `${url.href}/`;
  if (source.type === 'wordpress') {
    const api = url.pathname.includes('/wp-json/') ? url : new URL('wp-json/wp/v2/posts', base);
    if (!api.searchParams.has('_embed')) api.searchParams.set('_embed', '');
    if (!api.searchParams.has('per_page')) api.searchParams.set('per_page', String(Math.min(source.maxItems, 100)));
    return api.href.replace('_embed=&', '_embed&').replace(/_embed=$/, '_embed');
  }
  if (source.type === 'ghost') {
    const api = url.pathname.includes('/ghost/api/') ? url : new URL('ghost/api/content/posts/', base);
    api.searchParams.set('key', source.apiKey ?? '');
    if (!api.searchParams.has('include')) api.searchParams.set('include', 'tags,authors');
    if (!api.searchParams.has('limit')) api.searchParams.set('limit', String(source.maxItems));
    return api.href;
  }
  return source.url;
}

function fingerprint(source: Source, timezone: string): string {
  const { every: _every, headers: _headers, ...mapping } = source;
  return sha256(JSON.stringify({ MAPPING_VERSION, mapping, timezone, url: requestUrl(source) }));
}

function parseDocument(source: Source, text: string): SourceDocument {
  if (source.type === 'wordpress') return readWordpress(text);
  if (source.type === 'ghost') return readGhost(text);
  return readFeed(text, source.type);
}

/** Every article file on disk (as `loadContent` reads them): id → file and story (canonical URL) → file. */
function articleIndex(dataDir: string): { ids: Map<string, string>; stories: Map<string, string> } {
  const ids = new Map<string, string>();
  const stories = new Map<string, string>();
  const root = join(dataDir, 'articles');
  if (!existsSync(root)) return { ids, stories };
  const jsonIn = (dir: string) =>
    readdirSync(dir)
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .sort()
      .map((n) => join(dir, n));
  const folders = readdirSync(root)
    .filter((n) => !n.startsWith('.'))
    .sort()
    .map((n) => join(root, n))
    .filter((p) => statSync(p).isDirectory());
  for (const file of [...jsonIn(root), ...folders.flatMap(jsonIn)]) {
    let value: unknown;
    try {
      if (!statSync(file).isFile()) continue;
      value = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
    } catch {
      continue; // a broken file is loadContent's to report
    }
    for (const article of Array.isArray(value) ? value : [value]) {
      const a = article as { id?: unknown; url?: unknown } | null;
      if (typeof a?.id === 'string' && !ids.has(a.id)) ids.set(a.id, file);
      if (typeof a?.url === 'string') {
        const url = canonicalUrl(a.url);
        if (url && !stories.has(sameStoryKey(url))) stories.set(sameStoryKey(url), file);
      }
    }
  }
  return { ids, stories };
}

function writeAtomically(path: string, data: string): void {
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, data);
  renameSync(temp, path);
}

type Read =
  | { kind: 'failed'; message: string }
  | { kind: 'not-modified' }
  | { kind: 'ok'; doc: SourceDocument; etag: string | null; lastModified: string | null };

async function readSource(source: Source, state: SourceState, print: string, signal?: AbortSignal): Promise<Read> {
  const useValidators = state.http?.fingerprint === print;
  try {
    const response = await httpGet(requestUrl(source), {
      headers: { ...(source.type === 'ghost' ? { 'accept-version': 'v5.0' } : {}), ...source.headers },
      etag: useValidators ? state.http!.etag : null,
      lastModified: useValidators ? state.http!.lastModified : null,
      maxBytes: source.maxBytes,
      timeoutMs: source.timeoutMs,
      maxRedirects: source.maxRedirects,
      ...(signal ? { signal } : {}),
    });
    if (response.status === 'not-modified') return { kind: 'not-modified' };
    return { kind: 'ok', doc: parseDocument(source, response.text), etag: response.etag, lastModified: response.lastModified };
  } catch (error) {
    if (!isDaybreakError(error)) throw error;
    // A Ghost Content API key is in the URL; messages quote URLs.
    const message = source.apiKey ? error.message.split(source.apiKey).join('…') : error.message;
    return { kind: 'failed', message };
  }
}

/**
 * `daybreak fetch`: reads every source (or those named), writing one article file per item under
 * `<dataDir>/articles/<source>/`. The reads run at once; the writing goes source by source in config
 * order, so which of two sources "owns" a shared story does not depend on network timing.
 *
 * Safe to run again and again: a conditional request (ETag, Last-Modified) lets an unchanged feed answer
 * 304; a file is rewritten only when its item changed; a story already in another file (same canonical
 * URL, from another source or written by hand) is not written twice; a file whose bytes differ from what
 * fetch last wrote was edited by hand and is kept, with a note. A failing source is reported and leaves
 * the others alone.
 *
 * @example
 * const reports = await fetchSources({ config, dataDir: 'data' });
 * const ok = reports.every((r) => r.status !== 'failed');
 */
export async function fetchSources(options: FetchSourcesOptions): Promise<SourceReport[]> {
  const { config, dataDir } = options;
  const now = options.now ?? (() => new Date());
  const known = config.sources.map((s) => s.id);
  for (const id of options.only ?? []) {
    if (!known.includes(id)) {
      throw new DaybreakError('EUSAGE', known.length === 0 ? `No source "${id}": the config has no sources` : `No source "${id}" in the config (it has: ${known.join(', ')})`);
    }
  }
  const sources = config.sources.filter((s) => !options.only || options.only.includes(s.id));
  const defaultTimezone = config.newsletters[0]?.schedule.timezone ?? 'UTC';
  const startedAt = now().toISOString();

  const prepared = sources.map((source) => {
    const folder = sourceFolder(dataDir, source.id);
    const state = readState(folder);
    const timezone = source.timezone ?? defaultTimezone;
    return { source, folder, state, timezone, print: fingerprint(source, timezone) };
  });
  const reads = await Promise.all(prepared.map((p) => readSource(p.source, p.state, p.print, options.signal)));
  if (options.signal?.aborted) return [];

  const index = articleIndex(dataDir);
  const reports: SourceReport[] = [];
  prepared.forEach(({ source, folder, state, timezone, print }, i) => {
    const read = reads[i]!;
    const report: SourceReport = { id: source.id, status: 'ok', new: 0, updated: 0, unchanged: 0, skipped: 0, errors: [], notes: [] };
    reports.push(report);
    state.lastAttemptAt = startedAt;
    if (read.kind === 'failed') {
      report.status = 'failed';
      report.errors.push(read.message);
      state.lastError = { at: startedAt, message: read.message };
      state.consecutiveFailures += 1;
      writeState(folder, state);
      return;
    }
    state.lastSuccessAt = startedAt;
    state.lastError = null;
    state.consecutiveFailures = 0;
    if (read.kind === 'not-modified') {
      report.status = 'not-modified';
      report.unchanged = Object.keys(state.items).length;
      writeState(folder, state);
      return;
    }
    mkdirSync(folder, { recursive: true });
    const seenThisRun = new Set<string>();
    for (const item of read.doc.items.slice(0, source.maxItems)) {
      const mapped = toArticle(item, {
        source,
        timezone,
        ...(read.doc.title ? { feedTitle: read.doc.title } : {}),
        firstSeen: (id) => state.items[id]?.firstSeen ?? startedAt,
      });
      if ('errors' in mapped) {
        report.skipped += 1;
        report.errors.push(`item "${mapped.id}": ${mapped.errors.join('; ')}`);
        continue;
      }
      const { article, id } = mapped;
      if (seenThisRun.has(id)) {
        report.skipped += 1;
        report.notes.push(`item "${id}" appears twice in the source; the first is kept`);
        continue;
      }
      seenThisRun.add(id);
      const name = `${id}.json`;
      const path = join(folder, name);
      const text = `${JSON.stringify(article, null, 2)}\n`;
      const hash = sha256(text);
      const record = state.items[id];

      const idOwner = index.ids.get(id);
      if (idOwner && idOwner !== path) {
        report.skipped += 1;
        report.errors.push(`item "${id}": the id is already used by ${display(idOwner)}`);
        continue;
      }
      const storyOwner = index.stories.get(sameStoryKey(article.url));
      if (storyOwner && storyOwner !== path) {
        report.skipped += 1;
        report.notes.push(`item "${id}": the same story (${article.url}) is already in ${display(storyOwner)}; not written twice`);
        continue;
      }

      if (record) {
        if (record.hash === hash) {
          report.unchanged += 1;
          continue;
        }
        if (!existsSync(path)) {
          report.skipped += 1;
          report.notes.push(`${display(path)} was deleted by hand; not written again (its item changed in the source)`);
          continue;
        }
        if (sha256(readFileSync(path)) !== record.hash) {
          report.skipped += 1;
          report.notes.push(`${display(path)} was edited by hand; kept the editor's version (the source changed the item too)`);
          continue;
        }
        writeAtomically(path, text);
        state.items[id] = { ...record, hash, url: article.url };
        report.updated += 1;
        continue;
      }
      if (existsSync(path)) {
        if (sha256(readFileSync(path)) === hash) {
          state.items[id] = { file: name, hash, firstSeen: startedAt, url: article.url };
          report.unchanged += 1;
        } else {
          report.skipped += 1;
          report.notes.push(`${display(path)} exists and was not written by fetch; kept as it is`);
        }
        continue;
      }
      writeAtomically(path, text);
      state.items[id] = { file: name, hash, firstSeen: startedAt, url: article.url };
      index.ids.set(id, path);
      index.stories.set(sameStoryKey(article.url), path);
      report.new += 1;
    }
    state.http = { etag: read.etag, lastModified: read.lastModified, fingerprint: print };
    writeState(folder, state);
  });
  return reports;
}
