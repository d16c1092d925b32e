import { DaybreakError } from '../errors.ts';
import type { Config, Newsletter } from './config-schema.ts';

/**
 * The newsletter called `id`, or the config's first when `id` is undefined or empty; an EUSAGE error
 * naming the config's newsletters otherwise (an unknown `--newsletter` is the caller's mistake).
 *
 * @example
 * const newsletter = findNewsletter(config, flags.newsletter);
 */
export function findNewsletter(config: Pick<Config, 'newsletters'>, id?: string): Newsletter {
  const newsletter = id ? config.newsletters.find((n) => n.id === id) : config.newsletters[0];
  if (!newsletter) {
    const known = config.newsletters.map((n) => n.id).join(', ');
    throw new DaybreakError('EUSAGE', `Unknown newsletter "${id}" (the config has: ${known})`);
  }
  return newsletter;
}
