import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDaybreak, type Daybreak } from '../../src/main.ts';
import type { InboundEvent } from '../../src/inbound/index.ts';
import { openStore } from '../../src/storage/index.ts';

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);

function kept(kind: InboundEvent['kind'], subscriberId: number | null, receivedAt: Date): InboundEvent {
  return {
    receivedAt,
    source: 'mailgun',
    eventId: `evt-${receivedAt.getTime()}`,
    envelopeFrom: null,
    recipient: 'reader@mail.example',
    kind,
    subscriberId,
    newsletter: 'morning',
    date: receivedAt.toISOString().slice(0, 10),
    status: null,
    diagnostic: null,
    reason: 'seeded',
    raw: Buffer.from('{"event":"seeded"}'),
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** `daybreak start` in process, on a SQLite file seeded with kept events received at the given times. */
async function startWith(config: object, seeded: Array<[InboundEvent['kind'], Date]>): Promise<{ daybreak: Daybreak; lines: string[]; database: string; readerId: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'daybreak-retention-start-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const database = join(dir, 'daybreak.db');
  const store = await openStore({ database });
  let readerId: number;
  try {
    readerId = (await store.subscribers.add({ email: 'reader@mail.example', name: null, newsletters: ['morning'], confirmed: true, source: 'cli' }, daysAgo(400))).id;
    for (const [kind, at] of seeded) await store.inbound.record(kept(kind, readerId, at), { softBounceLimit: 3, windowDays: 30 });
  } finally {
    await store.close();
  }
  const configFile = join(dir, 'daybreak.config.json');
  writeFileSync(configFile, JSON.stringify(config));
  mkdirSync(join(dir, 'data', 'articles'), { recursive: true });
  const lines: string[] = [];
  const daybreak = await createDaybreak({
    configFile,
    dataDir: join(dir, 'data'),
    varDir: join(dir, 'var'),
    database,
    env: { DAYBREAK_SECRET: 'a-retention-test-secret-0123456789', DAYBREAK_ALLOW_INSECURE_LINKS: '1', DAYBREAK_SPAM_CHECK: 'off' },
    preview: false,
    log: (line) => lines.push(line),
  });
  cleanups.push(async () => {
    await daybreak.stop({ timeoutMs: 2000 });
  });
  return { daybreak, lines, database, readerId };
}

async function until(what: string, check: () => boolean, lines: string[]): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!check()) throw new Error(`${what} did not happen; log:\n${lines.join('\n')}`);
}

describe('daybreak start keeps inbound messages for inbound.retentionDays', () => {
  it('with webhooks configured, deletes the events older than the default 90 days when it starts and keeps the reader bounced', async () => {
    const bouncedAt = daysAgo(120);
    const { daybreak, lines, readerId } = await startWith({ webhooks: { mailgun: { signingKey: 'key-retention-test' } } }, [
      ['hard-bounce', bouncedAt],
      ['soft-bounce', daysAgo(91)],
      ['soft-bounce', daysAgo(89)],
    ]);
    await daybreak.start({ port: 0, hostname: '127.0.0.1' });
    await until('the sweep at start', () => lines.some((l) => l.startsWith('inbound: deleted')), lines);
    expect(lines).toContain('inbound: deleted 2 kept messages received more than 90 days ago (inbound.retentionDays); readers keep their bounced and unsubscribed states');
    expect((await daybreak.store.inbound.list()).map((m) => m.kind)).toEqual(['soft-bounce']);
    expect(await daybreak.store.subscribers.findByEmail('reader@mail.example')).toMatchObject({ id: readerId, status: 'bounced', bouncedAt: bouncedAt.toISOString() });
  });

  it('with inbound.retentionDays set, keeps exactly that many days', async () => {
    const newer = daysAgo(300);
    const { daybreak, lines } = await startWith({ inbound: { domain: 'bounces.news.example', port: 0, retentionDays: 365 } }, [
      ['auto-reply', daysAgo(400)],
      ['auto-reply', newer],
    ]);
    await daybreak.start({ port: 0, hostname: '127.0.0.1' });
    await until('the sweep at start', () => lines.some((l) => l.startsWith('inbound: deleted')), lines);
    expect(lines).toContain('inbound: deleted 1 kept message received more than 365 days ago (inbound.retentionDays); readers keep their bounced and unsubscribed states');
    expect((await daybreak.store.inbound.list()).map((m) => m.receivedAt)).toEqual([newer.toISOString()]);
  });
});
