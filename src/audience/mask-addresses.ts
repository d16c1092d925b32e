// Anything shaped like an address: a local part, @, a domain with a dot. Wider than EmailSchema on
// purpose: a mail server's error may quote an address Daybreak itself would refuse.
const ADDRESS = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g;

/**
 * Masks every email address in a line meant for a log, keeping the first character of the local part
 * and the domain (`r0007@example.com` → `r…@example.com`): enough to tell a provider's problem from a
 * typo, not enough to read who subscribes. Logs travel further and live longer than the subscriber table.
 *
 * @example
 * maskAddresses('550 <r0007@example.com>: no such user'); // '550 <r…@example.com>: no such user'
 */
export function maskAddresses(text: string): string {
  return text.replace(ADDRESS, (match, domain: string) => `${match[0]}…@${domain}`);
}
