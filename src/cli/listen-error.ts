import { DaybreakError } from '../errors.ts';

/** Where a command tried to listen, and what a person can change to move it. */
export interface ListenTarget {
  /** The port that was asked for. */
  port: number;
  /** The address that was asked for; named in the message only when it is not `defaultHost`. */
  host: string;
  /** The command's default address, which a person does not need to be told about. */
  defaultHost: string;
  /** What the port is for when a command listens on more than one, e.g. `inbound mail`. */
  purpose?: string;
  /** The likely culprit, e.g. `another preview?`. */
  likely?: string;
  /** The flags, environment variables and config keys that choose this port, in the command's order of precedence. */
  choose: readonly string[];
}

/** "a", "a or b", "a, b or c". */
function either(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/**
 * What to throw when listening failed: a port already taken (EADDRINUSE) becomes a one-line usage error
 * that names the port, the address when it is not the command's default, and how to choose another;
 * any other error is returned as it was. Every command that listens builds its message here, so they
 * all read alike.
 *
 * @example
 * try {
 *   server = await startServer(app, { port, hostname: flags.host });
 * } catch (error) {
 *   throw listenError(error, { port, host: flags.host, defaultHost: '0.0.0.0', choose: ['--port', 'PORT', 'web.port'] });
 * }
 * // EUSAGE 'Port 3000 is in use; choose another with --port, PORT or web.port'
 */
export function listenError(error: unknown, target: ListenTarget): unknown {
  if ((error as NodeJS.ErrnoException | null)?.code !== 'EADDRINUSE') return error;
  const purpose = target.purpose ? ` for ${target.purpose}` : '';
  const host = target.host !== target.defaultHost ? ` on ${target.host}` : '';
  const likely = target.likely ? ` (${target.likely})` : '';
  return new DaybreakError('EUSAGE', `Port ${target.port}${purpose}${host} is in use${likely}; choose another with ${either(target.choose)}`, { cause: error });
}
