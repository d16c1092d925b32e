/**
 * The storage the readers' side needs, declared here by the code that uses it; src/storage implements it
 * on SQLite and PostgreSQL. Every write is one transaction, and a caller hears back only after the commit.
 * Transactional mail is queued in the same transaction as the change that causes it (the outbox), so a
 * crash between the two can never lose a confirmation.
 */
export type SubscriptionStatus = 'pending' | 'confirmed' | 'unsubscribed';
/**
 * The person's own status: `bounced` once a permanent failure was seen for the address (at send time or
 * in a bounce that came back later), `complained` once they reported a newsletter as spam (RFC 5965).
 */
export type PersonStatus = 'active' | 'bounced' | 'complained';

export interface Consent {
  ip: string | null;
  userAgent: string | null;
  /** The page the sign-up came from (the form's `source` field, else Origin/Referer), or `cli`, `import:FILE`. */
  source: string | null;
}

export interface Subscriber {
  id: number;
  email: string;
  name: string | null;
  createdAt: string;
  status: PersonStatus;
  bouncedAt: string | null;
  consent: Consent & { at: string | null };
  lastConfirmationSentAt: string | null;
  /**
   * The reader's IANA timezone as stored, or null (the newsletter's own zone applies). Validated when it
   * is set; one from an older import may still be invalid, so senders check it again (readerZone).
   */
  timezone: string | null;
  subscriptions: SubscriptionInfo[];
}

export interface SubscriptionInfo {
  newsletter: string;
  status: SubscriptionStatus;
  /** The sections the reader chose for this newsletter, or null for every section. */
  sections: string[] | null;
}

export interface SignUpInput {
  /** Already normalized (EmailSchema). */
  email: string;
  name: string | null;
  newsletters: string[];
  consent: Consent;
  /** The browser's IANA zone (already validated); kept only for a new person, like the name. */
  timezone?: string | null;
}

export interface SignUpOutcome {
  subscriberId: number;
  /** Every newsletter of this person still awaiting confirmation (the confirmation mail covers them all). */
  pending: string[];
  /**
   * True when a confirmation mail was queued in the outbox: something is pending, the address has not
   * bounced, and none was queued in the interval.
   */
  sendConfirmation: boolean;
}

export interface AddInput {
  email: string;
  name: string | null;
  newsletters: string[];
  confirmed: boolean;
  source: string;
  /** An IANA zone (already validated); given, it replaces the stored one (the operator's word wins). */
  timezone?: string | null;
}

/**
 * What the preference page changes, in one transaction. Fields left undefined stay as they are.
 */
export interface PreferenceChange {
  /** Newsletters to receive from now on: confirmed at once (the signed link proves the address). */
  subscribe: string[];
  /** Newsletters to stop. */
  unsubscribe: string[];
  /** The chosen sections of these newsletters; null = every section (also those added later). */
  sections: Record<string, string[] | null>;
  name?: string | null;
  /** An IANA zone (already validated), or null for the newsletter's own. */
  timezone?: string | null;
  /** Queue one `unsubscribed` mail for what was stopped (the page's "everything off"). */
  notify?: boolean;
}

export interface PreferenceOutcome {
  /** Newsletters that changed to confirmed. */
  subscribed: string[];
  /** Newsletters that changed to unsubscribed. */
  unsubscribed: string[];
}

/** `renamed`: an existing person's name was replaced by the one given (the operator's word wins; none given keeps it). */
export type AddOutcome = { id: number; created: boolean; changed: string[]; keptUnsubscribed: string[]; renamed: boolean };

/** A transactional mail waiting in the outbox. */
export type OutboxKind = 'confirmation' | 'welcome' | 'unsubscribed';

export interface SubscriberStore {
  get(id: number): Promise<Subscriber | undefined>;
  /** Case-insensitive: `Ann@example.com` and `ann@EXAMPLE.com` find the same person. */
  findByEmail(email: string): Promise<Subscriber | undefined>;
  /**
   * Group commit: several sign-ups in one transaction, so a burst costs one fsync instead of one each.
   * Always writes (a new row, or last_signup_at), so every address costs the same commit: no timing
   * oracle. A stranger can't change an existing person's name or consent record; only their pending set
   * grows. A due confirmation is queued in the outbox in the same transaction.
   */
  signUpMany(inputs: SignUpInput[], now: Date, confirmationIntervalMs: number): Promise<SignUpOutcome[]>;
  /** The CLI's add/import: never resurrects an unsubscribed subscription (an opt-out wins over an old list). */
  add(input: AddInput, now: Date): Promise<AddOutcome>;
  isTokenUsed(digest: string): Promise<boolean>;
  /**
   * Confirms the named subscriptions and burns the token in the same transaction, so it works once; a
   * welcome mail for what changed is queued in the outbox when the person is active. Returns the
   * newsletters that changed to confirmed. Throws ETOKEN for a used token or a removed person.
   */
  confirm(subscriberId: number, newsletters: string[], tokenDigest: string, now: Date): Promise<string[]>;
  /**
   * Idempotent: unsubscribing twice, or a person since removed, changes nothing and is no error. With
   * `notify`, the first change queues one `unsubscribed` mail (when the person is active).
   */
  unsubscribe(subscriberId: number, newsletters: string[], now: Date, options?: { notify?: boolean }): Promise<string[]>;
  /**
   * Everyone with their subscriptions. `status` filters on the person (`active`, `bounced`, `complained`) or on having
   * a subscription in that state (`pending`, `confirmed`, `unsubscribed`).
   */
  list(filter?: { status?: PersonStatus | SubscriptionStatus }): Promise<Subscriber[]>;
  /**
   * Deletes the person, whatever the case of the address: their rows, subscriptions and send-ledger rows.
   * Their ids are never reused.
   */
  remove(email: string): Promise<boolean>;
  /**
   * The preference page's change, all or nothing. Undefined when the person no longer exists. A bounced
   * person's choices are stored all the same (nothing is sent to them anyway).
   */
  updatePreferences(subscriberId: number, change: PreferenceChange, now: Date): Promise<PreferenceOutcome | undefined>;
}
