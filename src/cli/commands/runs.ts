import type { Command } from 'commander';
import { z } from 'zod';
import { openStore } from '../../storage/index.ts';
import { DaybreakError } from '../../errors.ts';
import type { Run } from '../../schedule/index.ts';
import { DB_OPTION_HELP, loadConfigFrom, resolveDatabase, resolveLockWaitMs } from '../context.ts';

type Io = { stdout: Pick<NodeJS.WritableStream, 'write'> };

const RUN_STATES = ['running', 'done', 'skipped', 'missed', 'failed', 'held'] as const;

const RunsFlags = z.strictObject({
  json: z.boolean().default(false),
  newsletter: z.string().min(1).optional(),
  state: z
    .enum(RUN_STATES, { error: (issue) => `Unknown state ${JSON.stringify(issue.input)}; expected one of ${RUN_STATES.join(', ')}` })
    .optional(),
  limit: z.string().regex(/^\d+$/, { error: 'Expected a whole number, e.g. 20' }).transform(Number).refine((n) => n > 0, { error: 'Expected at least 1' }),
});

/** The JSON shape of one run (`daybreak runs --json`). */
export function runJson(run: Run) {
  return {
    newsletter: run.newsletter,
    date: run.date,
    state: run.state,
    scheduledAt: run.scheduledAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    total: run.total,
    sent: run.sent,
    failed: run.failed,
    deferred: run.deferred,
    skipped: run.skipped,
    reason: run.reason,
  };
}

function humanLine(run: Run, width: number): string {
  const counts = run.state === 'done' || run.state === 'running' || run.state === 'failed'
    ? `${run.sent}/${run.total} sent${run.failed ? `, ${run.failed} failed` : ''}${run.deferred ? `, ${run.deferred} deferred` : ''}${run.skipped ? `, ${run.skipped} skipped` : ''}`
    : '';
  const when = (run.finishedAt ?? run.startedAt).slice(0, 16).replace('T', ' ');
  const head = `${run.date}  ${run.newsletter.padEnd(width)}  ${run.state.padEnd(7)}  ${when} UTC`;
  return [head, counts, run.reason].filter(Boolean).join('  ');
}

/** `daybreak runs [--json] [--newsletter ID] [--state S] [--limit N]`: recent runs from the run ledger. */
export function registerRuns(program: Command, io: Io = process, env: NodeJS.ProcessEnv = process.env): void {
  program
    .command('runs')
    .description('List recent scheduled runs (run ledger): state, counts, times and reasons')
    .option('--json', 'print a JSON array')
    .option('--newsletter <id>', 'only this newsletter')
    .option('--state <state>', 'only runs in this state: running, done, skipped, missed, failed, held')
    .option('--limit <n>', 'how many runs, newest edition first', '20')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--db <database>', DB_OPTION_HELP)
    .action(async (rawFlags: Record<string, unknown>) => {
      const { config: configFile, db: dbFlag, ...rest } = rawFlags as { config?: string; db?: string } & Record<string, unknown>;
      const parsed = RunsFlags.safeParse(rest);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new DaybreakError('EUSAGE', `--${String(issue.path[0] ?? '')}: ${issue.message}`);
      }
      const flags = parsed.data;
      const config = loadConfigFrom(configFile ? { config: configFile } : {});
      const store = await openStore({ database: resolveDatabase(dbFlag ? { db: dbFlag } : {}, env, config), busyTimeoutMs: resolveLockWaitMs(env) });
      try {
        const runs = await store.runs.list({
          limit: flags.limit,
          ...(flags.newsletter ? { newsletter: flags.newsletter } : {}),
          ...(flags.state ? { state: flags.state } : {}),
        });
        if (flags.json) {
          io.stdout.write(`${JSON.stringify(runs.map(runJson), null, 2)}\n`);
          return;
        }
        if (runs.length === 0) {
          io.stdout.write('No runs yet: `daybreak start` records one per scheduled edition.\n');
          return;
        }
        const width = Math.max(...runs.map((r) => r.newsletter.length));
        io.stdout.write(`${runs.map((r) => humanLine(r, width)).join('\n')}\n`);
      } finally {
        await store.close();
      }
    });
}
