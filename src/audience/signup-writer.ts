import { Worker } from 'node:worker_threads';
import type { SignUpInput, SignUpOutcome } from './subscriber-store.ts';
import { projectUrl } from '../project-root.ts';

export interface SignUpWriter {
  /** Commits the batch in one IMMEDIATE transaction; resolves only after the commit. */
  write(inputs: SignUpInput[], now: Date, intervalMs: number): Promise<SignUpOutcome[]>;
  /** False until the thread has opened the database (and after it died). */
  readonly ready: boolean;
  close(): Promise<void>;
}

/**
 * Runs sign-up commits on a worker thread with its own connection to `file`. better-sqlite3 is
 * synchronous and synchronous=FULL makes each commit wait for fsync (milliseconds on a busy disk);
 * on the web thread that wait would stall every request. Here the web thread keeps parsing requests into
 * the next batch while this one is being committed.
 */
export function startSignUpWriter(file: string, onDeath?: (error: Error) => void): SignUpWriter {
  const worker = new Worker(projectUrl('src/audience/signup-writer-boot.mjs'));
  worker.unref();
  let ready = false;
  let dead = false;
  let seq = 0;
  const pending = new Map<number, { resolve: (o: SignUpOutcome[]) => void; reject: (e: Error) => void }>();
  const die = (error: Error) => {
    if (dead) return;
    dead = true;
    ready = false;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
    onDeath?.(error);
  };
  worker.on('message', (m: { type: string; id?: number; outcomes?: SignUpOutcome[]; message?: string }) => {
    if (m.type === 'ready') ready = !dead;
    else if (m.type === 'done' || m.type === 'failed') {
      const p = pending.get(m.id!);
      pending.delete(m.id!);
      if (m.type === 'done') p?.resolve(m.outcomes!);
      else p?.reject(new Error(m.message));
    }
  });
  worker.on('error', die);
  worker.on('exit', (code) => die(new Error(`the sign-up writer thread exited (${code})`)));
  worker.postMessage({ type: 'init', file });
  return {
    get ready() {
      return ready;
    },
    write(inputs, now, intervalMs) {
      if (dead) return Promise.reject(new Error('the sign-up writer thread is gone'));
      const id = ++seq;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ type: 'batch', id, inputs, now: now.toISOString(), intervalMs });
      });
    },
    async close() {
      if (dead) return;
      dead = true;
      worker.postMessage({ type: 'close' });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 2000);
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
