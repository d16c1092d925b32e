import { describe, expect, it } from 'vitest';
import { CONFIRM_TOKEN_TTL_MS, createTokens } from '../../src/audience/index.ts';
import { isDaybreakError } from '../../src/errors.ts';

const tokens = createTokens('a-secret-of-at-least-16-chars');
const now = new Date('2026-11-30T12:00:00Z');

function rejects(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(isDaybreakError(caught, 'ETOKEN')).toBe(true);
  expect((caught as Error).message).toBe('This link is invalid or has expired.');
}

describe('tokens', () => {
  it('round-trips a confirm token with its subscriber, newsletters and a 7-day expiry', () => {
    const token = tokens.confirmToken(42, ['morning', 'good-news'], now);
    const claims = tokens.verify(token, 'confirm', now);
    expect(claims).toEqual({ purpose: 'confirm', subscriberId: 42, newsletters: ['morning', 'good-news'], expiresAt: (now.getTime() + CONFIRM_TOKEN_TTL_MS) / 1000 });
  });

  it('is opaque base64url and carries no email address', () => {
    const url = tokens.unsubscribeUrl('https://news.example.com/', 7, 'morning');
    expect(url).toMatch(/^https:\/\/news\.example\.com\/unsubscribe\?token=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(url).not.toContain('@');
  });

  it('rejects a confirm token once 7 days have passed, and accepts it a second before', () => {
    const token = tokens.confirmToken(1, ['morning'], now);
    expect(tokens.verify(token, 'confirm', new Date(now.getTime() + CONFIRM_TOKEN_TTL_MS - 1000)).subscriberId).toBe(1);
    rejects(() => tokens.verify(token, 'confirm', new Date(now.getTime() + CONFIRM_TOKEN_TTL_MS)));
  });

  it('keeps unsubscribe tokens working forever', () => {
    const token = tokens.unsubscribeToken(3, 'morning');
    expect(tokens.verify(token, 'unsubscribe', new Date('2126-01-01T00:00:00Z')).newsletters).toEqual(['morning']);
  });

  it('refuses a token used for the other purpose', () => {
    rejects(() => tokens.verify(tokens.unsubscribeToken(3, 'morning'), 'confirm', now));
    rejects(() => tokens.verify(tokens.confirmToken(3, ['morning'], now), 'unsubscribe', now));
  });

  it('refuses a tampered payload, a tampered signature, and another secret', () => {
    const token = tokens.unsubscribeToken(3, 'morning');
    const [payload, sig] = token.split('.') as [string, string];
    const forged = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('.3.', '.4.')).toString('base64url');
    rejects(() => tokens.verify(`${forged}.${sig}`, 'unsubscribe', now));
    const flipped = sig.slice(0, -2) + (sig.endsWith('AA') ? 'AB' : 'AA');
    rejects(() => tokens.verify(`${payload}.${flipped}`, 'unsubscribe', now));
    rejects(() => createTokens('another-secret-entirely!').verify(token, 'unsubscribe', now));
  });

  it('refuses garbage of every shape', () => {
    for (const bad of ['', '.', 'abc', 'a.b.c', '!!!.???', 'x'.repeat(600), tokens.unsubscribeToken(3, 'morning') + 'x']) {
      rejects(() => tokens.verify(bad, 'unsubscribe', now));
    }
  });

  it('gives a stable digest per token and different digests for different tokens', () => {
    const a = tokens.confirmToken(1, ['morning'], now);
    const b = tokens.confirmToken(2, ['morning'], now);
    expect(tokens.digest(a)).toBe(tokens.digest(a));
    expect(tokens.digest(a)).not.toBe(tokens.digest(b));
  });

  it('refuses to build tokens from a short secret', () => {
    expect(() => createTokens('short')).toThrow(/at least 16/);
  });
});
