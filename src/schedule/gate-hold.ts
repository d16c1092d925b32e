import type { Edition, Newsletter } from '../content/index.ts';
import type { SchedulerContext } from './scheduler-context.ts';

/**
 * Runs the pre-send gate before a scheduled edition's first send. A failing edition is held: its run is
 * finished `held` with the failures as the reason, and nothing is sent; a person fixes it and sends by
 * hand, or overrides with `daybreak send --force`. True when the edition was held.
 *
 * @example
 * if (await holdIfGateFails(ctx, newsletter, date, edition)) return;
 */
export async function holdIfGateFails(ctx: SchedulerContext, newsletter: Newsletter, date: string, edition: Edition): Promise<boolean> {
  if (!ctx.sender.check) return false;
  const gate = await ctx.sender.check({ newsletterId: newsletter.id, date, edition });
  if (gate.ok) return false;
  const reason = `held by the pre-send checks: ${gate.failures.join(' | ')} (see \`daybreak check --newsletter ${newsletter.id} --date ${date}\`; fix and send with \`daybreak send --newsletter ${newsletter.id} --date ${date}\`, or override with --force)`;
  await ctx.ledger.finish({ newsletter: newsletter.id, date, holder: ctx.holder, state: 'held', now: ctx.clock.now(), reason });
  ctx.log(`${newsletter.id} ${date}: ${reason}`);
  return true;
}
