import type { Command } from 'commander';
import { z } from 'zod';
import { findNewsletter, isSkipped, localDate } from '../../content/index.ts';
import { runPreSendGate, type GateReport } from '../../delivery/index.ts';
import { DaybreakError } from '../../errors.ts';
import { renderEdition } from '../../designs/index.ts';
import { DATA_OPTION_HELP, describeDatesWithArticles, loadConfigFrom, requestedEdition, resolveDataDir } from '../context.ts';
import { parseFlags } from '../parse-flags.ts';
import { EXIT, ExitStatus } from '../run-cli.ts';
import { smtpUrlFrom } from '../../settings/index.ts';
import { plural } from '../../plural.ts';
import { DateFlag } from '../date-flag.ts';

type Io = { stdout: Pick<NodeJS.WritableStream, 'write'>; stderr: Pick<NodeJS.WritableStream, 'write'> };

const CheckFlags = z.strictObject({
  newsletter: z.string().min(1).optional(),
  date: DateFlag.optional(),
  data: z.string().min(1).optional(),
  config: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

const MARK = { pass: 'ok  ', fail: 'FAIL', warn: 'warn', skip: 'skip' } as const;

/** The human form of a gate report, one line per check and its details indented below. */
export function formatGateReport(report: GateReport): string {
  const lines = [`Pre-send checks for ${report.newsletter} ${report.date}:`];
  for (const check of report.checks) {
    lines.push(`  ${MARK[check.status]}  ${check.title}`);
    for (const detail of check.details) lines.push(`        ${detail}`);
  }
  lines.push(report.ok ? 'All checks pass: the edition can go out.' : `${plural(report.failures.length, 'check')} failed: a scheduled send of this edition is held until they pass (or \`daybreak send --force\`).`);
  return `${lines.join('\n')}\n`;
}

/**
 * `daybreak check [--newsletter ID] [--date D] [--json]`: the pre-send gate on an edition as it would be
 * sent (the sample reader's copy, built by the sender's own builder). Exit 0 when every check passes,
 * 1 naming each failure.
 */
export async function check(rawFlags: Record<string, unknown>, io: Io = process, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const flags = parseFlags(CheckFlags, rawFlags);
  const config = loadConfigFrom(flags.config ? { config: flags.config } : {});
  const newsletter = findNewsletter(config, flags.newsletter);
  const date = flags.date ?? localDate(new Date(), newsletter.schedule.timezone);
  const dataDir = resolveDataDir(flags.data ? { data: flags.data } : {}, env, config);
  const edition = requestedEdition({ config, newsletter, date, dataDir, warn: (line) => io.stderr.write(`warning: ${line}\n`) });
  if (isSkipped(edition)) {
    // Named the way `build` names them, so the next try is not a guess.
    throw new DaybreakError('EUSAGE', `${newsletter.id} ${date}: no articles in this edition's window, so there is nothing to check.\n${describeDatesWithArticles(edition.datesWithArticles ?? [], date)}`);
  }
  const rendered = await renderEdition(edition, config);
  const report = await runPreSendGate({ config, newsletter, date, rendered, realMail: smtpUrlFrom(env) !== undefined, env });
  io.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatGateReport(report));
  return report.ok ? EXIT.OK : EXIT.ERROR;
}

export function registerCheck(program: Command, io: Io = process): void {
  program
    .command('check')
    .description('Run the pre-send checks on an edition as it would be sent (exit 1 naming each failure)')
    .option('--newsletter <id>', 'newsletter id (default: the first in the config)')
    .option('--date <YYYY-MM-DD>', "edition date (default: today in the newsletter's timezone)")
    .option('--data <dir>', DATA_OPTION_HELP)
    .option('--json', 'print { newsletter, date, ok, checks: [{ id, title, status, details }], failures }')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .action(async (flags: Record<string, unknown>) => {
      const status = await check(flags, io);
      if (status !== EXIT.OK) throw new ExitStatus(status);
    });
}
