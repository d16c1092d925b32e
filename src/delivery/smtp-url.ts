import { DaybreakError } from '../errors.ts';

/** The connection settings of SMTP_URL. */
export interface SmtpTarget {
  host: string;
  port: number;
  /** smtps://: TLS from the first byte (RFC 8314); smtp:// upgrades with STARTTLS when offered. */
  secure: boolean;
  auth?: { user: string; pass: string };
  /** An HTTP(S) proxy to tunnel through with CONNECT. */
  proxy?: URL;
  /** Never use STARTTLS, even when offered. */
  ignoreTLS: boolean;
  /** Fail unless STARTTLS succeeds (smtp:// only). */
  requireTLS: boolean;
  /** Check the server's certificate (default true). */
  rejectUnauthorized: boolean;
  /** The name sent with EHLO (default: this machine's host name). */
  name?: string;
}

/** Query parameters SMTP_URL may carry. */
const PARAMETERS = ['proxy', 'requireTLS', 'ignoreTLS', 'tls.rejectUnauthorized', 'name'];

function flag(url: URL, key: string, fallback: boolean): boolean {
  const value = url.searchParams.get(key);
  if (value === null) return fallback;
  if (value === 'true' || value === '' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new DaybreakError('ECONFIG', `SMTP_URL: ?${key}= must be true or false (got "${value}")`);
}

/**
 * Reads SMTP_URL: `smtp://user:pass@host:587` (STARTTLS when the server offers it) or
 * `smtps://user:pass@host:465`, with optional `?proxy=http://proxy:3128`, `?requireTLS=true`,
 * `?ignoreTLS=true`, `?tls.rejectUnauthorized=false` and `?name=mail.example.com`. User and password
 * are percent-decoded. Anything else is a config error naming the part that is wrong, and the message
 * never repeats the credentials.
 *
 * @example
 * parseSmtpUrl('smtp://ada:s3cret@smtp.example.com:587?requireTLS=true')
 * // { host: 'smtp.example.com', port: 587, secure: false, auth: { user: 'ada', pass: 's3cret' }, requireTLS: true, … }
 */
export function parseSmtpUrl(text: string): SmtpTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DaybreakError('ECONFIG', 'SMTP_URL is not a URL (expected smtp://user:pass@host:587 or smtps://user:pass@host:465)');
  }
  const protocol = url.protocol.toLowerCase();
  if (protocol !== 'smtp:' && protocol !== 'smtps:') {
    throw new DaybreakError('ECONFIG', `SMTP_URL must start with smtp:// or smtps:// (got "${protocol}//${url.hostname}")`);
  }
  if (!url.hostname) throw new DaybreakError('ECONFIG', 'SMTP_URL has no host name');
  for (const key of url.searchParams.keys()) {
    if (!PARAMETERS.includes(key)) {
      throw new DaybreakError('ECONFIG', `SMTP_URL: unknown parameter "${key}" (allowed: ${PARAMETERS.join(', ')})`);
    }
  }
  const secure = protocol === 'smtps:';
  let proxy: URL | undefined;
  const proxyText = url.searchParams.get('proxy');
  if (proxyText) {
    try {
      proxy = new URL(proxyText);
    } catch {
      throw new DaybreakError('ECONFIG', 'SMTP_URL: ?proxy= is not a URL (expected http://host:port)');
    }
    if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
      throw new DaybreakError('ECONFIG', `SMTP_URL: ?proxy= must be an http:// or https:// proxy (got "${proxy.protocol}//")`);
    }
  }
  const user = decodeURIComponent(url.username);
  const ignoreTLS = flag(url, 'ignoreTLS', false);
  const requireTLS = flag(url, 'requireTLS', false);
  if (ignoreTLS && requireTLS) throw new DaybreakError('ECONFIG', 'SMTP_URL: ?ignoreTLS and ?requireTLS cannot both be true');
  const name = url.searchParams.get('name') ?? undefined;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port) || (secure ? 465 : 587),
    secure,
    ...(user ? { auth: { user, pass: decodeURIComponent(url.password) } } : {}),
    ...(proxy ? { proxy } : {}),
    ignoreTLS,
    requireTLS,
    rejectUnauthorized: flag(url, 'tls.rejectUnauthorized', true),
    ...(name ? { name } : {}),
  };
}
