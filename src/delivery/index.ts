/**
 * Delivery (issue 4): the mailer (SMTP_URL or the local mail server), the Maildir reader, and the edition
 * sender with its durable send ledger.
 */
export { createMailer, rateOptions, type Mailer, type MailerMessage, type RawMessage } from './create-mailer.ts';
export { startLocalMailServer, type LocalMailServer } from './local-mail-server.ts';
export { readMaildir, readMaildirMessage, deliverToMaildir, ensureMaildir, type MaildirEntry, type MaildirMessage } from './maildir.ts';
export { DeliveryError, classifySmtpError, type FailureKind } from './delivery-error.ts';
