/** Runs the real `node bin/daybreak.js start` as a child process for the end-to-end tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/daybreak.js');

export interface Child {
  process: ChildProcess;
  output: () => string;
  base: string;
  exited: Promise<number | null>;
}

export async function startChild(cwd: string, env: NodeJS.ProcessEnv): Promise<Child> {
  const child = spawn(process.execPath, [BIN, 'start'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
