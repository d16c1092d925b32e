import type { Command } from 'commander';
import { listTemplates } from '../../designs/index.ts';
import { loadConfigFrom } from '../context.ts';

/** One row of `daybreak templates --json`. */
export interface TemplateRow {
  name: string;
  engine: string;
  description: string;
  kind: string;
}

export function templateRows(): TemplateRow[] {
  return listTemplates().map(({ name, engine, description, kind }) => ({ name, engine, description, kind }));
}

/** A plain fixed-width table: one header line, then one line per template. */
export function formatTemplateTable(rows: TemplateRow[]): string {
  const header: TemplateRow = { name: 'NAME', engine: 'ENGINE', kind: 'KIND', description: 'DESCRIPTION' };
  const all = [header, ...rows];
  const width = (key: keyof TemplateRow) => Math.max(...all.map((r) => r[key].length));
  const [wName, wEngine, wKind] = [width('name'), width('engine'), width('kind')];
  return all
    .map((r) => `${r.name.padEnd(wName)}  ${r.engine.padEnd(wEngine)}  ${r.kind.padEnd(wKind)}  ${r.description}`.trimEnd())
    .join('\n');
}

/** `daybreak templates [--json]`: every design in the registry, with its engine and kind. */
export function registerTemplates(
  program: Command,
  io: { stdout: Pick<NodeJS.WritableStream, 'write'> } = process,
): void {
  program
    .command('templates')
    .description('List the email templates: name, engine (react-email or mjml), kind (edition or transactional)')
    .option('--json', 'print [{ name, engine, description, kind }]')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json); validated like every command')
    .action((flags: { json?: boolean; config?: string }) => {
      // The list does not depend on the config, but a config named here that is missing or invalid is an
      // error (exit 1) as in every other command, never silently ignored.
      loadConfigFrom({ ...(flags.config !== undefined ? { config: flags.config } : {}) });
      const rows = templateRows();
      io.stdout.write(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatTemplateTable(rows)}\n`);
    });
}
