import type { Command } from 'commander';
import { openKeyring, type Key } from '../../audience/index.ts';
import { DaybreakError, isDaybreakError } from '../../errors.ts';
import { copyStore, isPostgresUrl, migrate, openClient, pendingMigrations } from '../../storage/index.ts';
import { DB_OPTION_HELP, describeDatabase, loadConfigFrom, resolveDatabase, resolveLockWaitMs } from '../context.ts';
import { secretFrom } from '../../settings/index.ts';

type Io = { stdout: Pick<NodeJS.WritableStream, 'write'>; stderr: Pick<NodeJS.WritableStream, 'write'> };

/**
 * `daybreak db migrate` and `daybreak db copy --to postgres://…`: the database's schema, and the way up
 * from one machine's SQLite file to a PostgreSQL server that several machines share.
 */
export function registerDb(program: Command, io: Io = process, env: NodeJS.ProcessEnv = process.env): void {
  const cmd = program.command('db').description('The database: apply migrations, copy an install to PostgreSQL');

  cmd
    .command('migrate')
    .description('Apply pending schema migrations (every command also does this when it opens the database)')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--db <database>', DB_OPTION_HELP)
    .option('--dry-run', 'list the pending migrations without applying them')
    .option('--json', 'print { database, applied, pending }')
    .action(async (flags: { config?: string; db?: string; dryRun?: boolean; json?: boolean }) => {
      const config = loadConfigFrom(flags);
      const database = resolveDatabase(flags, env, config);
      const client = openClient({ database, busyTimeoutMs: resolveLockWaitMs(env) });
      try {
        const pending = await pendingMigrations(client);
        const applied = flags.dryRun ? [] : await migrate(client);
        const left = flags.dryRun ? pending : [];
        if (flags.json) {
          io.stdout.write(`${JSON.stringify({ database: describeDatabase(database), applied, pending: left }, null, 2)}\n`);
        } else if (flags.dryRun) {
          io.stdout.write(pending.length ? `${describeDatabase(database)}: pending ${pending.join(', ')}\n` : `${describeDatabase(database)}: up to date\n`);
        } else {
          io.stdout.write(applied.length ? `${describeDatabase(database)}: applied ${applied.join(', ')}\n` : `${describeDatabase(database)}: already up to date\n`);
        }
      } finally {
        await client.close();
      }
    });

  cmd
    .command('copy')
    .description('Copy every row of this database into an empty PostgreSQL database and verify the counts')
    .requiredOption('--to <url>', 'the target: a postgres:// URL (or a new SQLite file)')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--db <database>', `the source; ${DB_OPTION_HELP}`)
    .option('--json', 'print { from, to, tables: { name: rows } }')
    .action(async (flags: { to: string; config?: string; db?: string; json?: boolean }) => {
      const config = loadConfigFrom(flags);
      const from = resolveDatabase(flags, env, config);
      if (from === flags.to) throw new DaybreakError('EUSAGE', '--to names the database being copied; give another one');
      const source = openClient({ database: from });
      try {
        const target = openClient({ database: flags.to });
        try {
          // Keys kept in a file beside the SQLite source move into the target, so mailed links keep working.
          const keys = isPostgresUrl(from) || secretFrom(env) ? [] : await fileKeys(from);
          const report = await copyStore(source, target, { keys });
          if (flags.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          else {
            io.stdout.write(`Copied ${describeDatabase(from)} to ${describeDatabase(flags.to)}; every table's count matches:\n`);
            for (const [table, n] of Object.entries(report.tables)) io.stdout.write(`  ${table.padEnd(20)} ${n}\n`);
            io.stdout.write('Point every command at it with DATABASE_URL (or the config\'s `database`), then start the workers.\n');
          }
        } finally {
          await target.close();
        }
      } finally {
        await source.close();
      }
    });
}

/** The keys of the key file beside a SQLite database, oldest first (none when it has no file yet). */
async function fileKeys(dbFile: string): Promise<Key[]> {
  const keyring = openKeyring({ env: {}, dbFile, create: false });
  try {
    const keys: Key[] = [];
    for (const { id } of await keyring.list()) {
      const key = await keyring.byId(id);
      if (key) keys.push(key);
    }
    return keys;
  } catch (error) {
    if (isDaybreakError(error, 'ENOKEY')) return [];
    throw error;
  }
}
