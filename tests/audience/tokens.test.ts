import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CONFIRM_TOKEN_TTL_MS, createTokens, type Key, type Keyring } from '../../src/audience/index.ts';
import { isDaybreakError } from '../../src/errors.ts';

const SECRET = 'a-secret-of-at-least-16-chars';
const tokens = await createTokens(SECRET);
const now = new Date('2026-11-30T12:00:00Z');

async function rejects(promise: Promise<unknown>): Promise<void> {
  const caught = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(isDaybreakError(caught, 'ETOKEN')).toBe(true);
  expect((caught as Error).message).toBe('This link is invalid or has expired.');
}

/** A keyring in memory whose current key can be changed, as a rotation would. */
function memoryKeyring(): Keyring & { keys: Key[] } {
  const keys: Key[] = [{ id: 'k1', secret: 'first-key-0123456789abcdef' }];
  return {
    keys,
    current: async () => keys.at(-1)!,
    byId: async (id) => keys.find((k) => k.id === id),
    rotate: async () => {
      const key = { id: `k${keys.length + 1}`, secret: `key-number-${keys.length + 1}-0123456789` };
      keys.push(key);
      return key;
    },
    list: async () => keys.map((k, i) => ({ id: k.id, current: i === keys.length - 1 })),
    describe: () => 'memory',
  };
}

/** Every base64url spelling of `text` that decodes to the same bytes (the unused bits of its last character). */
function spellings(text: string): string[] {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const bytes = Buffer.from(text, 'base64url');
  return [...alphabet].map((c) => text.slice(0, -1) + c).filter((t) => Buffer.from(t, 'base64url').equals(bytes));
}

describe('tokens', () => {
  it('round-trips a confirm token with its subscriber, newsletters and a 7-day expiry', async () => {
    const token = tokens.confirmToken(42, ['morning', 'good-news'], now);
    const claims = await tokens.verify(token, 'confirm', now);
    expect(claims).toEqual({ purpose: 'confirm', subscriberId: 42, newsletters: ['morning', 'good-news'], expiresAt: (now.getTime() + CONFIRM_TOKEN_TTL_MS) / 1000 });
  });

  it('is opaque base64url behind a key id and carries no email address', () => {
    const url = tokens.unsubscribeUrl('https://news.example.com/', 7, 'morning');
    expect(url).toMatch(/^https:\/\/news\.example\.com\/unsubscribe\?token=k0\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(url).not.toContain('@');
  });

  it('rejects a confirm token once 7 days have passed, and accepts it a second before', async () => {
    const token = tokens.confirmToken(1, ['morning'], now);
    expect((await tokens.verify(token, 'confirm', new Date(now.getTime() + CONFIRM_TOKEN_TTL_MS - 1000))).subscriberId).toBe(1);
    await rejects(tokens.verify(token, 'confirm', new Date(now.getTime() + CONFIRM_TOKEN_TTL_MS)));
  });

  it('keeps unsubscribe tokens working forever', async () => {
    const token = tokens.unsubscribeToken(3, 'morning');
    expect((await tokens.verify(token, 'unsubscribe', new Date('2126-01-01T00:00:00Z'))).newsletters).toEqual(['morning']);
  });

  it('refuses a token used for the other purpose', async () => {
    await rejects(tokens.verify(tokens.unsubscribeToken(3, 'morning'), 'confirm', now));
    await rejects(tokens.verify(tokens.confirmToken(3, ['morning'], now), 'unsubscribe', now));
  });

  it('refuses a tampered payload, a tampered signature, a changed key id, and another secret', async () => {
    const token = tokens.unsubscribeToken(3, 'morning');
    const [kid, payload, sig] = token.split('.') as [string, string, string];
    const forged = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('.3.', '.4.')).toString('base64url');
    await rejects(tokens.verify(`${kid}.${forged}.${sig}`, 'unsubscribe', now));
    const flipped = sig.slice(0, -2) + (sig.endsWith('AA') ? 'AB' : 'AA');
    await rejects(tokens.verify(`${kid}.${payload}.${flipped}`, 'unsubscribe', now));
    await rejects(tokens.verify(`k1.${payload}.${sig}`, 'unsubscribe', now));
    await rejects((await createTokens('another-secret-entirely!')).verify(token, 'unsubscribe', now));
  });

  it('refuses garbage of every shape', async () => {
    for (const bad of ['', '.', 'abc', 'a.b.c', 'k0.a.b.c', '!!!.???', 'x'.repeat(600), tokens.unsubscribeToken(3, 'morning') + 'x']) {
      await rejects(tokens.verify(bad, 'unsubscribe', now));
    }
  });

  it('accepts only the canonical spelling of a signature whose last character has unused bits', async () => {
    const token = tokens.confirmToken(5, ['morning'], now);
    const [kid, payload, sig] = token.split('.') as [string, string, string];
    const others = spellings(sig).filter((s) => s !== sig);
    // A 32-byte MAC is 43 base64url characters: the last one carries 2 unused bits, so 3 other spellings.
    expect(others).toHaveLength(3);
    for (const other of others) await rejects(tokens.verify(`${kid}.${payload}.${other}`, 'confirm', now));
    // The record of use goes by the decoded signature: every spelling has the one digest.
    for (const other of others) expect(tokens.digest(`${kid}.${payload}.${other}`)).toBe(tokens.digest(token));
  });

  it('accepts only the canonical spelling of the payload', async () => {
    // Find a token whose payload's last character has unused bits, then respell it.
    for (let id = 1; id < 50; id++) {
      const token = tokens.unsubscribeToken(id, 'morning');
      const [kid, payload, sig] = token.split('.') as [string, string, string];
      const others = spellings(payload).filter((p) => p !== payload);
      if (others.length === 0) continue;
      for (const other of others) await rejects(tokens.verify(`${kid}.${other}.${sig}`, 'unsubscribe', now));
      return;
    }
    throw new Error('no payload with unused bits found');
  });

  it('verifies tokens from before key ids (payload.signature) against key k0', async () => {
    const payload = 'u.9.morning.0';
    const old = `${Buffer.from(payload).toString('base64url')}.${createHmac('sha256', SECRET).update(payload).digest('base64url')}`;
    expect((await tokens.verify(old, 'unsubscribe', now)).subscriberId).toBe(9);
    // Its digest is the one recorded before: the hash of its signature text.
    const { createHash } = await import('node:crypto');
    expect(tokens.digest(old)).toBe(createHash('sha256').update(old.slice(old.indexOf('.') + 1)).digest('base64url'));
  });

  it('gives a stable digest per token and different digests for different tokens', () => {
    const a = tokens.confirmToken(1, ['morning'], now);
    const b = tokens.confirmToken(2, ['morning'], now);
    expect(tokens.digest(a)).toBe(tokens.digest(a));
    expect(tokens.digest(a)).not.toBe(tokens.digest(b));
  });

  it('refuses to build tokens from a short secret', async () => {
    await expect(createTokens('short')).rejects.toThrow(/at least 16/);
  });

  it('keeps verifying links signed before a rotation, and signs new ones with the new key', async () => {
    const keyring = memoryKeyring();
    const before = await createTokens(keyring);
    const mailed = before.unsubscribeToken(3, 'morning');
    expect(mailed.startsWith('k1.')).toBe(true);
    await keyring.rotate();
    const after = await createTokens(keyring);
    const fresh = after.unsubscribeToken(3, 'morning');
    expect(fresh.startsWith('k2.')).toBe(true);
    expect((await after.verify(mailed, 'unsubscribe', now)).subscriberId).toBe(3);
    // A process started before the rotation learns the new key when a token names it.
    expect((await before.verify(fresh, 'unsubscribe', now)).subscriberId).toBe(3);
    // A key that is gone from the keyring is refused like any bad token.
    keyring.keys.shift();
    await rejects(after.verify(mailed, 'unsubscribe', now));
  });
});

describe('manage tokens', () => {
  it('carry the key id, name the reader and every newsletter, never expire, and survive a key rotation', async () => {
    const keyring = memoryKeyring();
    const signer = await createTokens(keyring);
    const token = signer.manageToken(42);
    expect(token.split('.')[0]).toBe('k1');
    expect(Buffer.from(token.split('.')[1]!, 'base64url').toString()).toBe('m.42.*.0');
    expect(signer.manageUrl('https://news.example.com/', 42)).toBe(`https://news.example.com/manage?token=${token}`);
    await keyring.rotate();
    const after = await createTokens(keyring);
    expect(await after.verify(token, 'manage', new Date('2099-01-01T00:00:00Z'))).toEqual({ purpose: 'manage', subscriberId: 42, newsletters: ['*'], expiresAt: 0 });
    expect(after.manageToken(42).split('.')[0]).toBe('k2');
  });

  it('are refused for another purpose, and other purposes are refused as manage tokens', async () => {
    await rejects(tokens.verify(tokens.manageToken(7), 'unsubscribe'));
    await rejects(tokens.verify(tokens.unsubscribeToken(7, '*'), 'manage'));
  });
});
