import { z } from 'zod';
import { httpUrl } from './http-url.ts';
import { ianaTimezone } from './iana-timezone.ts';

/** The kinds of source `daybreak fetch` reads. A feed's kind may be left out: it is detected from the document. */
export const SOURCE_TYPES = ['rss', 'atom', 'jsonfeed', 'wordpress', 'ghost'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)(s|m|h|d)$/;

/**
 * Milliseconds in a duration written as a whole number and a unit: "30s", "15m", "2h", "1d".
 *
 * @example
 * parseDuration('15m'); // 900000
 */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text);
  if (!match) throw new RangeError(`Invalid duration "${text}"`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

const duration = z
  .string()
  .regex(DURATION, { error: 'Expected a duration like "30s", "15m", "2h" or "1d"' })
  // zod runs a refinement even after the regex failed: a malformed duration is the regex's to report.
  .refine((text) => !DURATION.test(text) || parseDuration(text) >= 1_000, { error: 'Must be at least 1s' });


/** Where to read articles from, how often, and the limits that keep a hostile server from hurting the process. */
export const SourceSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'Expected lower-case letters, digits and dashes' }),
    type: z.enum(SOURCE_TYPES).optional(),
    url: httpUrl,
    every: duration.default('15m'),
    kicker: z.string().min(1).optional(),
    section: z.string().min(1).optional(),
    /** "category": the item's first category is its kicker (or section); "source": the source's own `kicker` (`section`). */
    kickerFrom: z.enum(['category', 'source']).default('source'),
    sectionFrom: z.enum(['category', 'source']).default('source'),
    headers: z.record(z.string(), z.string()).default({}),
    /** Ghost's Content API key (sent as `?key=`); for other kinds put credentials in `headers`. */
    apiKey: z.string().min(1).optional(),
    /** How dates written without an offset are read; default: the first newsletter's timezone. */
    timezone: ianaTimezone.optional(),
    /** Largest response body accepted, after decompression (a gzip bomb counts at its real size). */
    maxBytes: z.number().int().positive().default(10 * 1024 * 1024),
    /** The whole read (connect, redirects, body) must finish within this; a server that trickles is cut off. */
    timeoutMs: z.number().int().positive().default(30_000),
    maxRedirects: z.number().int().nonnegative().default(5),
    /** Items read per fetch (newest first as the source lists them); the rest are ignored. */
    maxItems: z.number().int().positive().default(50),
  })
  .check((ctx) => {
    if (ctx.value.type === 'ghost' && ctx.value.apiKey === undefined) {
      ctx.issues.push({ code: 'custom', message: 'A Ghost source needs its Content API key in "apiKey"', input: ctx.value, path: ['apiKey'] });
    }
  });

export type Source = z.infer<typeof SourceSchema>;
