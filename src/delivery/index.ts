/**
 * Delivery: the mailer (SMTP_URL or the local mail server), the Maildir reader, and the edition
 * sender with its durable send ledger.
 */
export { createMailer, type Mailer, type MailerMessage, type RawMessage } from './create-mailer.ts';
export { startLocalMailServer, type LocalMailServer } from './local-mail-server.ts';
export { readMaildir, readMaildirMessage, deliverToMaildir, ensureMaildir, type MaildirEntry, type MaildirMessage } from './maildir.ts';
export { DeliveryError, classifySmtpError, type FailureKind } from './delivery-error.ts';
export { compileEditionMessage, editionMessageOptions, type EditionMessage, type EditionMessageOptions, type EditionCopy } from './edition-message.ts';
export { qpEncode, encodeDisplayName, encodeUnstructured, isSafeAddress, formatMailbox, sanitizeHeaderText } from './mime.ts';
export {
  sendEdition,
  editionMessageId,
  type SendReport,
  type SendProgress,
  type SendEditionOptions,
  type Transport,
  type RenderedEditionParts,
} from './send-edition.ts';
export type { SendStore, SendState, EditionKey, ClaimResult, ClaimedCopy, ClaimBatch, ClaimOptions, CopyOutcome, DueAt, Wave } from './send-store.ts';
export { createSmtpPool, type SmtpPool, type SmtpPoolOptions } from './smtp-pool.ts';
export { parseSmtpUrl, type SmtpTarget } from './smtp-url.ts';
export { createDkimSigner, type DkimSigner, type DkimSignerOptions, type DkimKeySpec, type DkimSignerStats } from './dkim-signer.ts';
export { createDkimPool, type DkimPool } from './dkim-pool.ts';
export { createInlineDkimSigner } from './dkim-inline.ts';
export { createDkimSigning } from './dkim-signing.ts';
export { readDkimKeys } from './dkim-keys.ts';
export { relaxedBodies } from './relaxed-bodies.ts';
export { readerCopy } from './reader-copy.ts';
export { verifyDkim, type DkimVerdict } from './dkim-verify.ts';
export { sampleCopy } from './sample-copy.ts';
export { runPreSendGate, type GateReport, type GateCheck, type GateCheckId } from './pre-send-gate.ts';
export { spamScore, type SpamVerdict } from './spam-score.ts';
export { sendingPolicy } from './sending-policy.ts';
export { afterFailure, pauseMessage, type FailedCopy } from './retry-policy.ts';
export { nextEditionAt, editionExpired } from './edition-expiry.ts';
export { deferredRetry, type DeferredRetry, type DeferredRetryBounds } from './edition-retry-policy.ts';
export { testSubject } from './test-subject.ts';
