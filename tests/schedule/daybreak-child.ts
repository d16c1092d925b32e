/** Runs the real `node bin/daybreak.js start` as a child process for the end-to-end tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openStore } from '../../src/storage/index.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/daybreak.js');

export interface Child {
  process: ChildProcess;
  output: () => string;
  base: string;
  exited: Promise<number | null>;
}

export async function startChild(cwd: string, env: NodeJS.ProcessEnv, args: string[] = []): Promise<Child> {
  const child = spawn(process.execPath, [BIN, 'start', ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const base = await new Promise<string>((resolveBase, reject) => {
    const check = () => {
      const m = /Sign up:\s+(http:\/\/localhost:\d+)\//.exec(out);
      if (m) {
        child.stdout!.off('data', check);
        resolveBase(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`daybreak start exited (${code}) before it was ready:\n${out}`)));
  });
  return { process: child, output: () => out, base, exited };
}

export async function stopChild(child: Child): Promise<number | null> {
  child.process.kill('SIGTERM');
  return child.exited;
}


export type LastRun = { state: string; sent: number; total: number } | null;

/** Polls the child's /healthz until the first newsletter's last run is `done`, and returns that run. */
export async function waitForRunDone(child: Child): Promise<LastRun> {
  for (;;) {
    const health = (await (await fetch(`${child.base}/healthz`)).json()) as { newsletters: { lastRun: LastRun }[] };
    const lastRun = health.newsletters[0]!.lastRun;
    if (lastRun?.state === 'done') return lastRun;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A folder for a child that starts sending two seconds after it is up: one article, a seconds-level cron
 * in UTC, one SMTP connection, no retries, and `readers` confirmed. Returns the child's environment.
 */
export async function scheduledSendSoon(dir: string, readers: string[], smtpUrl: string, options: { leaseSeconds?: number } = {}): Promise<{ dbFile: string; env: NodeJS.ProcessEnv }> {
  const dbFile = join(dir, 'daybreak.db');
  const configFile = join(dir, 'daybreak.config.json');
  const dataDir = join(dir, 'data');
  mkdirSync(join(dataDir, 'articles'), { recursive: true });
  writeFileSync(join(dataDir, 'articles', 'a.json'), JSON.stringify({
    id: 'only-story', kicker: 'Speed read', headline: 'The only story', dek: 'It happened.',
    url: 'https://news.example.com/only', publishedAt: new Date(Date.now() - 3_600_000).toISOString(),
  }));
  const fire = new Date(Math.ceil((Date.now() + 2000) / 1000) * 1000);
  writeFileSync(configFile, JSON.stringify({
    newsletters: [{ id: 'morning', name: 'The Morning Briefing',
      schedule: { cron: `${fire.getUTCSeconds()} ${fire.getUTCMinutes()} ${fire.getUTCHours()} * * *`, timezone: 'UTC' } }],
    // A short lease, so a start after a crash takes the dead process's copies over within seconds.
    delivery: { maxConnections: 1, retries: 0, leaseSeconds: options.leaseSeconds ?? 3 },
  }));
  const seed = await openStore({ database: dbFile });
  for (const email of readers) await seed.subscribers.add({ email, name: null, newsletters: ['morning'], confirmed: true, source: 'test' }, new Date());
  await seed.close();
  const env = {
    ...process.env,
    DAYBREAK_DB: dbFile, DAYBREAK_CONFIG: configFile, DAYBREAK_DATA: dataDir,
    DAYBREAK_SECRET: 'a-scheduled-send-test-secret-0123456789', SMTP_URL: smtpUrl, PORT: '0', DAYBREAK_ALLOW_INSECURE_LINKS: '1', DAYBREAK_SPAM_CHECK: 'off',
  };
  return { dbFile, env };
}
