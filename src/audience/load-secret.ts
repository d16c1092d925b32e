import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The HMAC key for tokens and Message-IDs: `DAYBREAK_SECRET` when set, otherwise a random key generated on
 * first run and kept in `<varDir>/secret` (mode 0600) so links in mail already sent keep working.
 *
 * @example
 * const secret = loadSecret({ env: process.env, varDir: 'var' });
 */
export function loadSecret(options: { env?: NodeJS.ProcessEnv; varDir?: string } = {}): string {
  const env = options.env ?? process.env;
  if (env.DAYBREAK_SECRET) {
    if (env.DAYBREAK_SECRET.length < 16) throw new Error('Expected `DAYBREAK_SECRET` to be at least 16 characters');
    return env.DAYBREAK_SECRET;
  }
  const varDir = options.varDir ?? 'var';
  const file = join(varDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(varDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  // flag 'wx': if two processes start at once, the loser re-reads the winner's key instead of overwriting it.
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch {
    return readFileSync(file, 'utf8').trim();
  }
}
