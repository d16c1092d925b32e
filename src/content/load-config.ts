import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { DaybreakError } from '../errors.ts';
import { ConfigSchema, type Config } from './config-schema.ts';
import { formatIssues, parseJson, readableErrors } from './format-issues.ts';
import { logoFileSize } from './resolve-brand.ts';

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
  return withBrandFiles(file, result.data);
}

/**
 * Resolves the logo paths against the config file's folder (so `daybreak` run from anywhere finds them)
 * and checks now that each is a readable PNG, JPEG or GIF, rather than at the first send.
 */
function withBrandFiles(file: string, config: Config): Config {
  const brand = config.publisher.brand;
  const details: string[] = [];
  for (const key of ['logo', 'logoDark'] as const) {
    const path = brand[key];
    if (path === undefined) continue;
    const absolute = isAbsolute(path) ? path : resolve(dirname(file), path);
    try {
      logoFileSize(absolute, key);
      brand[key] = absolute;
    } catch (error) {
      details.push(`${file}: ${(error as Error).message}`);
    }
  }
  if (details.length > 0) throw new DaybreakError('ECONFIG', details.join('\n'), { details });
  return config;
}
