/** Zones that are UTC under another name: an offset after them says nothing more. */
const UTC_NAMES = /^(Etc\/)?(UTC|UCT|Universal|Zulu|GMT|Greenwich)$/i;

/**
 * A time zone as the preview writes it for the person who configured it: the IANA name exactly as in the
 * config, with its offset from UTC at `at` ("Europe/Paris, UTC+1"). The long names Intl gives ("Central
 * European Time") are for readers; the editor wrote `Europe/Paris` and looks for that. The offset is the
 * one in force at `at` (Paris is UTC+2 in summer), as Intl's `shortOffset` gives it with GMT written UTC.
 *
 * @example
 * zoneLabel('Europe/Paris', new Date('2026-01-15T12:00:00Z')); // "Europe/Paris, UTC+1"
 * zoneLabel('Asia/Kolkata'); // "Asia/Kolkata, UTC+5:30"
 * zoneLabel('UTC'); // "UTC"
 */
export function zoneLabel(timezone: string, at: Date = new Date()): string {
  if (UTC_NAMES.test(timezone)) return timezone;
  let offset: string | undefined;
  try {
    offset = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'shortOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value;
  } catch {
    return timezone; // not a zone Intl knows: the config's own validation names it
  }
  if (!offset || !/^GMT([+-]\d{1,2}(:\d{2})?)?$/.test(offset)) return timezone;
  return `${timezone}, UTC${offset.slice(3)}`;
}
