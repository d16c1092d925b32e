import type { Config } from '../content/index.ts';
import { DaybreakError } from '../errors.ts';
import { insecureLinksAllowedFrom, smtpUrlFrom } from '../settings/index.ts';
import { docPath } from '../docs-path.ts';

/**
 * What sending real mail asks of the config, checked before anything goes out. With `SMTP_URL` set,
 * `baseUrl` must be https on the standard port: Gmail and Yahoo only offer one-click unsubscribe
 * (RFC 8058 §3.1 requires an https List-Unsubscribe URI) for https links, and readers' clients warn on
 * http ones. `allowInsecureLinks` (`--allow-insecure-links`, or DAYBREAK_ALLOW_INSECURE_LINKS=1) lets a
 * publisher send anyway, e.g. to a test relay. Returns warnings: no DKIM key configured.
 *
 * @example
 * const { warnings, realMail } = sendingPolicy({ config, env: process.env, allowInsecureLinks: false });
 */
export function sendingPolicy(options: {
  config: Pick<Config, 'baseUrl' | 'delivery'> & { file?: string | null };
  env: NodeJS.ProcessEnv;
  allowInsecureLinks?: boolean;
}): { warnings: string[]; realMail: boolean; allowInsecureLinks: boolean } {
  const { config, env } = options;
  const realMail = smtpUrlFrom(env) !== undefined;
  const allowInsecureLinks = options.allowInsecureLinks ?? insecureLinksAllowedFrom(env);
  const warnings: string[] = [];
  if (!realMail) return { warnings, realMail, allowInsecureLinks };
  const url = new URL(config.baseUrl);
  const secure = url.protocol === 'https:' && (url.port === '' || url.port === '443');
  if (!secure && !allowInsecureLinks) {
    throw new DaybreakError(
      'ECONFIG',
      `${config.file ?? 'config'}: baseUrl: "${config.baseUrl}" is not https on the standard port, and mail goes to a real server (SMTP_URL): ` +
        'one-click unsubscribe (RFC 8058) needs https links, and Gmail ignores it otherwise. Set baseUrl to your https address, or pass --allow-insecure-links to send anyway.',
    );
  }
  if (!config.delivery.dkim) {
    warnings.push(`delivery.dkim is not configured: mail goes out without a DKIM signature, and Gmail and Yahoo require one of bulk senders (see ${docPath('delivery-smtp-dkim.md')}).`);
  }
  return { warnings, realMail, allowInsecureLinks };
}
