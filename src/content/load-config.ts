import { existsSync, readFileSync } from 'node:fs';
import { DaybreakError } from '../errors.ts';
import { ConfigSchema, type Config } from './config-schema.ts';
import { formatIssues, parseJson, readableErrors } from './format-issues.ts';

export const DEFAULT_CONFIG_FILE = 'daybreak.config.json';

/**
 * Loads and validates the config. An explicitly named file must exist; the default file may be absent,
 * in which case every key takes its default.
 *
 * @example
 * const config = loadConfig({ file: process.env.DAYBREAK_CONFIG });
 */
export function loadConfig(options: { file?: string } = {}): Config & { file: string | null } {
  const explicit = options.file !== undefined && options.file !== '';
  const file = explicit ? options.file! : DEFAULT_CONFIG_FILE;
  if (!existsSync(file)) {
    if (explicit) throw new DaybreakError('ECONFIG', `${file}: config file not found`);
    return { ...ConfigSchema.parse({}), file: null };
  }
  return { ...parseConfig(file, readFileSync(file, 'utf8')), file };
}

/** Validates config text; errors name the file and the key. */
export function parseConfig(file: string, text: string): Config {
  const json = parseJson(file, text);
  if (!json.ok) throw new DaybreakError('ECONFIG', json.message, { details: [json.message] });
  const result = ConfigSchema.safeParse(json.value, { error: readableErrors });
  if (!result.success) {
    const details = formatIssues(file, result.error);
    throw new DaybreakError('ECONFIG', details.join('\n'), { details });
  }
  return result.data;
}
