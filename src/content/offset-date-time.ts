import { z } from 'zod';

const EXAMPLE = '2026-11-30T04:12:00-05:00';
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * The shape of an RFC 3339 date-time, loose on the numbers (any two digits for an hour) so that a value
 * of the right form but naming a moment that does not exist can be told apart from one that is not a
 * date-time at all.
 */
const SHAPE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-](\d{2}):?(\d{2}))?$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** What is out of range in a well-shaped value, or null when every field names something that exists. */
function nonexistent(m: RegExpMatchArray): string | null {
  const [year, month, day, hour, minute, second, , offsetHours, offsetMinutes] = m.slice(1).map((f) => (f === undefined ? undefined : Number(f)));
  if (month! < 1 || month! > 12) return `is not a real date: month ${m[2]} does not exist (01–12)`;
  const days = daysIn(year!, month!);
  if (day! < 1) return `is not a real date: day ${m[3]} does not exist (days start at 01)`;
  if (day! > days) return `is not a real date: ${MONTHS[month! - 1]} ${m[1]} has ${days} days`;
  if (hour! > 23) return `is not a real time: hour ${m[4]} is out of range (00–23)`;
  if (minute! > 59) return `is not a real time: minute ${m[5]} is out of range (00–59)`;
  // RFC 3339 §5.6 allows a leap second (60) in principle, but no parser Daybreak meets does, so neither does zod.
  if (second !== undefined && second > 59) return `is not a real time: second ${m[6]} is out of range (00–59)`;
  if (offsetHours !== undefined && (offsetHours > 23 || offsetMinutes! > 59)) return `is not a real UTC offset: ${m[7]} is out of range (-23:59 to +23:59)`;
  return null;
}

/**
 * Why `value` is not a date-time with an offset, one sentence naming it: a moment that does not exist
 * (30 February, hour 25), a missing offset, missing seconds, or not ISO 8601 at all.
 */
function describeDateTimeProblem(value: string): string {
  const quoted = JSON.stringify(value);
  const m = SHAPE.exec(value);
  // RFC 3339 §5.6 allows a lower-case t and z, but zod's check (like much software) takes only capitals.
  if (!m && SHAPE.test(value.toUpperCase())) return `${quoted} writes T or Z in lower case; write ${value.toUpperCase()}`;
  if (!m) return `${quoted} is not an ISO 8601 date-time with an offset; write e.g. ${EXAMPLE}`;
  const missing = nonexistent(m);
  if (missing) return `${quoted} ${missing}`;
  // Without an offset the same local time is a different instant in every zone, so the edition it falls in is a guess.
  if (m[7] === undefined) {
    const withSeconds = m[6] === undefined ? `${value}:00` : value;
    return `${quoted} has no UTC offset; add one, e.g. ${withSeconds}+01:00 (or Z for UTC)`;
  }
  // RFC 3339 §5.6: seconds are required, and the offset is written with a colon.
  const offset = m[7] === 'Z' ? 'Z' : `${m[7].slice(0, 3)}:${m[7].slice(-2)}`;
  const wrong = [...(m[6] === undefined ? ['has no seconds'] : []), ...(offset !== m[7] ? ['has its UTC offset without a colon'] : [])];
  if (wrong.length > 0) {
    const fixed = `${value.slice(0, value.length - m[7].length)}${m[6] === undefined ? ':00' : ''}${offset}`;
    return `${quoted} ${wrong.join(' and ')}; write ${fixed}`;
  }
  return `${quoted} is not an ISO 8601 date-time with an offset; write e.g. ${EXAMPLE}`;
}

/**
 * An ISO 8601 (RFC 3339) date-time with an offset (`-05:00`, `+01:00` or `Z`), as `publishedAt` needs:
 * still `format: date-time` in the JSON Schema, with a message that says which part is wrong.
 *
 * @example
 * OffsetDateTime.parse('2026-11-30T04:12:00-05:00'); // ok
 * OffsetDateTime.safeParse('2026-02-30T05:00:00+01:00').error?.issues[0]?.message; // '… is not a real date: February 2026 has 28 days'
 */
export const OffsetDateTime = z.iso.datetime({
  offset: true,
  error: (issue) => (issue.code === 'invalid_type' || typeof issue.input !== 'string' ? undefined : describeDateTimeProblem(issue.input)),
});
