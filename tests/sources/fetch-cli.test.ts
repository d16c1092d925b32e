import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerBuild } from '../../src/cli/commands/build.ts';
import { registerFetch } from '../../src/cli/commands/fetch.ts';
import { registerSources } from '../../src/cli/commands/sources.ts';
import { runCli } from '../../src/cli/run-cli.ts';
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

function writeConfig(sources: Record<string, unknown>[], newsletters?: Record<string, unknown>[]): string {
  const file = join(world.dir, 'daybreak.config.json');
  writeFileSync(
    file,
    JSON.stringify({
      newsletters: newsletters ?? [{ id: 'morning', name: 'The Morning Briefing', schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } }],
      sources,
    }),
  );
  return file;
}

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) } };
  const status = await runCli(args, [(p) => registerFetch(p, io), (p) => registerSources(p, io), (p) => registerBuild(p, io)], { stderr: io.stderr as never });
  return { status, stdout, stderr };
}

describe('daybreak fetch', () => {
  it('prints the documented report per source with --json and exits 1 when one failed, the others written', async () => {
    server.route('/feed/', serveDocument(rssFeed(), 'application/rss+xml'));
    const config = writeConfig([
      { id: 'ledger', url: `${server.url}/feed/` },
      { id: 'gone', url: `${server.url}/gone` },
    ]);
    const { status, stdout, stderr } = await cli(['fetch', '--json', '--config', config, '--data', world.dataDir]);
    expect(stderr).toBe('');
    expect(status).toBe(1);
    const reports = JSON.parse(stdout);
    expect(reports).toEqual([
      { id: 'ledger', status: 'ok', new: 3, updated: 0, unchanged: 0, skipped: 0, errors: [], notes: [] },
      { id: 'gone', status: 'failed', new: 0, updated: 0, unchanged: 0, skipped: 0, errors: [`${server.url}/gone answered HTTP 404 Not Found`], notes: [] },
    ]);
    expect(Object.keys(world.written('ledger'))).toHaveLength(3);
  });

  it('exits 0 when every source was read, and reads only the one named with --source', async () => {
    server.route('/feed/', serveDocument(rssFeed(), 'application/rss+xml'));
    server.route('/feed.json', serveDocument(jsonFeed(), 'application/feed+json'));
    const config = writeConfig([
      { id: 'ledger', url: `${server.url}/feed/` },
      { id: 'wire', url: `${server.url}/feed.json` },
    ]);
    const { status, stdout } = await cli(['fetch', '--source', 'wire', '--config', config, '--data', world.dataDir]);
    expect(status).toBe(0);
    expect(stdout).toBe('wire  ok            2 new, 0 updated, 0 unchanged, 0 skipped\n');
    expect(server.requests.map((r) => r.path)).toEqual(['/feed.json']);
  });

  it('is a usage error (exit 2) to name a source the config does not have', async () => {
    const config = writeConfig([{ id: 'ledger', url: `${server.url}/feed/` }]);
    const { status, stderr } = await cli(['fetch', '--source', 'ledgr', '--config', config, '--data', world.dataDir]);
    expect(status).toBe(2);
    expect(stderr).toBe('daybreak: No source "ledgr" in the config (it has: ledger)\n');
  });

  it('reports a bad source in the config with its key, not a stack trace', async () => {
    const config = writeConfig([{ id: 'Ledger', url: 'ftp://x', every: '15 minutes', kind: 'rss' }]);
    const { status, stderr } = await cli(['fetch', '--config', config, '--data', world.dataDir]);
    expect(status).toBe(1);
    expect(stderr).toContain('sources[0].id: Expected lower-case letters, digits and dashes');
    expect(stderr).toContain('sources[0].url: Invalid URL: expected an absolute http(s) URL');
    expect(stderr).toContain('sources[0].every: Expected a duration like "30s", "15m", "2h" or "1d"');
    expect(stderr).toContain('Unknown key "kind"');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('lists the sources with their last success and last error (daybreak sources --json)', async () => {
    server.route('/feed/', serveDocument(rssFeed(), 'application/rss+xml'));
    const config = writeConfig([
      { id: 'ledger', url: `${server.url}/feed/`, every: '30m' },
      { id: 'gone', type: 'atom', url: `${server.url}/gone` },
      { id: 'later', url: `${server.url}/later` },
    ]);
    await cli(['fetch', '--source', 'ledger', '--source', 'gone', '--config', config, '--data', world.dataDir]);
    const { status, stdout } = await cli(['sources', '--json', '--config', config, '--data', world.dataDir]);
    expect(status).toBe(0);
    const [ledger, gone, later] = JSON.parse(stdout);
    expect(ledger).toEqual({
      id: 'ledger', type: 'feed', url: `${server.url}/feed/`, every: '30m', state: 'ok', items: 3,
      lastAttemptAt: expect.any(String), lastSuccessAt: ledger.lastAttemptAt, lastError: null, consecutiveFailures: 0,
    });
    expect(gone).toMatchObject({ id: 'gone', type: 'atom', state: 'failing', lastSuccessAt: null, consecutiveFailures: 1, lastError: { at: expect.any(String), message: `${server.url}/gone answered HTTP 404 Not Found` } });
    expect(later).toMatchObject({ id: 'later', state: 'never', lastAttemptAt: null });
  });

  it('end to end: fetch, then build for the next edition includes the fetched items in window order', async () => {
    // Three items inside the 06:00 New York window ending 2026-11-30 and one from the day before it.
    const feed = JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'Wire',
      items: [
        { id: 'early', url: 'https://wire.example/early', title: 'Early story', summary: 'Early.', date_published: '2026-11-29T12:00:00Z' },
        { id: 'late', url: 'https://wire.example/late', title: 'Late story', summary: 'Late.', date_published: '2026-11-30T10:30:00Z' },
        { id: 'middle', url: 'https://wire.example/middle', title: 'Middle story', summary: 'Middle.', date_published: '2026-11-30T02:00:00-05:00' },
        { id: 'old', url: 'https://wire.example/old', title: 'Yesterday\'s story', summary: 'Old.', date_published: '2026-11-28T12:00:00Z' },
      ],
    });
    server.route('/feed.json', serveDocument(feed, 'application/feed+json'));
    const config = writeConfig([{ id: 'wire', url: `${server.url}/feed.json`, kicker: 'Wire' }]);
    expect((await cli(['fetch', '--config', config, '--data', world.dataDir])).status).toBe(0);
    const built = await cli(['build', '--date', '2026-11-30', '--json', '--config', config, '--data', world.dataDir, '--out', join(world.dir, 'out')]);
    expect(built.status).toBe(0);
    const result = JSON.parse(built.stdout);
    expect(result.articles.map((a: { id: string }) => a.id)).toEqual(['wire-late', 'wire-middle', 'wire-early']);
    expect(result.subject).toBe('The Morning Briefing: Late story');
  });
});
