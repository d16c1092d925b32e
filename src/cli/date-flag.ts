import { z } from 'zod';
import { isIsoDate } from '../content/index.ts';

/**
 * The `--date <YYYY-MM-DD>` flag every command takes (`build`, `check`, `send`, `init`): a real calendar
 * date, refused with a message that repeats what was typed, so a typo is seen at once.
 *
 * @example
 * parseFlags(z.strictObject({ date: DateFlag.optional() }), { date: '2026-02-30' });
 * // throws EUSAGE '--date: "2026-02-30" is not a real calendar date; write YYYY-MM-DD, e.g. 2026-11-30'
 */
export const DateFlag = z.string().refine(isIsoDate, {
  error: (issue) => {
    const typed = JSON.stringify(issue.input);
    return /^\d{4}-\d{2}-\d{2}$/.test(String(issue.input))
      ? `${typed} is not a real calendar date; write YYYY-MM-DD, e.g. 2026-11-30`
      : `${typed} is not a date written YYYY-MM-DD, e.g. 2026-11-30`;
  },
});
