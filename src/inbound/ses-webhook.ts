import { readFileSync } from 'node:fs';
import { verify } from 'node:crypto';
import { z } from 'zod';
import { DaybreakError } from '../errors.ts';
import { bareMessageId, enhancedStatus, malformed, refused, type WebhookOutcome } from './provider-event.ts';

const SnsEnvelope = z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Message: z.string(),
  Timestamp: z.string().min(1),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().min(1),
  Subject: z.string().optional(),
  SubscribeURL: z.string().optional(),
  Token: z.string().optional(),
});
type SnsEnvelope = z.infer<typeof SnsEnvelope>;

const Recipient = z.object({ emailAddress: z.string(), status: z.string().optional(), diagnosticCode: z.string().optional(), action: z.string().optional() });
const SesMessage = z.object({
  notificationType: z.string().optional(),
  eventType: z.string().optional(),
  bounce: z.object({ bounceType: z.string(), bounceSubType: z.string().optional(), bouncedRecipients: z.array(Recipient) }).optional(),
  complaint: z.object({ complainedRecipients: z.array(z.object({ emailAddress: z.string() })), complaintFeedbackType: z.string().optional() }).optional(),
  mail: z.object({ messageId: z.string().optional(), commonHeaders: z.object({ messageId: z.string().optional() }).optional() }).optional(),
});

/**
 * The text SNS signs (its "Verifying the signatures of Amazon SNS messages" documentation): name and
 * value lines of the listed fields in this order, Subject only when present.
 */
function stringToSign(m: SnsEnvelope): string {
  const keys: (keyof SnsEnvelope)[] =
    m.Type === 'Notification'
      ? ['Message', 'MessageId', ...(m.Subject !== undefined ? (['Subject'] as const) : []), 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return keys.map((k) => `${k}\n${m[k] ?? ''}\n`).join('');
}

/**
 * Amazon SES bounce and complaint notifications delivered by SNS: the SNS signature is checked against
 * the configured signing certificate (pinned as a file rather than fetched from SigningCertURL), and the
 * topic against `topicArn` when one is set. A subscription confirmation is accepted (and reported, so
 * the publisher can confirm it) but changes nothing.
 *
 * @example
 * const check = sesWebhook({ certificateFile: '/etc/daybreak/sns.pem' });
 * const outcome = check(body);
 */
export function sesWebhook(options: { certificateFile: string; topicArn?: string | undefined }): (body: Buffer) => WebhookOutcome {
  let certificate: string;
  try {
    certificate = readFileSync(options.certificateFile, 'utf8');
  } catch (error) {
    throw new DaybreakError('ECONFIG', `webhooks.ses.certificateFile: cannot read ${options.certificateFile}`, { cause: error });
  }
  return (body) => {
    let parsed: SnsEnvelope;
    try {
      const result = SnsEnvelope.safeParse(JSON.parse(body.toString('utf8')));
      if (!result.success) return malformed(`Not an SNS message: ${result.error.issues[0]!.path.join('.')} ${result.error.issues[0]!.message}`);
      parsed = result.data;
    } catch {
      return malformed('Not an SNS message: the body is not JSON');
    }
    const algorithm = parsed.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
    let good = false;
    try {
      good = verify(algorithm, Buffer.from(stringToSign(parsed), 'utf8'), certificate, Buffer.from(parsed.Signature, 'base64'));
    } catch {
      good = false;
    }
    if (!good) return refused('The SNS signature does not verify against webhooks.ses.certificateFile');
    if (options.topicArn && parsed.TopicArn !== options.topicArn) return refused(`The SNS topic ${parsed.TopicArn} is not webhooks.ses.topicArn`);
    if (parsed.Type !== 'Notification') {
      return { ok: true, events: [], note: `SNS ${parsed.Type} for ${parsed.TopicArn}${parsed.SubscribeURL ? `: confirm it by opening ${parsed.SubscribeURL}` : ''}` };
    }
    let message: z.infer<typeof SesMessage>;
    try {
      const result = SesMessage.safeParse(JSON.parse(parsed.Message));
      if (!result.success) return { ok: true, events: [], note: 'SNS notification that is not an SES event' };
      message = result.data;
    } catch {
      return { ok: true, events: [], note: 'SNS notification that is not an SES event' };
    }
    const type = message.notificationType ?? message.eventType ?? '';
    const messageId = bareMessageId(message.mail?.commonHeaders?.messageId);
    if (type === 'Bounce' && message.bounce) {
      const permanent = message.bounce.bounceType === 'Permanent';
      return {
        ok: true,
        events: message.bounce.bouncedRecipients.map((r, i) => ({
          source: 'ses' as const,
          eventId: `${parsed.MessageId}:${i}`,
          kind: permanent ? ('hard-bounce' as const) : message.bounce!.bounceType === 'Transient' ? ('soft-bounce' as const) : ('unknown' as const),
          email: r.emailAddress,
          messageId,
          status: enhancedStatus(r.status) ?? (permanent ? '5.0.0' : null),
          diagnostic: r.diagnosticCode ?? null,
          reason: `SES ${message.bounce!.bounceType} bounce${message.bounce!.bounceSubType ? ` (${message.bounce!.bounceSubType})` : ''}`,
        })),
      };
    }
    if (type === 'Complaint' && message.complaint) {
      return {
        ok: true,
        events: message.complaint.complainedRecipients.map((r, i) => ({
          source: 'ses' as const,
          eventId: `${parsed.MessageId}:${i}`,
          kind: 'complaint' as const,
          email: r.emailAddress,
          messageId,
          status: null,
          diagnostic: message.complaint!.complaintFeedbackType ?? null,
          reason: 'SES complaint',
        })),
      };
    }
    return { ok: true, events: [], note: `SES ${type || 'event'} ignored` };
  };
}
