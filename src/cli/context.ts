import { loadConfig, type Config } from '../content/index.ts';

/** Options every command accepts. Flags win over the environment, which wins over the defaults. */
export interface GlobalOptions {
  config?: string;
  data?: string;
}

export const DEFAULT_DATA_DIR = 'data';

export function resolveConfigFile(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return opts.config ?? (env.DAYBREAK_CONFIG || undefined);
}

export function resolveDataDir(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string {
  return opts.data ?? (env.DAYBREAK_DATA || DEFAULT_DATA_DIR);
}

export function resolveDbFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.DAYBREAK_DB || 'var/daybreak.db';
}

export function loadConfigFrom(opts: GlobalOptions): Config & { file: string | null } {
  return loadConfig({ file: resolveConfigFile(opts) });
}
