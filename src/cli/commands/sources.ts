import type { Command } from 'commander';
import { parseFlags } from '../parse-flags.ts';
import { sourceStatuses } from '../../sources/index.ts';
import { DATA_OPTION_HELP, loadConfigFrom, resolveDataDir } from '../context.ts';
import { z } from 'zod';
import { docPath } from '../../docs-path.ts';
import { plural } from '../../plural.ts';

type Io = { stdout: Pick<NodeJS.WritableStream, 'write'> };

const SourcesFlags = z.strictObject({
  json: z.boolean().default(false),
  config: z.string().min(1).optional(),
  data: z.string().min(1).optional(),
});

/** `daybreak sources [--json]`: each configured source with its last success and last error. */
export function registerSources(program: Command, io: Io = process): void {
  program
    .command('sources')
    .description('List the configured sources with their last read, last success and last error')
    .option('--json', 'print a JSON array')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--data <dir>', DATA_OPTION_HELP)
    .action((raw: Record<string, unknown>) => {
      const flags = parseFlags(SourcesFlags, raw);
      const config = loadConfigFrom(flags.config ? { config: flags.config } : {});
      const statuses = sourceStatuses(config, resolveDataDir(flags.data ? { data: flags.data } : {}, process.env, config));
      if (flags.json) {
        io.stdout.write(`${JSON.stringify(statuses, null, 2)}\n`);
        return;
      }
      if (statuses.length === 0) {
        io.stdout.write(`No sources in the config: add a "sources" list (see ${docPath('feeds.md')}).\n`);
        return;
      }
      const width = Math.max(...statuses.map((s) => s.id.length));
      for (const s of statuses) {
        const last = s.lastSuccessAt ? `last read ${s.lastSuccessAt}` : 'never read';
        io.stdout.write(`${s.id.padEnd(width)}  ${s.state.padEnd(7)}  ${s.type.padEnd(9)}  every ${s.every.padEnd(4)}  ${plural(s.items, 'item')}, ${last}  ${s.url}\n`);
        if (s.lastError) io.stdout.write(`${' '.repeat(width)}  last error ${s.lastError.at}: ${s.lastError.message}\n`);
      }
    });
}
