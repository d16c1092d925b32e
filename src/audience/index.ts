/**
 * Readers: the subscriber store, signed tokens, and the sign-up / confirm / unsubscribe logic
 * with its transactional mails. Nothing here knows about HTTP.
 */
export { FIRST_KEY_ID, type Key, type Keyring } from './keyring.ts';
export { secretKeyring, MIN_SECRET_LENGTH } from './secret-keyring.ts';
export { createFileKeyring, type FileKeyringOptions } from './file-keyring.ts';
export { openKeyring, keyringFileFor } from './open-keyring.ts';
export { createTokens, CONFIRM_TOKEN_TTL_MS, ALL_NEWSLETTERS, type Tokens, type TokenClaims, type TokenPurpose } from './tokens.ts';
export { maskAddresses } from './mask-addresses.ts';
export { normalizeEmail, emailKey, EmailSchema, NameSchema, MAX_EMAIL_LENGTH } from './email-address.ts';
export {
  type SubscriberStore,
  type OutboxKind,
  type Subscriber,
  type SubscriptionStatus,
  type PersonStatus,
  type Consent,
  type SignUpInput,
  type SignUpOutcome,
  type AddInput,
  type AddOutcome,
  type SubscriptionInfo,
  type PreferenceChange,
  type PreferenceOutcome,
} from './subscriber-store.ts';
export {
  createAudience,
  CONFIRMATION_INTERVAL_MS,
  type Audience,
  type AudienceOptions,
  type SignUpRequest,
  type Preferences,
  type PreferenceForm,
  type ManagedNewsletter,
} from './audience.ts';
export {
  fallbackTemplates,
  type TransactionalTemplates,
  type ConfirmationMailer,
  type ConfirmationProps,
  type WelcomeProps,
  type UnsubscribedProps,
  type NewsletterSummary,
} from './transactional.ts';
export { parseCsv, toCsv, csvCell, type CsvRecord } from './csv.ts';
export { type OutboxStore, type OutboxItem } from './outbox.ts';
export { createOutboxDispatcher, outboxBackoffSeconds, OUTBOX_MAX_ATTEMPTS, type OutboxDispatcher, type OutboxDispatcherOptions } from './outbox-dispatcher.ts';
export { canonicalTimezone, readerZone, TimezoneSchema, unknownTimezoneMessage } from './timezone.ts';
