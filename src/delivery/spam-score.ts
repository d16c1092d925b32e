import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { searchPathFrom, spamCheckOffFrom } from '../settings/index.ts';

/** A SpamAssassin verdict: the score and the rules that fired, or why none could be had. */
export type SpamVerdict = { score: number; tests: string[]; tool: string } | { unavailable: string };

function onPath(command: string, env: NodeJS.ProcessEnv | undefined): string | null {
  for (const dir of searchPathFrom(env)) {
    const file = join(dir, command);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

function run(file: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { maxBuffer: 32 * 1024 * 1024, timeout: 120_000 }, (error, stdout) => {
      // spamc -c exits 1 for spam: the output is still the verdict.
      if (error && !stdout) reject(error);
      else resolve(stdout);
    });
    child.stdin!.on('error', () => {});
    child.stdin!.end(input);
  });
}

/**
 * Scores a message with SpamAssassin when it is installed: `spamassassin -L -t` (local rules only, no
 * network tests, so the result does not depend on DNS blocklists), else `spamc -c` against a running
 * spamd. Debian: `apt-get install spamassassin`. Unavailable when neither is on PATH, spamd is down, or
 * DAYBREAK_SPAM_CHECK=off (a machine where the publisher scores mail elsewhere).
 *
 * @example
 * const verdict = await spamScore(raw);
 * if ('score' in verdict && verdict.score >= 2) console.log(verdict.tests);
 */
export async function spamScore(raw: string, env?: NodeJS.ProcessEnv): Promise<SpamVerdict> {
  if (spamCheckOffFrom(env)) return { unavailable: 'turned off (DAYBREAK_SPAM_CHECK=off)' };
  const spamassassin = onPath('spamassassin', env);
  if (spamassassin) {
    try {
      const out = await run(spamassassin, ['-L', '-t'], raw);
      const status = /^X-Spam-Status: .*(?:\r?\n[ \t].*)*/m.exec(out)?.[0].replace(/\r?\n[ \t]+/g, ' ') ?? '';
      const score = /score=(-?[\d.]+)/.exec(status);
      if (!score) return { unavailable: 'spamassassin gave no X-Spam-Status' };
      const tests = /tests=([^ ]*)/.exec(status)?.[1]?.split(',').filter((t) => t && t !== 'none') ?? [];
      return { score: Number(score[1]), tests, tool: 'spamassassin -L' };
    } catch (error) {
      return { unavailable: `spamassassin failed: ${(error as Error).message.split('\n')[0]}` };
    }
  }
  const spamc = onPath('spamc', env);
  if (spamc) {
    try {
      const out = (await run(spamc, ['-c'], raw)).trim();
      const m = /^(-?[\d.]+)\/([\d.]+)$/.exec(out);
      // spamc answers 0/0 when it cannot reach spamd.
      if (!m || m[2] === '0') return { unavailable: 'spamc could not reach spamd' };
      return { score: Number(m[1]), tests: [], tool: 'spamc' };
    } catch (error) {
      return { unavailable: `spamc failed: ${(error as Error).message.split('\n')[0]}` };
    }
  }
  return { unavailable: 'SpamAssassin is not installed (Debian: apt-get install spamassassin)' };
}
