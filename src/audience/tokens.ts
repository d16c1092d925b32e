import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { DaybreakError } from '../errors.ts';
import { FIRST_KEY_ID, KEY_ID, type Keyring } from './keyring.ts';
import { secretKeyring } from './secret-keyring.ts';

/** `manage`: the preference page of one reader (every newsletter, never expiring). */
export type TokenPurpose = 'confirm' | 'unsubscribe' | 'manage';

/** What a token says. `newsletters` is one id, several (a confirmation covers one sign-up), or `*` (all). */
export interface TokenClaims {
  purpose: TokenPurpose;
  subscriberId: number;
  newsletters: string[];
  /** Expiry, seconds since the epoch; 0 = never (unsubscribe and manage tokens). */
  expiresAt: number;
}

/** Confirm links live 7 days; an opt-out must keep working long after the mail went out. */
export const CONFIRM_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** The newsletter value of an "unsubscribe from everything" token. */
export const ALL_NEWSLETTERS = '*';

export interface Tokens {
  /** The id of the key new tokens are signed with (it travels in each token). */
  readonly keyId: string;
  sign(claims: TokenClaims): string;
  /**
   * Checks the spelling (one canonical base64url form only), the key id, the signature (constant time),
   * purpose and expiry; any failure is the same ETOKEN error.
   */
  verify(token: string, purpose: TokenPurpose, now?: Date): Promise<TokenClaims>;
  /** A stable digest of a token's decoded signature, for the used-tokens table (so a confirm token works once). */
  digest(token: string): string;
  confirmToken(subscriberId: number, newsletters: string[], now?: Date): string;
  confirmUrl(baseUrl: string, subscriberId: number, newsletters: string[], now?: Date): string;
  unsubscribeToken(subscriberId: number, newsletterId: string): string;
  /** The per-reader List-Unsubscribe / footer URL: `{baseUrl}/unsubscribe?token=…`. */
  unsubscribeUrl(baseUrl: string, subscriberId: number, newsletterId: string): string;
  /** The "unsubscribe from everything" URL. */
  unsubscribeAllUrl(baseUrl: string, subscriberId: number): string;
  /** The reader's preference-page token: every newsletter, never expiring (like an unsubscribe link). */
  manageToken(subscriberId: number): string;
  /** The "Manage your subscriptions" URL: `{baseUrl}/manage?token=…`. */
  manageUrl(baseUrl: string, subscriberId: number): string;
}

const PURPOSE_CODE: Record<TokenPurpose, string> = { confirm: 'c', unsubscribe: 'u', manage: 'm' };
const CODE_PURPOSE: Record<string, TokenPurpose> = { c: 'confirm', u: 'unsubscribe', m: 'manage' };
const NEWSLETTER_LIST = /^(?:\*|[a-z0-9][a-z0-9-]*(?:,[a-z0-9][a-z0-9-]*)*)$/;

function invalid(): DaybreakError {
  // One message for every failure: a prober learns nothing from which check failed.
  return new DaybreakError('ETOKEN', 'This link is invalid or has expired.');
}

function join(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + path;
}

/** base64url text that is the one canonical spelling of the bytes it decodes to, or null. */
function canonicalBytes(text: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  // The last character of a base64url string can carry unused low bits (RFC 4648 §3.5): several
  // spellings decode to the same bytes. Only the one that re-encodes to itself is accepted, so a used
  // token cannot come back under another spelling.
  return bytes.toString('base64url') === text ? bytes : null;
}

/**
 * Opaque, signed tokens for confirm, unsubscribe and preference-page links: `keyId.base64url(payload).base64url(HMAC-SHA256)`,
 * the payload being `purpose.subscriberId.newsletters.expiry` and the MAC taken over `keyId.payload` with
 * that key. The key id lets the keyring rotate while links already mailed keep working; tokens from before
 * key ids (`payload.signature`, MAC over the payload alone) are checked against key `k0`. No email address
 * ever appears in a URL.
 *
 * @example
 * const tokens = await createTokens(openKeyring({ env: process.env, dbFile: 'var/daybreak.db', create: true }));
 * tokens.unsubscribeUrl('https://news.example.com', 42, 'morning');
 */
export async function createTokens(source: Keyring | string): Promise<Tokens> {
  const keyring = typeof source === 'string' ? secretKeyring(source) : source;
  const current = await keyring.current();
  const mac = (secret: string, input: string) => createHmac('sha256', secret).update(input).digest();

  const sign = (claims: TokenClaims): string => {
    const list = claims.newsletters.join(',');
    if (!NEWSLETTER_LIST.test(list)) throw new DaybreakError('EINPUT', `Invalid newsletter list for a token: ${list}`);
    if (!Number.isSafeInteger(claims.subscriberId) || claims.subscriberId <= 0) throw new DaybreakError('EINPUT', 'Invalid subscriber id for a token');
    const payload = `${PURPOSE_CODE[claims.purpose]}.${claims.subscriberId}.${list}.${Math.floor(claims.expiresAt)}`;
    return `${current.id}.${Buffer.from(payload).toString('base64url')}.${mac(current.secret, `${current.id}.${payload}`).toString('base64url')}`;
  };

  const verify = async (token: string, purpose: TokenPurpose, now: Date = new Date()): Promise<TokenClaims> => {
    if (typeof token !== 'string' || token.length > 512) throw invalid();
    const parts = token.split('.');
    if (parts.length !== 2 && parts.length !== 3) throw invalid();
    const keyId = parts.length === 3 ? parts[0]! : FIRST_KEY_ID;
    if (!KEY_ID.test(keyId)) throw invalid();
    const payloadBytes = canonicalBytes(parts.at(-2)!);
    const given = canonicalBytes(parts.at(-1)!);
    if (!payloadBytes || !given) throw invalid();
    const payload = payloadBytes.toString('utf8');
    // Bytes that are not UTF-8 would decode to replacement characters: not a token we made.
    if (!Buffer.from(payload).equals(payloadBytes)) throw invalid();
    const key = await keyring.byId(keyId);
    if (!key) throw invalid();
    const expected = mac(key.secret, parts.length === 3 ? `${keyId}.${payload}` : payload);
    // timingSafeEqual needs equal lengths; the length of a SHA-256 MAC is public anyway.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
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
  const manageToken = (subscriberId: number) => sign({ purpose: 'manage', subscriberId, newsletters: [ALL_NEWSLETTERS], expiresAt: 0 });

  return {
    keyId: current.id,
    sign,
    verify,
    // By the decoded signature, in its canonical spelling: every spelling of one token has one digest.
    // (For a canonical token this is the hash of its signature text, as recorded before.)
    digest: (token) => createHash('sha256').update(Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url').toString('base64url')).digest('base64url'),
    confirmToken,
    confirmUrl: (baseUrl, subscriberId, newsletters, now) =>
      join(baseUrl, `/confirm?token=${confirmToken(subscriberId, newsletters, now)}`),
    unsubscribeToken,
    unsubscribeUrl: (baseUrl, subscriberId, newsletterId) =>
      join(baseUrl, `/unsubscribe?token=${unsubscribeToken(subscriberId, newsletterId)}`),
    unsubscribeAllUrl: (baseUrl, subscriberId) =>
      join(baseUrl, `/unsubscribe?token=${unsubscribeToken(subscriberId, ALL_NEWSLETTERS)}`),
    manageToken,
    manageUrl: (baseUrl, subscriberId) => join(baseUrl, `/manage?token=${manageToken(subscriberId)}`),
  };
}
