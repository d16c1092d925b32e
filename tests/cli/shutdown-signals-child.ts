/**
 * A long-running command reduced to its signals, for tests/cli/shutdown-signals.test.ts: `force` and
 * `ignore` take SIGINT/SIGTERM through shutdownSignals (with and without forceExit) and finish their
 * "stop" when a line arrives on stdin; `release` installs the handlers and removes them again.
 */
import { shutdownSignals } from '../../src/cli/shutdown-signals.ts';

const mode = process.argv[2];
const signals = shutdownSignals(mode === 'force' ? { forceExit: { write: (text) => process.stderr.write(text), message: 'Stopping at once.\n' } } : {});
signals.abort.addEventListener('abort', () => process.stdout.write(`aborted: ${String(signals.abort.reason)}\n`));
// Stands for the servers that keep a real command's process alive: signal handlers do not.
const alive = setInterval(() => {}, 1000);
if (mode === 'release') {
  signals.release();
} else {
  // Only watches: shutdownSignals' own handlers are already installed.
  for (const name of ['SIGINT', 'SIGTERM'] as const) process.on(name, () => process.stdout.write(`saw ${name}\n`));
}
process.stdout.write('ready\n');
const signal = await signals.first;
process.stdout.write(`stopping on ${signal} (received: ${signals.received})\n`);
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdout.write('stopped\n');
process.stdin.destroy();
clearInterval(alive);
