/**
 * What a publisher reads while working in their own folder, outside the Daybreak checkout: the pages the
 * CLI points to must open from there, and what `daybreak init` writes and prints must give commands and
 * times that work and read as they are.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { registerBounces } from '../../src/cli/commands/bounces.ts';
import { registerFetch } from '../../src/cli/commands/fetch.ts';
import { registerInbound } from '../../src/cli/commands/inbound.ts';
import { registerInit } from '../../src/cli/commands/init.ts';
import { registerSources } from '../../src/cli/commands/sources.ts';
import { runCli } from '../../src/cli/run-cli.ts';

let tmp: string;
let config: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'daybreak-outside-'));
  config = join(tmp, 'daybreak.config.json');
  writeFileSync(config, '{}');
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

type Io = { stdout: { write: (s: string) => boolean }; stderr: { write: (s: string) => boolean } };

async function cli(argv: string[], register: (program: Command, io: Io) => void) {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: { write: (s) => ((stdout += s), true) }, stderr: { write: (s) => ((stderr += s), true) } };
  const status = await runCli(argv, [(program) => register(program, io)], io as never);
  return { status, stdout, stderr, text: stdout + stderr };
}

/** The page a message points to with "(see …)". */
function pointedTo(text: string): string {
  const match = /\(see ([^)]+\.md)\)/.exec(text);
  expect(match, text).not.toBeNull();
  return match![1]!;
}

describe('pages the CLI points to', () => {
  it('are named by a path that opens from any folder: fetch and sources without sources, bounces and inbound without an inbound domain', async () => {
    const env = { ...process.env, DAYBREAK_DB: join(tmp, 'var', 'daybreak.db') };
    const outputs = [
      await cli(['fetch', '--config', config, '--data', join(tmp, 'data')], (p, io) => registerFetch(p, io as never)),
      await cli(['sources', '--config', config, '--data', join(tmp, 'data')], (p, io) => registerSources(p, io as never)),
      await cli(['bounces', '--config', config], (p, io) => registerBounces(p, io as never, env)),
      await cli(['inbound', '--config', config], (p, io) => registerInbound(p, io as never, env)),
    ];
    const pages = outputs.map((o) => pointedTo(o.text));
    expect(pages.map((p) => p.split('/').slice(-2).join('/'))).toEqual(['docs/feeds.md', 'docs/feeds.md', 'docs/deliverability.md', 'docs/deliverability.md']);
    for (const page of pages) {
      expect(isAbsolute(page), page).toBe(true);
      expect(existsSync(page), page).toBe(true);
    }
  });
});

describe('what daybreak init writes and prints', () => {
  it('says when the edition goes out in the newsletter\'s own time and zone, in the future tense', async () => {
    const out = await cli(['init', join(tmp, 'paris'), '--timezone', 'Europe/Paris', '--date', '2030-12-10'], (p, io) => registerInit(p, io as never));
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('The sample articles are in the morning edition of 2030-12-10, which goes out Tue 2030-12-10 06:00 GMT+1 (Europe/Paris).');
    expect(out.stdout).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
  });

  it('writes no `npx daybreak` command, which fails in a folder outside the checkout, and points to the commands it printed', async () => {
    const dir = join(tmp, 'newsroom');
    expect((await cli(['init', dir, '--timezone', 'UTC'], (p, io) => registerInit(p, io as never))).status).toBe(0);
    const written = (folder: string): string[] =>
      readdirSync(folder, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? written(join(folder, e.name)) : [readFileSync(join(folder, e.name), 'utf8')]));
    const texts = written(dir);
    expect(texts.length).toBe(5);
    for (const text of texts) expect(text).not.toContain('npx');
    expect(texts.join('\n')).toContain('run the `daybreak build` command that `daybreak init` printed');
  });
});
