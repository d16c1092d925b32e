import type { Command } from 'commander';
import { parseFlags } from '../parse-flags.ts';
import { z } from 'zod';
import { fetchSources, type SourceReport } from '../../sources/index.ts';
import { DATA_OPTION_HELP, loadConfigFrom, resolveDataDir } from '../context.ts';
import { ExitStatus, EXIT } from '../run-cli.ts';
import { docPath } from '../../docs-path.ts';

type Io = { stdout: Pick<NodeJS.WritableStream, 'write'>; stderr: Pick<NodeJS.WritableStream, 'write'> };

const FetchFlags = z.strictObject({
  source: z.array(z.string().min(1)).default([]),
  json: z.boolean().default(false),
  config: z.string().min(1).optional(),
  data: z.string().min(1).optional(),
});

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The human report: one line per source, then its notes and errors indented under it. */
function formatReports(reports: SourceReport[]): string {
  const width = Math.max(...reports.map((r) => r.id.length));
  const lines: string[] = [];
  for (const r of reports) {
    const counts = `${r.new} new, ${r.updated} updated, ${r.unchanged} unchanged, ${r.skipped} skipped`;
    const head =
      r.status === 'failed' ? `${r.id.padEnd(width)}  failed        ${r.errors[0]}`
      : r.status === 'not-modified' ? `${r.id.padEnd(width)}  not modified  ${r.unchanged} unchanged`
      : `${r.id.padEnd(width)}  ok            ${counts}`;
    lines.push(head);
    for (const note of r.notes) lines.push(`${' '.repeat(width)}  note: ${note}`);
    for (const error of r.status === 'failed' ? r.errors.slice(1) : r.errors) lines.push(`${' '.repeat(width)}  error: ${error}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `daybreak fetch [--source ID] [--json]`: reads the config's sources into article files. Exit 0 when
 * every source was read, 1 when any failed (the others are still written), 2 for an unknown source.
 */
export function registerFetch(program: Command, io: Io = process): void {
  program
    .command('fetch')
    .description('Read the config\'s sources (RSS, Atom, JSON Feed, WordPress, Ghost) into article files under data/articles/<source>/')
    .option('--source <id>', 'only this source (repeat for several)', collect, [])
    .option('--json', 'print one JSON object per source: id, status, new, updated, unchanged, skipped, errors')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--data <dir>', DATA_OPTION_HELP)
    .action(async (raw: Record<string, unknown>) => {
      const flags = parseFlags(FetchFlags, raw);
      const config = loadConfigFrom(flags.config ? { config: flags.config } : {});
      const dataDir = resolveDataDir(flags.data ? { data: flags.data } : {}, process.env, config);
      const reports = await fetchSources({ config, dataDir, ...(flags.source.length > 0 ? { only: flags.source } : {}) });
      if (flags.json) io.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
      else if (reports.length === 0) io.stdout.write(`No sources in the config: add a "sources" list (see ${docPath('feeds.md')}).\n`);
      else io.stdout.write(formatReports(reports));
      if (reports.some((r) => r.status === 'failed')) throw new ExitStatus(EXIT.ERROR);
    });
}
