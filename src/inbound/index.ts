/**
 * Mail that comes back: per-copy bounce and unsubscribe addresses, the classifier (RFC 3464 DSNs,
 * RFC 5965 complaints, RFC 3834 auto-replies), the processor that applies them to readers, and the SMTP
 * listener and the IMAP mailbox reader. Provider webhooks (src/web) feed the same processor.
 */
export { createInboundAddresses, type InboundAddresses, type InboundClaims, type InboundKind } from './inbound-address.ts';
export { classifyMessage, type Classification, type InboundMessageKind } from './classify-message.ts';
export type { InboundStore, InboundEvent, InboundMessage, InboundPolicy, InboundSource, RecordResult } from './inbound-store.ts';
export { createInboundProcessor, type InboundProcessor, type InboundResult, type ProviderEvent, type ReceivedMail } from './inbound-processor.ts';
export { startInboundServer, type InboundServer } from './inbound-server.ts';
export { startImapReader, type ImapReader, type ImapReaderOptions } from './imap-reader.ts';
export { inboundAddressesFor } from './inbound-addresses-for.ts';
export { startInboundRetention, type InboundRetention, type InboundRetentionOptions } from './inbound-retention.ts';
export { sesWebhook } from './ses-webhook.ts';
export { postmarkWebhook } from './postmark-webhook.ts';
export { mailgunWebhook } from './mailgun-webhook.ts';
export { sendgridWebhook } from './sendgrid-webhook.ts';
export type { WebhookOutcome, HeaderLookup } from './provider-event.ts';
