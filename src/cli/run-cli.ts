import { Command, CommanderError } from 'commander';
import { isDaybreakError } from '../errors.ts';
import { projectUrl } from '../project-root.ts';

export type Register = (program: Command) => void;

/** Exit statuses (README): 0 ok or skipped, 1 bad data/config or failure, 2 bad usage, 75 deferred copies. */
export const EXIT = { OK: 0, ERROR: 1, USAGE: 2, TEMPFAIL: 75 } as const;

/** Thrown by a command that wants a specific exit status without printing an error. */
export class ExitStatus extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}

/**
 * Builds the program, runs it and returns the exit status; never calls process.exit itself so tests can
 * drive it in-process. `src/cli/index.ts` is the one place that exits.
 */
export async function runCli(argv: string[], commands: Register[], io = { stderr: process.stderr }): Promise<number> {
  const program = new Command('daybreak')
    .description('Daybreak: article JSON to a morning-briefing email, delivered to every confirmed reader')
    .version(await version())
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  for (const register of commands) register(program);
  program.commands.forEach((c) => c.exitOverride());
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.OK;
  } catch (error) {
    if (error instanceof ExitStatus) return error.status;
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
        return EXIT.OK;
      }
      return EXIT.USAGE;
    }
    if (isDaybreakError(error)) {
      io.stderr.write(`daybreak: ${error.message}\n`);
      return error.code === 'EUSAGE' ? EXIT.USAGE : error.code === 'EBUSY' ? EXIT.TEMPFAIL : EXIT.ERROR;
    }
    io.stderr.write(`daybreak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.ERROR;
  }
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(projectUrl('package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
