/**
 * One holder at a time, in arrival order: a SQLite connection runs one transaction at a time, and a
 * transaction body awaits between its statements.
 *
 * @example
 * const release = await mutex.lock();
 * try { work(); } finally { release(); }
 */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}
