import { createHmac } from 'node:crypto';
import type { EditionKey } from './send-store.ts';

/**
 * The Message-ID of one copy, without angle brackets: HMAC(secret, newsletter, date, subscriber).
 * Deterministic, so a copy re-sent after a crash carries the same Message-ID (RFC 5322 §3.6.4) and
 * receivers can drop the duplicate; unguessable, so nobody can forge a reply to someone else's copy.
 *
 * @example
 * editionMessageId(secret, { newsletter: 'morning', date: '2026-03-08' }, 42, 'example.com');
 * // 'morning.2026-03-08.Xk3…@example.com'
 */
export function editionMessageId(secret: string, key: EditionKey, subscriberId: number, domain: string): string {
  const mac = createHmac('sha256', secret).update(`message-id\0${key.newsletter}\0${key.date}\0${subscriberId}`).digest('base64url').slice(0, 27);
  return `${key.newsletter}.${key.date}.${mac}@${domain}`;
}
