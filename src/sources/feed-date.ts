import { TZDate } from '@date-fns/tz';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** The zone names RFC 822 §5.1 defines (RSS 2.0 dates are RFC 822 dates); military letters are too ambiguous to trust. */
const NAMED_ZONES: Record<string, number> = {
  UT: 0, GMT: 0, Z: 0, EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
};

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*([Zz]|[+-]\d{2}:?\d{2})?$/;
const RFC822 = /^(?:[A-Za-z]{3,9},?\s*)?(\d{1,2})\s+([A-Za-z]{3,9})\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4}|[A-Za-z]{1,5})?$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function zoneMinutes(zone: string | undefined): number | null {
  if (zone === undefined) return null;
  if (/^[Zz]$/.test(zone)) return 0;
  const numeric = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (numeric) return (numeric[1] === '-' ? -1 : 1) * (Number(numeric[2]) * 60 + Number(numeric[3]));
  return NAMED_ZONES[zone.toUpperCase()] ?? null;
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  zone: string | undefined;
}

function parts(raw: string): Parts | null {
  const text = raw.trim();
  let m = RFC3339.exec(text);
  if (m) {
    return { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +(m[4] ?? 0), minute: +(m[5] ?? 0), second: +(m[6] ?? 0), zone: m[7] };
  }
  m = RFC822.exec(text);
  if (m) {
    const month = MONTHS.indexOf(m[2]!.slice(0, 3).toLowerCase()) + 1;
    if (month === 0) return null;
    // RFC 822 allowed two-digit years; RFC 1123 made them four. Two digits are read as this century or the last.
    let year = +m[3]!;
    if (m[3]!.length === 2) year += year < 70 ? 2000 : 1900;
    return { year, month, day: +m[1]!, hour: +m[4]!, minute: +m[5]!, second: +(m[6] ?? 0), zone: m[7] };
  }
  return null;
}

/**
 * A feed's date as the article format writes it: ISO 8601 with the offset the publisher gave
 * ("Mon, 30 Nov 2026 04:12:00 -0500" → "2026-11-30T04:12:00-05:00"). A date without an offset (or with a
 * zone name RFC 822 does not define) is read as local time in `timezone`. Null when it is not a date.
 *
 * @example
 * toOffsetDateTime('Mon, 30 Nov 2026 04:12:00 GMT', 'UTC'); // '2026-11-30T04:12:00+00:00'
 */
export function toOffsetDateTime(raw: string, timezone: string): string | null {
  const p = parts(raw);
  if (!p) return null;
  if (p.month < 1 || p.month > 12 || p.day < 1 || p.day > 31 || p.hour > 23 || p.minute > 59 || p.second > 60) return null;
  const second = Math.min(p.second, 59); // a leap second is written as :59 (JavaScript dates have no :60)
  let offset = zoneMinutes(p.zone);
  if (offset === null) {
    const local = new TZDate(p.year, p.month - 1, p.day, p.hour, p.minute, second, 0, timezone);
    if (Number.isNaN(local.getTime())) return null;
    offset = -local.getTimezoneOffset();
  }
  const utc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, second) - offset * 60_000;
  const check = new Date(utc + offset * 60_000);
  // 31 February is not a date: Date.UTC would roll it over into March.
  if (check.getUTCDate() !== p.day || check.getUTCMonth() !== p.month - 1) return null;
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(second)}${offsetText(offset)}`;
}
