import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDaybreak } from '../../src/main.ts';
import { createSourcePoller, type SourcePoller } from '../../src/sources/index.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { jsonFeed } from './documents.ts';
import { serveDocument, startFeedServer, type FeedServer } from './feed-server.ts';
import { makeWorld, type World } from './setup.ts';

let server: FeedServer;
let world: World;
let poller: SourcePoller | undefined;
beforeEach(async () => {
  server = await startFeedServer();
  world = makeWorld();
});
afterEach(async () => {
  await poller?.stop();
  poller = undefined;
  await server.close();
  world.cleanup();
});

describe('polling sources', () => {
  it('retries a failing source with a doubling wait, then records the success and goes back to its interval', async () => {
    const times: number[] = [];
    server.route('/flaky', (req, res) => {
      times.push(Date.now());
      if (times.length <= 3) {
        res.statusCode = 503;
        res.end();
        return;
      }
      serveDocument(jsonFeed(), 'application/feed+json')(req, res);
    });
    const config = world.config([{ id: 'flaky', url: `${server.url}/flaky`, every: '1h' }]);
    const lines: string[] = [];
    poller = createSourcePoller({ config, dataDir: world.dataDir, retryBaseMs: 60, log: (l) => lines.push(l) });
    poller.start();

    await vi.waitFor(() => expect(poller!.status()[0]!.consecutiveFailures).toBe(1), { timeout: 5000 });
    expect(poller.status()[0]).toMatchObject({ state: 'failing', lastSuccessAt: null, lastError: { message: `${server.url}/flaky answered HTTP 503 Service Unavailable` } });
    await vi.waitFor(() => expect(poller!.status()[0]!.state).toBe('ok'), { timeout: 5000 });

    const status = poller.status()[0]!;
    expect(status).toMatchObject({ consecutiveFailures: 0, lastError: null, items: 2 });
    expect(status.lastSuccessAt).not.toBeNull();
    // Back on its interval: the next read is an hour after the success.
    expect(Date.parse(status.nextPollAt!) - Date.parse(status.lastSuccessAt!)).toBeGreaterThan(59 * 60_000);
    // The waits between the failed reads doubled: at least 60 ms, then 120, then 240.
    expect(times).toHaveLength(4);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(55);
    expect(gaps[1]).toBeGreaterThanOrEqual(115);
    expect(gaps[2]).toBeGreaterThanOrEqual(235);
    expect(lines.filter((l) => l.includes('flaky failed'))).toEqual([
      expect.stringContaining('(1 in a row)'),
      expect.stringContaining('(2 in a row)'),
      expect.stringContaining('(3 in a row)'),
    ]);
  });

  it('keeps reading the other sources while one fails', async () => {
    server.route('/feed.json', serveDocument(jsonFeed(), 'application/feed+json'));
    const config = world.config([
      { id: 'down', url: `${server.url}/down`, every: '1h' },
      { id: 'wire', url: `${server.url}/feed.json`, every: '1h' },
    ]);
    poller = createSourcePoller({ config, dataDir: world.dataDir, retryBaseMs: 10_000 });
    poller.start();
    await vi.waitFor(() => expect(poller!.status().map((s) => s.state)).toEqual(['failing', 'ok']), { timeout: 5000 });
    expect(Object.keys(world.written('wire'))).toHaveLength(2);
  });

  it('abandons a read in flight on stop and writes nothing for it', async () => {
    let answered = false;
    server.route('/slow', (_req, res) => {
      setTimeout(() => {
        answered = true;
        res.end(jsonFeed());
      }, 2000).unref();
    });
    const config = world.config([{ id: 'slow', url: `${server.url}/slow`, every: '1h' }]);
    poller = createSourcePoller({ config, dataDir: world.dataDir });
    poller.start();
    await vi.waitFor(() => expect(server.requests).toHaveLength(1), { timeout: 5000 });
    await poller.stop();
    expect(answered).toBe(false);
    expect(poller.status()[0]).toMatchObject({ state: 'never', lastAttemptAt: null });
    expect(world.written('slow')).toEqual({});
  });
});

describe('daybreak start with sources', () => {
  it('polls each source and shows its last success and last error in /healthz, beside the newsletters', async () => {
    server.route('/feed.json', serveDocument(jsonFeed(), 'application/feed+json'));
    const sink = await startSmtpSink();
    const configFile = join(world.dir, 'daybreak.config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        newsletters: [{ id: 'morning', name: 'The Morning Briefing', schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } }],
        sources: [
          { id: 'wire', url: `${server.url}/feed.json`, every: '1h' },
          { id: 'down', url: `${server.url}/down`, every: '1h' },
        ],
      }),
    );
    const daybreak = await createDaybreak({
      configFile,
      dataDir: world.dataDir,
      varDir: join(world.dir, 'var'),
      env: { SMTP_URL: sink.url, DAYBREAK_SECRET: 'a-sources-test-secret-0123456789', DAYBREAK_ALLOW_INSECURE_LINKS: '1', DAYBREAK_SPAM_CHECK: 'off' },
      preview: false,
      log: () => {},
    });
    try {
      const running = await daybreak.start({ port: 0 });
      type Health = { newsletters: { id: string }[]; sources: { id: string; state: string; lastSuccessAt: string | null; lastError: { message: string } | null }[] };
      let health: Health | undefined;
      await vi.waitFor(
        async () => {
          health = (await (await fetch(`${running.url}/healthz`)).json()) as Health;
          expect(health.sources.map((s) => s.state)).toEqual(['ok', 'failing']);
        },
        { timeout: 5000 },
      );
      expect(health!.newsletters.map((n) => n.id)).toEqual(['morning']);
      expect(health!.sources[0]).toMatchObject({ id: 'wire', lastError: null, lastSuccessAt: expect.any(String) });
      expect(health!.sources[1]).toMatchObject({ id: 'down', lastSuccessAt: null, lastError: { message: `${server.url}/down answered HTTP 404 Not Found` } });
      expect(Object.keys(world.written('wire'))).toHaveLength(2);
    } finally {
      await daybreak.stop({ timeoutMs: 2000 });
      await sink.close();
    }
  });
});
