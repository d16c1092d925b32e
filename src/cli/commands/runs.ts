import type { Command } from 'commander';
import { z } from 'zod';
import { openStore } from '../../storage/index.ts';
import { runCountsFromSends, runWithLedger, waveStatus, type Run, type RunLedger, type RunState, type WaveStatus } from '../../schedule/index.ts';
import { isLocalTime } from '../../content/index.ts';
import { DB_OPTION_HELP, loadConfigFrom, resolveDatabase, resolveLockWaitMs } from '../context.ts';
import { parseFlags } from '../parse-flags.ts';
import { plural } from '../../plural.ts';

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

/** A run with how many of its `skipped` copies expired unsent (the send ledger's `expired`, at most `skipped`). */
type ListedRun = Run & { expired: number };

/** The JSON shape of one run (`daybreak runs --json`); a local-time newsletter's run adds its `waves`. */
export function runJson(run: ListedRun, waves?: WaveStatus[]) {
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
    expired: run.expired,
    reason: run.reason,
    ...(waves ? { waves } : {}),
  };
}

/** "waves: 3 sent, 2 waiting (next 2026-03-08 13:00 UTC)" for a local-time run. */
function wavesLine(waves: WaveStatus[]): string {
  const sent = waves.filter((w) => w.waiting === 0 && w.sent > 0).length;
  const waiting = waves.filter((w) => w.waiting > 0);
  const readers = waiting.reduce((n, w) => n + w.waiting, 0);
  return `waves: ${sent} sent, ${waiting.length} waiting${waiting.length ? ` (${plural(readers, 'reader')}; next ${waiting[0]!.dueUtc})` : ''}`;
}

function humanLine(run: ListedRun, width: number, waves?: WaveStatus[]): string {
  // The run ledger's `skipped` holds expired copies too; people are told them apart (a reader who
  // unsubscribed is not a wave whose time passed).
  const expired = run.expired;
  const skipped = run.skipped - expired;
  const counts = run.state === 'done' || run.state === 'running' || run.state === 'failed'
    ? `${run.sent}/${run.total} sent${run.failed ? `, ${run.failed} failed` : ''}${run.deferred ? `, ${run.deferred} deferred` : ''}${skipped ? `, ${skipped} skipped` : ''}${expired ? `, ${expired} expired` : ''}`
    : '';
  const when = (run.finishedAt ?? run.startedAt).slice(0, 16).replace('T', ' ');
  const head = `${run.date}  ${run.newsletter.padEnd(width)}  ${run.state.padEnd(7)}  ${when} UTC`;
  return [head, counts, waves && waves.length > 0 ? wavesLine(waves) : '', run.reason].filter(Boolean).join('  ');
}

/**
 * What to say when no run is listed: an empty ledger is "no runs yet", but a --state or --newsletter that matches
 * none says so, with how many runs there are without it, so that "none held" is not read as "nothing ran".
 */
async function noneLine(ledger: Pick<RunLedger, 'count'>, flags: { newsletter?: string; state?: RunState }): Promise<string> {
  const all = await ledger.count();
  if (all === 0 || (!flags.newsletter && !flags.state)) return 'No runs yet: `daybreak start` records one per scheduled edition.';
  const what = `No ${flags.state ? `${flags.state} ` : ''}runs${flags.newsletter ? ` for ${flags.newsletter}` : ''}`;
  const them = (n: number) => (n === 1 ? 'it' : 'them');
  if (flags.newsletter && flags.state) {
    const ofNewsletter = await ledger.count({ newsletter: flags.newsletter });
    if (ofNewsletter > 0) return `${what} (${plural(ofNewsletter, 'run')} for ${flags.newsletter}; drop --state to see ${them(ofNewsletter)}).`;
    return `${what} (${plural(all, 'run')} in all, none for ${flags.newsletter}; drop --newsletter and --state to see ${them(all)}).`;
  }
  return `${what} (${plural(all, 'run')} in all; drop ${flags.state ? '--state' : '--newsletter'} to see ${them(all)}).`;
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
      const flags = parseFlags(RunsFlags, rest);
      const config = loadConfigFrom(configFile ? { config: configFile } : {});
      const store = await openStore({ database: resolveDatabase(dbFlag ? { db: dbFlag } : {}, env, config), busyTimeoutMs: resolveLockWaitMs(env) });
      try {
        const listed = await store.runs.list({
          limit: flags.limit,
          ...(flags.newsletter ? { newsletter: flags.newsletter } : {}),
          ...(flags.state ? { state: flags.state } : {}),
        });
        const runs = await Promise.all(
          listed.map(async (r): Promise<ListedRun> => {
            const sends = await store.sends.counts({ newsletter: r.newsletter, date: r.date });
            const counts = runCountsFromSends(sends);
            return runWithLedger(r, counts && { ...counts, expired: sends.expired });
          }),
        );
        // Local-time newsletters' runs go out in waves: each wave's sent and waiting copies, from the ledger.
        const local = new Set(config.newsletters.filter(isLocalTime).map((n) => n.id));
        const waves = await Promise.all(
          runs.map(async (r) => (local.has(r.newsletter) ? (await store.sends.waves({ newsletter: r.newsletter, date: r.date })).map(waveStatus) : undefined)),
        );
        if (flags.json) {
          io.stdout.write(`${JSON.stringify(runs.map((r, i) => runJson(r, waves[i])), null, 2)}\n`);
          return;
        }
        if (runs.length === 0) {
          io.stdout.write(`${await noneLine(store.runs, flags)}\n`);
          return;
        }
        const width = Math.max(...runs.map((r) => r.newsletter.length));
        io.stdout.write(`${runs.map((r, i) => humanLine(r, width, waves[i])).join('\n')}\n`);
      } finally {
        await store.close();
      }
    });
}
