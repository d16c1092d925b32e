import { DaybreakError } from '../errors.ts';
import { FIRST_KEY_ID, type Keyring } from './keyring.ts';

/** Shortest secret accepted: 16 characters (128 bits if random base64). */
export const MIN_SECRET_LENGTH = 16;

/**
 * A keyring of one fixed key: what `DAYBREAK_SECRET` gives (and what tests use). It cannot rotate: the
 * key belongs to whoever set the variable. Its id is `k0`, the id of tokens made before key ids, because
 * links mailed with `DAYBREAK_SECRET` before then were signed with this same key.
 *
 * @example
 * const keyring = secretKeyring(process.env.DAYBREAK_SECRET!, 'DAYBREAK_SECRET');
 */
export function secretKeyring(secret: string, source = 'a fixed secret'): Keyring {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw new DaybreakError('ECONFIG', `${source}: the token secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  const key = { id: FIRST_KEY_ID, secret };
  return {
    current: async () => key,
    byId: async (id) => (id === key.id ? key : undefined),
    async rotate() {
      throw new DaybreakError(
        'EUSAGE',
        `The token key comes from ${source}, so Daybreak cannot rotate it. Unset ${source} to keep the keys in a file beside the database, where \`daybreak secret rotate\` can add one.`,
      );
    },
    list: async () => [{ id: key.id, current: true }],
    describe: () => source,
  };
}
