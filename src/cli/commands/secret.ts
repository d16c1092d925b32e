import type { Command } from 'commander';
import { openKeyring } from '../../audience/index.ts';
import { resolveDbFile } from '../context.ts';

type Io = { stdout: Pick<NodeJS.WritableStream, 'write'>; stderr: Pick<NodeJS.WritableStream, 'write'> };

/**
 * `daybreak secret rotate|list`: the keys that sign confirm and unsubscribe links and make Message-IDs.
 * They belong to the database ($DAYBREAK_DB): a file beside it (var/daybreak.db → var/daybreak.secret),
 * unless DAYBREAK_SECRET gives one fixed key. docs/readers-and-tokens.md explains rotation.
 */
export function registerSecret(program: Command, io: Io = process, env: NodeJS.ProcessEnv = process.env): void {
  const cmd = program.command('secret').description("Manage the keys that sign the links in the emails (kept beside the database)");

  cmd
    .command('rotate')
    .description('Make a new signing key; links already mailed keep working with the old ones')
    .action(async () => {
      const dbFile = resolveDbFile(env);
      const keyring = openKeyring({ env, dbFile, create: true, onCreate: (m) => io.stdout.write(`${m}\n`) });
      const key = await keyring.rotate();
      io.stdout.write(
        `New signing key ${key.id} in ${keyring.describe()}. Every older key stays, so links already mailed keep working.\n` +
          'Restart running `daybreak start` or `serve` processes so they sign new links with it (they accept its links at once).\n',
      );
    });

  cmd
    .command('list')
    .description('List the signing keys (ids and dates, never the keys themselves)')
    .action(async () => {
      // Reading only: an error naming the missing file, never a new key.
      const keyring = openKeyring({ env, dbFile: resolveDbFile(env), create: false });
      const keys = await keyring.list();
      io.stdout.write(`Keys in ${keyring.describe()}:\n`);
      for (const k of keys) io.stdout.write(`  ${k.id}${k.current ? '  (signs new links)' : ''}${k.createdAt ? `  made ${k.createdAt}` : ''}\n`);
    });
}
