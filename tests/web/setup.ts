import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { createTokens, type Tokens } from '../../src/audience/index.ts';
import { ConfigSchema, type Config } from '../../src/content/index.ts';
import { openStore, type Store } from '../../src/storage/index.ts';
import { rawSqlite, type Db } from '../helpers/test-store.ts';
import { createMailer, type Mailer } from '../../src/delivery/index.ts';
import { createApp, type CreateAppOptions, type DaybreakApp } from '../../src/web/index.ts';
import { startSmtpSink, type SinkMessage, type SmtpSink } from '../helpers/smtp-sink.ts';

export const SECRET = 'test-secret-0123456789abcdef';

export function testConfig(overrides: Record<string, unknown> = {}): Config {
  return ConfigSchema.parse({
    baseUrl: 'http://daybreak.test',
    publisher: { name: 'The Daybreak Post', postalAddress: '120 Harbor Street, Portland, ME', from: 'The Daybreak Post <briefing@daybreak.test>' },
    newsletters: [
      { id: 'morning', name: 'The Morning Briefing', description: 'The news before breakfast.', schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } },
      { id: 'good-news', name: 'The Good News Weekly', description: 'A week of progress.', schedule: { cron: '0 8 * * 0', timezone: 'America/New_York' } },
    ],
    ...overrides,
  });
}

export interface Harness {
  app: DaybreakApp;
  /** A raw connection to the same file, for assertions on the tables. */
  db: Db;
  store: Store;
  sink: SmtpSink;
  mailer: Mailer;
  config: Config;
  tokens: Tokens;
  dir: string;
  /** Waits for queued mail to reach the sink. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** A real SQLite file in a temp folder, a real SMTP sink on port 0, the real mailer pointed at it. */
export async function harness(options: Partial<CreateAppOptions> & { configOverrides?: Record<string, unknown> } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'daybreak-web-'));
  const store = await openStore({ database: join(dir, 'daybreak.db') });
  const db = rawSqlite(join(dir, 'daybreak.db'));
  const sink = await startSmtpSink();
  const config = options.config ?? testConfig(options.configOverrides);
  const mailer = createMailer({ config, env: { SMTP_URL: sink.url }, varDir: join(dir, 'var') });
  const tokens = options.tokens ?? (await createTokens(SECRET));
  const app = createApp({ config, store, mailer, tokens, log: () => {}, ...options });
  return {
    app,
    db,
    store,
    sink,
    mailer,
    config,
    tokens,
    dir,
    settle: () => app.audience.drain(),
    async close() {
      await app.audience.drain();
      await app.audience.close();
      await mailer.close();
      await sink.close();
      await store.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function form(fields: Record<string, string | string[]>, headers: Record<string, string> = {}): RequestInit {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) params.append(k, one);
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: params.toString() };
}

export function json(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export async function parse(message: SinkMessage) {
  return simpleParser(message.raw);
}

/** The first http(s) link in a text that goes to `path`. */
export function linkTo(text: string, path: string): string {
  const match = new RegExp(`https?://[^\\s"<>]+${path.replace('/', '\\/')}\\?token=[A-Za-z0-9_.-]+`).exec(text);
  if (!match) throw new Error(`no ${path} link in:\n${text}`);
  return match[0];
}

export function countRows(db: Db, table: string): number {
  return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}
