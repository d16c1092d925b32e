/** One HMAC key for tokens and Message-IDs. */
export interface Key {
  /** Short and public: it travels in every token so the right key is found after a rotation, e.g. "k2". */
  id: string;
  /** The HMAC key itself; never leaves the keyring's store but to sign or verify. */
  secret: string;
  /** When the key was made (ISO 8601), when known. */
  createdAt?: string;
}

/**
 * Where the token keys live. Declared here, by the code that signs with them, so the store can be a file
 * beside the database today and the database itself tomorrow without the token code changing.
 *
 * Every key ever made stays known to `byId`, so a link mailed before a rotation keeps working.
 *
 * @example
 * const keyring: Keyring = openKeyring({ env: process.env, dbFile: 'var/daybreak.db', create: true });
 * const key = await keyring.current();
 * const old = await keyring.byId('k1');
 */
export interface Keyring {
  /** The key new tokens are signed with. A keyring that may not create one throws EKEY when there is none. */
  current(): Promise<Key>;
  /** The key with this id, or undefined when there is no such key (the token is then refused). */
  byId(id: string): Promise<Key | undefined>;
  /** Makes a new key the current one, keeping every older key for verifying; returns the new key. */
  rotate(): Promise<Key>;
  /** Every key's id and date, never its secret, oldest first; `current` marks the signing key. */
  list(): Promise<{ id: string; createdAt?: string; current: boolean }[]>;
  /** Where the keys live, for messages: a file path, or "DAYBREAK_SECRET". */
  describe(): string;
}

/**
 * The id of the key tokens were signed with before tokens carried key ids: a token with no id is checked
 * against this key (the file keyring gives it to the key it imports from the old `var/secret`, and
 * `DAYBREAK_SECRET` has always been it).
 */
export const FIRST_KEY_ID = 'k0';

/** What a key id looks like: `k` and a number. */
export const KEY_ID = /^k\d{1,9}$/;
