import { readerZone } from '../audience/index.ts';
import { assembleEdition, isLocalTime, waveTimes, type Edition, type Newsletter, type SkippedEdition } from '../content/index.ts';
import type { SchedulerContext } from './scheduler-context.ts';

/**
 * The zones a local-time newsletter's readers live in, valid ones only (a stored zone that is not valid
 * counts as the newsletter's own).
 *
 * @example
 * const zones = await readerZonesOf(ctx, newsletter); // ['Europe/London', 'America/New_York']
 */
export async function readerZonesOf(ctx: SchedulerContext, newsletter: Newsletter): Promise<string[]> {
  const stored = (await ctx.sender.readerZones?.(newsletter.id)) ?? [];
  return [...new Set(stored.map((z) => readerZone(z, newsletter.schedule.timezone)))];
}

/**
 * The edition to send for (newsletter, date), from the articles as they are now (skipped when its
 * window has none). Every wave of a
 * local-time edition sends the edition the first one pinned; the first closes its window as it goes.
 *
 * @example
 * const edition = await editionToSend(ctx, newsletter, '2026-03-08');
 */
export async function editionToSend(ctx: SchedulerContext, newsletter: Newsletter, date: string): Promise<Edition | SkippedEdition> {
  const { config } = ctx.options;
  if (isLocalTime(newsletter)) {
    const pinned = (await ctx.sender.pinned?.(newsletter.id, date)) ?? null;
    if (pinned) return pinned;
    const [first] = waveTimes(newsletter, date, await readerZonesOf(ctx, newsletter));
    const content = await ctx.options.loadContent();
    return assembleEdition({ config, content, newsletterId: newsletter.id, date, ...(first ? { closesAt: first } : {}) });
  }
  const content = await ctx.options.loadContent();
  return assembleEdition({ config, content, newsletterId: newsletter.id, date });
}
