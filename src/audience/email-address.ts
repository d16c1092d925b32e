import { z } from 'zod';

/** RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets, so 254 for the address. */
export const MAX_EMAIL_LENGTH = 254;

// Dot-atom local part (RFC 5322 §3.4.1) without the quoted-string form: quotes are refused on purpose,
// they are almost never real and they are how header-injection payloads try to sneak through.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
// Host names (RFC 1035 labels), at least two labels, a top-level label that is not all digits.
const DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Normalizes an address the one way the store keys on: trimmed, domain lower-cased. The local part keeps
 * its case (RFC 5321 §2.4: it may be case-sensitive), so `Ann@Example.COM` is stored as `Ann@example.com`.
 */
export function normalizeEmail(raw: string): string {
  const email = raw.trim();
  const at = email.lastIndexOf('@');
  if (at < 0) return email;
  return email.slice(0, at) + '@' + email.slice(at + 1).toLowerCase();
}

/**
 * The key the store looks people up by (migration 011): the normalized address lower-cased, local part
 * included. RFC 5321 allows a case-sensitive local part, but real mailboxes ignore case, so Ann@ and
 * ann@ are one person and share one confirmation limit. Addresses are ASCII (EmailSchema), so this
 * matches SQLite's lower() used in the migration's backfill.
 */
export function emailKey(email: string): string {
  return normalizeEmail(email).toLowerCase();
}

/**
 * The one email check, with messages a person understands. Used by the web form, the JSON API and the
 * CLI alike. Returns the normalized address.
 */
export const EmailSchema = z
  .string({ error: 'Please enter your email address.' })
  .check((ctx) => {
    const value = ctx.value;
    const issue = (message: string): void => {
      ctx.issues.push({ code: 'custom', message, input: value });
    };
    if (/[\r\n]/.test(value) || /[<>]/.test(value)) return issue("Email addresses can't contain line breaks or angle brackets (< >).");
    const email = value.trim();
    if (email === '') return issue('Please enter your email address.');
    if (email.length > MAX_EMAIL_LENGTH) return issue(`That email address is too long: at most ${MAX_EMAIL_LENGTH} characters.`);
    const at = email.lastIndexOf('@');
    if (at < 0) return issue(`"${email}" is missing an @. Enter an address like name@example.com.`);
    const local = email.slice(0, at);
    const domain = email.slice(at + 1);
    if (/["]/.test(local)) return issue("Quotation marks aren't allowed in the email address.");
    if (local === '' || local.length > 64 || !LOCAL.test(local) || domain === '' || !DOMAIN.test(domain)) {
      return issue(`"${email}" doesn't look like an email address. Enter one like name@example.com.`);
    }
  })
  .transform(normalizeEmail);

/** An optional first name: trimmed, empty means none, at most 100 characters, no line breaks or brackets. */
export const NameSchema = z
  .string({ error: 'The name must be text.' })
  .check((ctx) => {
    if (/[\r\n<>]/.test(ctx.value)) {
      ctx.issues.push({ code: 'custom', message: "Your name can't contain line breaks or angle brackets (< >).", input: ctx.value });
    } else if (ctx.value.trim().length > 100) {
      ctx.issues.push({ code: 'custom', message: 'Your name is too long: at most 100 characters.', input: ctx.value });
    }
  })
  .transform((v) => (v.trim() === '' ? null : v.trim()));
