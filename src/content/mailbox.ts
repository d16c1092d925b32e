import addressparser from 'nodemailer/lib/addressparser';

// dot-atom local part (RFC 5322 atext) and a host name; non-ASCII letters allowed for SMTPUTF8 (RFC 6531).
const ADDRESS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+)*@[A-Za-z0-9\u0080-\uFFFF](?:[A-Za-z0-9\u0080-\uFFFF-]*[A-Za-z0-9\u0080-\uFFFF])?(?:\.[A-Za-z0-9\u0080-\uFFFF](?:[A-Za-z0-9\u0080-\uFFFF-]*[A-Za-z0-9\u0080-\uFFFF])?)*$/;

/** True for an address that can go into a header and an envelope as it is (no CR, LF, spaces, <>, quotes). */
export function isSafeAddress(address: string): boolean {
  return address.length <= 320 && ADDRESS.test(address);
}

/** One mailbox: a display name (maybe empty) and an address. */
export interface Mailbox {
  name: string;
  address: string;
}

/**
 * Reads one mailbox (`Name <address>` or a bare address, RFC 5322 §3.4) with nodemailer's address
 * parser, the one the sender uses, and says in words what is wrong when it is not exactly one safe
 * mailbox: a line break (a header injection: `…>\r\nBcc: …`), a group or a list, no address at all.
 * The config schema checks every address with it at load, and the sender builds From and Reply-To from
 * its result, so what passes the config is what goes out.
 *
 * @example
 * parseMailbox('The Daybreak Post <briefing@daybreak.example>');
 * // { ok: true, mailbox: { name: 'The Daybreak Post', address: 'briefing@daybreak.example' } }
 */
export function parseMailbox(value: string): { ok: true; mailbox: Mailbox } | { ok: false; problem: string } {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return { ok: false, problem: 'contains a line break or another control character' };
  const parsed = addressparser(value);
  if (parsed.length !== 1) return { ok: false, problem: parsed.length === 0 ? 'is empty' : 'names more than one address; give exactly one' };
  const [one] = parsed;
  if (!one || 'group' in one) return { ok: false, problem: 'is a group of addresses; give exactly one' };
  if (!one.address) return { ok: false, problem: 'has no e-mail address in it (expected "Name <name@example.com>" or name@example.com)' };
  if (!isSafeAddress(one.address)) return { ok: false, problem: `"${one.address}" is not a valid e-mail address` };
  return { ok: true, mailbox: { name: one.name, address: one.address } };
}
