/**
 * npm run bench:signup — sign-up throughput. Not a test: figures vary by machine.
 *
 * This process runs the real web app (createApp on @hono/node-server, a real SQLite file with
 * synchronous=FULL, the real mailer) with the per-IP limit raised for the run. A SECOND process loads it
 * over loopback with keep-alive HTTP, several requests in flight, for 20 s of unique JSON sign-ups; a
 * THIRD process is the SMTP sink that every confirmation email goes to (they leave from a queue off the
 * request path). Afterwards every sign-up that was answered 200 is looked up in the database.
 * Target: ≥ 1,000 sign-ups/s with p99 < 50 ms, nothing lost.
 *
 * Usage: npm run bench:signup [-- --seconds 20 --concurrency 32 --mail sink|none --db FILE|postgres://…]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    role: { type: 'string', default: 'server' },
    seconds: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '32' },
    mail: { type: 'string', default: 'sink' },
    port: { type: 'string' },
    out: { type: 'string' },
    db: { type: 'string' },
  },
});

const self = new URL(import.meta.url).pathname;
const childOptions = { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] as ('ignore' | 'inherit' | 'ipc')[] };

if (args.role === 'sink') await runSink();
else if (args.role === 'load') await runLoad();
else await runServer();

/** Process 3: the SMTP sink; counts messages and reports its port. */
async function runSink(): Promise<void> {
  const { startSmtpSink } = await import('../tests/helpers/smtp-sink.ts');
  const sink = await startSmtpSink();
  // Keep memory flat: the bench only needs the count.
  const keep = sink.messages;
  setInterval(() => keep.splice(0, keep.length), 1000).unref();
  let accepted = 0;
  const push = keep.push.bind(keep);
  keep.push = (...items) => {
    accepted += items.length;
    return push(...items);
  };
  process.send!({ port: sink.port });
  process.on('message', async (m: { cmd: string }) => {
    if (m.cmd === 'count') process.send!({ accepted });
    if (m.cmd === 'stop') {
      await sink.close();
      process.exit(0);
    }
  });
}

/** Process 2: the load generator. */
async function runLoad(): Promise<void> {
  const port = Number(args.port);
  const seconds = Number(args.seconds);
  const concurrency = Number(args.concurrency);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const accepted: string[] = [];
  let errors = 0;
  const errorKinds = new Map<string, number>();
  let seq = 0;
  const deadline = performance.now() + seconds * 1000;

  const one = (email: string) =>
    new Promise<number>((resolve) => {
      const body = JSON.stringify({ email, name: 'Bench Reader', newsletters: ['morning'] });
      const req = http.request(
        { host: '127.0.0.1', port, path: '/subscribe', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(res.statusCode === 200 && text === '{"ok":true}' ? 200 : (res.statusCode ?? 0)));
        },
      );
      req.on('error', (e) => {
        errorKinds.set(e.message, (errorKinds.get(e.message) ?? 0) + 1);
        resolve(-1);
      });
      req.end(body);
    });

  const worker = async () => {
    while (performance.now() < deadline) {
      const email = `bench-${process.pid}-${seq++}@example.com`;
      const t = performance.now();
      const status = await one(email);
      latencies.push(performance.now() - t);
      if (status === 200) accepted.push(email);
      else {
        errors += 1;
        if (status > 0) errorKinds.set(`HTTP ${status}`, (errorKinds.get(`HTTP ${status}`) ?? 0) + 1);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  const { writeFileSync } = await import('node:fs');
  writeFileSync(args.out!, accepted.join('\n'));
  process.send!({
    requests: latencies.length,
    accepted: accepted.length,
    errors,
    errorKinds: Object.fromEntries(errorKinds),
    elapsed,
    p50: pct(50),
    p99: pct(99),
    max: latencies.at(-1) ?? 0,
  });
}

type LoadResult = { requests: number; accepted: number; errors: number; errorKinds: Record<string, number>; elapsed: number; p50: number; p99: number; max: number };

function once<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
}

/** Process 1: the server under test. */
async function runServer(): Promise<void> {
  const { ConfigSchema } = await import('../src/content/index.ts');
  const { openStore } = await import('../src/storage/index.ts');
  const { createTokens } = await import('../src/audience/index.ts');
  const { createMailer } = await import('../src/delivery/index.ts');
  const { createApp, startServer } = await import('../src/web/index.ts');

  const dir = mkdtempSync(join(tmpdir(), 'daybreak-bench-signup-'));
  const config = ConfigSchema.parse({
    baseUrl: 'http://127.0.0.1:3000',
    newsletters: [{ id: 'morning', name: 'The Morning Briefing', description: 'The news before breakfast.' }],
    web: { signupRatePerMinute: 1_000_000_000 },
  });
  let sink: ChildProcess | null = null;
  let sinkPort = 0;
  if (args.mail === 'sink') {
    sink = fork(self, ['--role', 'sink'], childOptions);
    sinkPort = (await once<{ port: number }>(sink)).port;
  }
  const store = await openStore({ database: args.db ?? join(dir, 'daybreak.db'), busyTimeoutMs: 5000 });
  let mailFailures = 0;
  const mailer =
    args.mail === 'sink'
      ? createMailer({ config, env: { SMTP_URL: `smtp://127.0.0.1:${sinkPort}` }, varDir: join(dir, 'var') })
      : { send: async () => ({ messageId: '', response: 'discarded' }), close: async () => {}, describe: () => 'nowhere (--mail none)' };
  const app = createApp({
    config,
    store,
    mailer,
    tokens: await createTokens('bench-secret-0123456789abcdef'),
    log: () => {
      mailFailures += 1;
    },
  });
  const server = await startServer(app, { port: 0 });
  app.audience.startMail();
  const statsBefore = app.audience.stats;
  const seconds = Number(args.seconds);
  const concurrency = Number(args.concurrency);
  console.log(
    `bench:signup: ${seconds} s of JSON sign-ups, ${concurrency} in flight over keep-alive loopback from a second process; ` +
      `mail: ${args.mail === 'sink' ? 'real SMTP to a sink in a third process, through the outbox' : 'discarded'}; database: ${store.engine} (${store.name})`,
  );

  const out = join(dir, 'accepted.txt');
  const cpuBefore = process.cpuUsage();
  const loader = fork(self, ['--role', 'load', '--port', String(server.port), '--seconds', String(seconds), '--concurrency', String(concurrency), '--out', out], childOptions);
  const result = await once<LoadResult>(loader);
  const cpu = process.cpuUsage(cpuBefore);
  const statsAfter = app.audience.stats;
  const commits = statsAfter.commits - statsBefore.commits;
  const committed = statsAfter.signUps - statsBefore.signUps;
  const cpuMsPerRequest = (cpu.user + cpu.system) / 1000 / Math.max(1, result.requests);
  const mailQueuedAtEnd = await store.outbox.pendingCount();

  // Nothing acknowledged may be missing.
  const accepted = readFileSync(out, 'utf8').split('\n').filter(Boolean);
  const inDb = new Set((await store.subscribers.list()).map((p) => p.email));
  const missing = accepted.filter((e) => !inDb.has(e)).length;

  const drainStarted = performance.now();
  await app.audience.drain();
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  let mailed = -1;
  if (sink) {
    sink.send({ cmd: 'count' });
    mailed = (await once<{ accepted: number }>(sink)).accepted;
  }

  const rps = result.requests / result.elapsed;
  const lines = [
    `machine:         ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (other work on the box skews every figure)`,
    `requests:        ${result.requests} in ${result.elapsed.toFixed(1)} s`,
    `requests/s:      ${rps.toFixed(0)}   (target ≥ 1000: ${rps >= 1000 ? 'met' : 'MISSED'})`,
    `latency p50:     ${result.p50.toFixed(2)} ms`,
    `latency p99:     ${result.p99.toFixed(2)} ms   (target < 50: ${result.p99 < 50 ? 'met' : 'MISSED'})  max ${result.max.toFixed(1)} ms`,
    `errors:          ${result.errors}${result.errors ? ` ${JSON.stringify(result.errorKinds)}` : ''}`,
    `accepted:        ${result.accepted}; in the database: ${result.accepted - missing}; missing: ${missing}`,
    `subscribers row: ${inDb.size}`,
    `server CPU:      ${cpuMsPerRequest.toFixed(3)} ms per sign-up incl. its confirmation mail so far (${(1000 / cpuMsPerRequest).toFixed(0)}/s if it had a core to itself)`,
    `group commits:   ${commits} transactions, ${(committed / Math.max(1, commits)).toFixed(1)} sign-ups each on average`,
    sink
      ? `confirmations:   ${mailed} accepted by the sink (${mailQueuedAtEnd} were still queued when the load stopped; drained in ${drainSeconds.toFixed(1)} s; ${mailFailures} failures)`
      : `confirmations:   discarded (--mail none)`,
  ];
  console.log(lines.join('\n'));

  await server.close();
  await app.audience.close();
  await mailer.close();
  await store.close();
  if (sink) {
    sink.send({ cmd: 'stop' });
    await new Promise((r) => sink!.once('exit', r));
  }
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = missing > 0 || result.errors > 0 ? 1 : 0;
}
