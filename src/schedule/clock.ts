/**
 * Time as the scheduler sees it: the current instant and one-shot timers. The real one wraps Date and
 * setTimeout; tests use `ManualClock`, which moves only when told, so schedules across days, DST changes
 * and grace windows are tested without sleeping.
 */
export interface Clock {
  now(): Date;
  /** Calls `fn` once after `ms`; the callback may return a promise (the manual clock awaits it). */
  setTimer(fn: () => void | Promise<void>, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly id: number;
}

/** setTimeout's delay is a signed 32-bit int; longer waits fire at once, so callers re-arm in steps. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = (() => {
  const timers = new Map<number, NodeJS.Timeout>();
  let nextId = 1;
  return {
    now: () => new Date(),
    setTimer(fn, ms) {
      const id = nextId++;
      const t = setTimeout(() => {
        timers.delete(id);
        void fn();
      }, Math.min(Math.max(0, ms), MAX_TIMER_MS));
      timers.set(id, t);
      return { id };
    },
    clearTimer(handle) {
      const t = timers.get(handle.id);
      if (t) clearTimeout(t);
      timers.delete(handle.id);
    },
  };
})();

interface PendingTimer {
  id: number;
  due: number;
  fn: () => void | Promise<void>;
}

/**
 * A clock that stands still until `advanceTo`/`advance` moves it. Moving it runs every timer that falls
 * due on the way, in due order, with `now()` set to each timer's due time, and awaits what the callbacks
 * return, so a test can assert right after `await clock.advanceTo(...)`.
 *
 * @example
 * const clock = new ManualClock('2026-03-08T05:00:00Z');
 * await clock.advanceTo('2026-03-08T12:00:00Z');
 */
export class ManualClock implements Clock {
  private current: number;
  private timers: PendingTimer[] = [];
  private nextId = 1;

  constructor(start: Date | string | number) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  setTimer(fn: () => void | Promise<void>, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ id, due: this.current + Math.max(0, ms), fn });
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle.id);
  }

  /** Timers still waiting, soonest first (for tests that check what is armed). */
  pending(): Date[] {
    return this.timers.map((t) => new Date(t.due)).sort((a, b) => a.getTime() - b.getTime());
  }

  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.current + ms);
  }

  async advanceTo(target: Date | string | number): Promise<void> {
    const end = new Date(target).getTime();
    if (end < this.current) throw new Error(`ManualClock cannot go back in time (${new Date(end).toISOString()})`);
    for (;;) {
      const next = this.timers
        .filter((t) => t.due <= end)
        .sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t.id !== next.id);
      this.current = Math.max(this.current, next.due);
      await next.fn();
    }
    this.current = end;
  }
}
