/** A signal this soon after the first is the same Ctrl-C delivered twice (see `shutdownSignals`). */
const REPEAT_SIGNAL_MS = 1000;

/** What a long-running command learns from SIGINT and SIGTERM. */
export interface ShutdownSignals {
  /** The first SIGINT or SIGTERM received so far, or null. */
  readonly received: NodeJS.Signals | null;
  /** Resolves with the first signal: at once when it came already, e.g. while the command was starting. */
  readonly first: Promise<NodeJS.Signals>;
  /** Aborted by the first signal (its `reason` is the signal's name), for waits that take an AbortSignal. */
  readonly abort: AbortSignal;
  /** Removes the handlers: for a command that failed before it had anything to stop. */
  release(): void;
}

/** How a second signal ends the process at once, instead of being ignored. */
export interface ForceExit {
  /** Where the last word goes (stderr). */
  write: (text: string) => unknown;
  /** The last word, one line ending in a newline, e.g. what happens to the mail not yet sent. */
  message: string;
}

/**
 * SIGINT and SIGTERM for a command that runs until it is told to stop (`start`, `worker`): the first asks
 * for a clean stop, which the command performs; with `forceExit`, a later one ends the process at once
 * (status 130), and without it later ones are ignored.
 *
 * Call it before the command announces itself or starts anything: a signal sent as soon as "running" is
 * read must find the handlers in place, since the default action would end the process without stopping
 * it. The handlers stay installed for the whole life of the process (until `release`): swapping a handler
 * for another leaves a moment with none, in which the default action of a SIGINT kills the process. Under
 * `npm start` one Ctrl-C arrives twice (from the terminal to the whole process group, and again forwarded
 * by npm), so a repeat within a second of the first is taken as that same keypress, not as "now"
 * (tests/schedule/start-signals.test.ts).
 *
 * @example
 * const signals = shutdownSignals({ forceExit: { write: (t) => process.stderr.write(t), message: 'Stopping at once.\n' } });
 * await server.start();
 * console.log('running; stop with Ctrl-C');
 * const signal = await signals.first;
 * console.log(`${signal}: stopping`);
 * await server.stop();
 */
export function shutdownSignals(options: { forceExit?: ForceExit } = {}): ShutdownSignals {
  const controller = new AbortController();
  let received: NodeJS.Signals | null = null;
  let receivedAt = 0;
  let resolveFirst: (signal: NodeJS.Signals) => void = () => {};
  const first = new Promise<NodeJS.Signals>((resolve) => (resolveFirst = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!received) {
      received = signal;
      receivedAt = Date.now();
      controller.abort(signal);
      resolveFirst(signal);
      return;
    }
    if (!options.forceExit || Date.now() - receivedAt < REPEAT_SIGNAL_MS) return;
    options.forceExit.write(options.forceExit.message);
    // 128 + SIGINT, what a shell reports for a process ended by Ctrl-C.
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    get received() {
      return received;
    },
    first,
    abort: controller.signal,
    release() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
