import type { InboundStore } from './inbound-store.ts';
import { plural } from '../plural.ts';

const DAY_MS = 86_400_000;

export interface InboundRetentionOptions {
  store: Pick<InboundStore, 'deleteReceivedBefore'>;
  /** Messages received more than this many days ago are deleted (`inbound.retentionDays`). */
  retentionDays: number;
  /** How often to sweep after the first sweep at start; default one hour. */
  intervalMs?: number;
  /** The clock the messages were stamped with (the processor stamps them with the system clock). */
  now?: () => Date;
  log?: (line: string) => void;
}

export interface InboundRetention {
  /** Deletes what is older than the retention now; how many messages went. Never rejects (failures are logged). */
  sweep(): Promise<number>;
  /** Stops the hourly sweep and waits for one under way. */
  close(): Promise<void>;
}

/**
 * Keeps the received bounces, complaints and unsubscribe mails for `retentionDays`: sweeps once at start,
 * then every `intervalMs` while the inbound side runs. Only the kept messages go; what they did to the
 * readers (bounced, complained, unsubscribed) lives on the readers and stays.
 *
 * @example
 * const retention = startInboundRetention({ store: store.inbound, retentionDays: config.inbound.retentionDays, log });
 * // … on shutdown:
 * await retention.close();
 */
export function startInboundRetention(options: InboundRetentionOptions): InboundRetention {
  const { store, retentionDays } = options;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => {});
  let running: Promise<number> | null = null;
  let closed = false;

  const sweep = (): Promise<number> => {
    // One sweep at a time: an hourly tick during a long first purge joins it instead of racing it.
    if (running) return running;
    const current = (async () => {
      try {
        const n = await store.deleteReceivedBefore(new Date(now().getTime() - retentionDays * DAY_MS));
        if (n > 0) log(`inbound: deleted ${plural(n, 'kept message')} received more than ${retentionDays} days ago (inbound.retentionDays); readers keep their bounced and unsubscribed states`);
        return n;
      } catch (error) {
        // A locked or unreachable database must not stop the listener; the next sweep tries again.
        log(`warning: inbound: could not delete messages older than ${retentionDays} days: ${error instanceof Error ? error.message : String(error)}`);
        return 0;
      }
    })();
    running = current;
    void current.then(() => {
      if (running === current) running = null;
    });
    return current;
  };

  void sweep();
  const timer = setInterval(() => void sweep(), options.intervalMs ?? 3_600_000);
  // The sweep never keeps a process alive on its own: the listener or the web server does.
  timer.unref();

  return {
    sweep: () => (closed ? Promise.resolve(0) : sweep()),
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
    },
  };
}
