import type { Command } from 'commander';
import { z } from 'zod';
import { DaybreakError } from '../../errors.ts';
import type { InboundMessage } from '../../inbound/index.ts';
import { openStore } from '../../storage/index.ts';
import { DB_OPTION_HELP, loadConfigFrom, resolveDatabase, resolveLockWaitMs } from '../context.ts';
import { parseFlags } from '../parse-flags.ts';
import { docPath } from '../../docs-path.ts';

type Io = { stdout: Pick<NodeJS.WritableStream, 'write'> };

const KINDS = ['hard-bounce', 'soft-bounce', 'delayed', 'complaint', 'unsubscribe', 'auto-reply', 'unknown'] as const;

const BouncesFlags = z.strictObject({
  json: z.boolean().default(false),
  kind: z.enum(KINDS, { error: (issue) => `Unknown kind ${JSON.stringify(issue.input)}; expected one of ${KINDS.join(', ')}` }).optional(),
  limit: z.string().regex(/^\d+$/, { error: 'Expected a whole number, e.g. 50' }).transform(Number).refine((n) => n > 0, { error: 'Expected at least 1' }),
  raw: z.string().regex(/^\d+$/, { error: 'Expected a message number from the list, e.g. 12' }).transform(Number).optional(),
});

function line(m: InboundMessage): string {
  const who = m.email ?? (m.subscriberId !== null ? `subscriber ${m.subscriberId}` : 'no reader');
  const copy = m.newsletter ? ` ${m.newsletter}${m.date ? ` ${m.date}` : ''}` : '';
  return `#${m.id}  ${m.receivedAt.slice(0, 16).replace('T', ' ')} UTC  ${m.source.padEnd(8)}  ${m.kind.padEnd(11)}  ${m.status ?? '-'}  ${who}${copy}\n      ${m.outcome}${m.diagnostic ? `\n      ${m.diagnostic.slice(0, 200)}` : ''}`;
}

/**
 * `daybreak bounces [--json] [--kind K] [--limit N] [--raw ID]`: every message and provider event that
 * came back, newest first, with its classification and what it changed (`--raw` prints one as received).
 */
export function registerBounces(program: Command, io: Io = process, env: NodeJS.ProcessEnv = process.env): void {
  program
    .command('bounces')
    .description('List the bounces, complaints, unsubscribe mails and auto-replies received, with what each changed')
    .option('--json', 'print a JSON array')
    .option('--kind <kind>', `only this kind: ${KINDS.join(', ')}`)
    .option('--limit <n>', 'how many, newest first', '50')
    .option('--raw <id>', 'print message #id exactly as it was received')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--db <database>', DB_OPTION_HELP)
    .action(async (rawFlags: Record<string, unknown>) => {
      const { config: configFile, db: dbFlag, ...rest } = rawFlags as { config?: string; db?: string } & Record<string, unknown>;
      const flags = parseFlags(BouncesFlags, rest);
      const config = loadConfigFrom(configFile ? { config: configFile } : {});
      const store = await openStore({ database: resolveDatabase(dbFlag ? { db: dbFlag } : {}, env, config), busyTimeoutMs: resolveLockWaitMs(env) });
      try {
        if (flags.raw !== undefined) {
          const raw = await store.inbound.raw(flags.raw);
          if (!raw) throw new DaybreakError('EUSAGE', `--raw: there is no message #${flags.raw} (see \`daybreak bounces\`)`);
          io.stdout.write(raw);
          return;
        }
        const messages = await store.inbound.list({ limit: flags.limit, ...(flags.kind ? { kind: flags.kind } : {}) });
        if (flags.json) {
          io.stdout.write(`${JSON.stringify(messages, null, 2)}\n`);
          return;
        }
        if (messages.length === 0) {
          io.stdout.write(
            config.inbound?.imap
              ? `Nothing received yet. Mail for ${config.inbound.domain} is read from the IMAP mailbox ${config.inbound.imap.mailbox} by \`daybreak start\` or \`daybreak inbound\`.\n`
              : config.inbound
              ? `Nothing received yet. Mail for ${config.inbound.domain} is taken on ${config.inbound.host}:${config.inbound.port} by \`daybreak start\` or \`daybreak inbound\`.\n`
              : `Nothing received yet, and no inbound domain is configured: set \`inbound.domain\` (see ${docPath('deliverability.md')}).\n`,
          );
          return;
        }
        io.stdout.write(`${messages.map(line).join('\n')}\n`);
      } finally {
        await store.close();
      }
    });
}
