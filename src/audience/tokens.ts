import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { DaybreakError } from '../errors.ts';

export type TokenPurpose = 'confirm' | 'unsubscribe';

/** What a token says. `newsletters` is one id, several (a confirmation covers one sign-up), or `*` (all). */
export interface TokenClaims {
  purpose: TokenPurpose;
  subscriberId: number;
  newsletters: string[];
  /** Expiry, seconds since the epoch; 0 = never (unsubscribe tokens). */
  expiresAt: number;
}

/** Confirm links live 7 days (issue 5); an opt-out must keep working long after the mail went out. */
export const CONFIRM_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** The newsletter value of an "unsubscribe from everything" token. */
export const ALL_NEWSLETTERS = '*';

export interface Tokens {
  sign(claims: TokenClaims): string;
  /** Checks signature (constant time), purpose and expiry; any failure is the same ETOKEN error. */
  verify(token: string, purpose: TokenPurpose, now?: Date): TokenClaims;
  /** A stable digest of a token, for the used-tokens table (so a confirm token works once). */
  digest(token: string): string;
  confirmToken(subscriberId: number, newsletters: string[], now?: Date): string;
  confirmUrl(baseUrl: string, subscriberId: number, newsletters: string[], now?: Date): string;
  unsubscribeToken(subscriberId: number, newsletterId: string): string;
  /** The per-reader List-Unsubscribe / footer URL: `{baseUrl}/unsubscribe?token=…`. */
  unsubscribeUrl(baseUrl: string, subscriberId: number, newsletterId: string): string;
  /** The "unsubscribe from everything" URL. */
  unsubscribeAllUrl(baseUrl: string, subscriberId: number): string;
}

const PURPOSE_CODE: Record<TokenPurpose, string> = { confirm: 'c', unsubscribe: 'u' };
const CODE_PURPOSE: Record<string, TokenPurpose> = { c: 'confirm', u: 'unsubscribe' };
const NEWSLETTER_LIST = /^(?:\*|[a-z0-9][a-z0-9-]*(?:,[a-z0-9][a-z0-9-]*)*)$/;

function invalid(): DaybreakError {
  // One message for every failure: a prober learns nothing from which check failed.
  return new DaybreakError('ETOKEN', 'This link is invalid or has expired.');
}

function join(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + path;
}

/**
 * Opaque, signed tokens for confirm and unsubscribe links: `base64url(payload).base64url(HMAC-SHA256)`,
 * the payload being `purpose.subscriberId.newsletters.expiry`. No email address ever appears in a URL.
 *
 * @example
 * const tokens = createTokens(loadSecret({ env: process.env, varDir: 'var' }));
 * tokens.unsubscribeUrl('https://news.example.com', 42, 'morning');
 */
export function createTokens(secret: string): Tokens {
  if (!secret || secret.length < 16) throw new DaybreakError('ECONFIG', 'The token secret must be at least 16 characters');
  const mac = (payload: string) => createHmac('sha256', secret).update(payload).digest();

  const sign = (claims: TokenClaims): string => {
    const list = claims.newsletters.join(',');
    if (!NEWSLETTER_LIST.test(list)) throw new DaybreakError('EINPUT', `Invalid newsletter list for a token: ${list}`);
    if (!Number.isSafeInteger(claims.subscriberId) || claims.subscriberId <= 0) throw new DaybreakError('EINPUT', 'Invalid subscriber id for a token');
    const payload = `${PURPOSE_CODE[claims.purpose]}.${claims.subscriberId}.${list}.${Math.floor(claims.expiresAt)}`;
    return `${Buffer.from(payload).toString('base64url')}.${mac(payload).toString('base64url')}`;
  };

  const verify = (token: string, purpose: TokenPurpose, now: Date = new Date()): TokenClaims => {
    if (typeof token !== 'string' || token.length > 512) throw invalid();
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.')) throw invalid();
    const payloadPart = token.slice(0, dot);
    const sigPart = token.slice(dot + 1);
    if (!/^[A-Za-z0-9_-]+$/.test(payloadPart) || !/^[A-Za-z0-9_-]+$/.test(sigPart)) throw invalid();
    const payload = Buffer.from(payloadPart, 'base64url').toString('utf8');
    const given = Buffer.from(sigPart, 'base64url');
    const expected = mac(payload);
    // timingSafeEqual needs equal lengths; the length of a SHA-256 MAC is public anyway.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    // Re-encoding must give back the same text, so two spellings of one token can't both be "used once".
    if (Buffer.from(payload).toString('base64url') !== payloadPart) throw invalid();
    const [code, id, list, expiry, ...rest] = payload.split('.');
    if (rest.length > 0 || code === undefined || id === undefined || list === undefined || expiry === undefined) throw invalid();
    const claims: TokenClaims = {
      purpose: CODE_PURPOSE[code] ?? ('?' as TokenPurpose),
      subscriberId: Number(id),
      newsletters: list.split(','),
      expiresAt: Number(expiry),
    };
    if (claims.purpose !== purpose) throw invalid();
    if (!Number.isSafeInteger(claims.subscriberId) || !Number.isSafeInteger(claims.expiresAt)) throw invalid();
    if (claims.expiresAt !== 0 && claims.expiresAt * 1000 <= now.getTime()) throw invalid();
    return claims;
  };

  const confirmToken = (subscriberId: number, newsletters: string[], now: Date = new Date()) =>
    sign({ purpose: 'confirm', subscriberId, newsletters, expiresAt: Math.floor((now.getTime() + CONFIRM_TOKEN_TTL_MS) / 1000) });
  const unsubscribeToken = (subscriberId: number, newsletterId: string) =>
    sign({ purpose: 'unsubscribe', subscriberId, newsletters: [newsletterId], expiresAt: 0 });

  return {
    sign,
    verify,
    digest: (token) => createHash('sha256').update(token.slice(token.indexOf('.') + 1)).digest('base64url'),
    confirmToken,
    confirmUrl: (baseUrl, subscriberId, newsletters, now) =>
      join(baseUrl, `/confirm?token=${confirmToken(subscriberId, newsletters, now)}`),
    unsubscribeToken,
    unsubscribeUrl: (baseUrl, subscriberId, newsletterId) =>
      join(baseUrl, `/unsubscribe?token=${unsubscribeToken(subscriberId, newsletterId)}`),
    unsubscribeAllUrl: (baseUrl, subscriberId) =>
      join(baseUrl, `/unsubscribe?token=${unsubscribeToken(subscriberId, ALL_NEWSLETTERS)}`),
  };
}
