import type { Command } from 'commander';
import { openKeyring } from '../../audience/index.ts';
import { isPostgresUrl, openStore } from '../../storage/index.ts';
import { DB_OPTION_HELP, loadConfigFrom, resolveDatabase, resolveLockWaitMs } from '../context.ts';

type Io = { stdout: Pick<NodeJS.WritableStream, 'write'>; stderr: Pick<NodeJS.WritableStream, 'write'> };

/**
 * `daybreak secret rotate|list`: the keys that sign confirm and unsubscribe links and make Message-IDs.
 * They belong to the database: a file beside a SQLite file (var/daybreak.db → var/daybreak.secret), the
 * database itself for PostgreSQL, unless DAYBREAK_SECRET gives one fixed key. docs/readers-and-tokens.md
 * explains rotation.
 */
export function registerSecret(program: Command, io: Io = process, env: NodeJS.ProcessEnv = process.env): void {
  const cmd = program.command('secret').description('The token keys: rotate them, list them');

  const withKeyring = async <T>(flags: { config?: string; db?: string }, create: boolean, fn: (keyring: ReturnType<typeof openKeyring>) => Promise<T>): Promise<T> => {
    const config = loadConfigFrom(flags);
    const database = resolveDatabase(flags, env, config);
    // A SQLite install keeps its keys in a file beside the database: nothing to open (or create) for it.
    const store = isPostgresUrl(database) ? await openStore({ database, busyTimeoutMs: resolveLockWaitMs(env) }) : null;
    try {
      const keyring = openKeyring({
        env,
        dbFile: database,
        create,
        onCreate: (m) => io.stdout.write(`${m}\n`),
        store,
      });
      return await fn(keyring);
    } finally {
      await store?.close();
    }
  };

  cmd
    .command('rotate')
    .description('Make a new signing key; links already mailed keep working with the old ones')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--db <database>', DB_OPTION_HELP)
    .action(async (flags: { config?: string; db?: string }) => {
      await withKeyring(flags, true, async (keyring) => {
        const key = await keyring.rotate();
        io.stdout.write(
          `New signing key ${key.id} in ${keyring.describe()}. Every older key stays, so links already mailed keep working.\n` +
            'Restart running `daybreak start` or `serve` processes so they sign new links with it (they accept its links at once).\n',
        );
      });
    });

  cmd
    .command('list')
    .description('List the keys (ids and dates, never the keys themselves)')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--db <database>', DB_OPTION_HELP)
    .action(async (flags: { config?: string; db?: string }) => {
      // Reading only: an error naming where the keys should be, never a new key.
      await withKeyring(flags, false, async (keyring) => {
        const keys = await keyring.list();
        io.stdout.write(`Keys in ${keyring.describe()}:\n`);
        for (const k of keys) io.stdout.write(`  ${k.id}${k.current ? '  (signs new links)' : ''}${k.createdAt ? `  made ${k.createdAt}` : ''}\n`);
      });
    });
}
