/**
 * The sections a reader chose, as the `sections` column stores them: a JSON list of section ids, or NULL
 * for every section. Anything unreadable also counts as every section, so a damaged row sends the whole
 * edition rather than none of it.
 *
 * @example
 * parseSections('["world","tech"]'); // ['world', 'tech']
 * parseSections(null); // null: every section
 */
export function parseSections(text: string | null): string[] | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : null;
  } catch {
    return null;
  }
}
