import { parseDuration, type Config } from '../content/index.ts';
import { fetchSources, type SourceReport } from './fetch-sources.ts';
import { sourceStatuses, type SourceStatus } from './source-status.ts';
import { plural } from '../plural.ts';

export interface SourcePollerOptions {
  config: Config;
  dataDir: string;
  log?: (line: string) => void;
  /** First retry delay after a failure (then doubling); default the smaller of one minute and `every`. */
  retryBaseMs?: number;
  /** Longest wait between retries; default the larger of one hour and `every`. */
  maxBackoffMs?: number;
}

export interface SourcePoller {
  /** Reads every source now, then each on its `every`. */
  start(): void;
  /** Cancels the timers and abandons reads in flight (nothing is written for them). */
  stop(): Promise<void>;
  status(): SourceStatus[];
}

/**
 * Polls the config's sources inside `daybreak start`: each on its own timer, so a slow or failing source
 * never holds up another (nor the sends, which do not wait on it). A failure is retried sooner than the
 * source's `every`, doubling the wait each time (one minute, two, four, … up to an hour), and shown in the
 * status with the last success and the last error.
 *
 * @example
 * const poller = createSourcePoller({ config, dataDir: 'data', log: console.log });
 * poller.start();
 * await poller.stop();
 */
export function createSourcePoller(options: SourcePollerOptions): SourcePoller {
  const { config, dataDir } = options;
  const log = options.log ?? (() => {});
  const timers = new Map<string, NodeJS.Timeout>();
  const nextAt = new Map<string, Date>();
  const running = new Set<Promise<unknown>>();
  const controller = new AbortController();
  let stopped = false;

  const schedule = (id: string, delay: number) => {
    if (stopped) return;
    nextAt.set(id, new Date(Date.now() + delay));
    const timer = setTimeout(() => void poll(id), delay);
    timer.unref();
    timers.set(id, timer);
  };

  const poll = async (id: string) => {
    const source = config.sources.find((s) => s.id === id)!;
    const every = parseDuration(source.every);
    nextAt.delete(id);
    let report: SourceReport | undefined;
    const run = fetchSources({ config, dataDir, only: [id], signal: controller.signal }).then(
      (reports) => (report = reports[0]),
      (error: unknown) => log(`sources: ${id}: ${error instanceof Error ? error.message : String(error)}`),
    );
    running.add(run);
    await run;
    running.delete(run);
    if (stopped) return;
    if (report && report.status !== 'failed') {
      if (report.new + report.updated > 0 || report.errors.length > 0) {
        log(`sources: ${id}: ${report.new} new, ${report.updated} updated${report.errors.length ? `, ${plural(report.errors.length, 'item error')}` : ''}`);
      }
      schedule(id, every);
      return;
    }
    const failures = sourceStatuses({ sources: [source] }, dataDir)[0]?.consecutiveFailures ?? 1;
    const base = options.retryBaseMs ?? Math.min(60_000, every);
    const cap = options.maxBackoffMs ?? Math.max(3_600_000, every);
    const delay = Math.min(cap, base * 2 ** Math.max(0, failures - 1));
    log(`sources: ${id} failed (${failures} in a row): ${report?.errors[0] ?? 'see above'}; retrying in ${Math.round(delay / 1000)} s`);
    schedule(id, delay);
  };

  return {
    start() {
      for (const source of config.sources) schedule(source.id, 0);
    },
    async stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      controller.abort();
      await Promise.all(running);
    },
    status() {
      return sourceStatuses(config, dataDir).map((s) => ({ ...s, nextPollAt: nextAt.get(s.id)?.toISOString() ?? null }));
    },
  };
}
