import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { DaybreakError } from '../errors.ts';
import type { InboundMessageKind } from './classify-message.ts';
import { bareMessageId, enhancedStatus, malformed, refused, type HeaderLookup, type WebhookOutcome } from './provider-event.ts';

const SendgridEvent = z.object({
  email: z.string().optional(),
  event: z.string(),
  sg_event_id: z.string(),
  type: z.string().optional(),
  status: z.string().optional(),
  reason: z.string().optional(),
  response: z.string().optional(),
  'smtp-id': z.string().optional(),
});

const SIGNATURE = 'x-twilio-email-event-webhook-signature';
const TIMESTAMP = 'x-twilio-email-event-webhook-timestamp';

/**
 * SendGrid's signed event webhook: an ECDSA (P-256, SHA-256) signature over the timestamp header
 * followed by the raw body, checked with the verification key from SendGrid's settings (base64 DER).
 *
 * @example
 * const check = sendgridWebhook({ publicKey: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE…' });
 * const outcome = check(body, (name) => request.headers.get(name));
 */
export function sendgridWebhook(options: { publicKey: string }): (body: Buffer, header: HeaderLookup) => WebhookOutcome {
  let key: KeyObject;
  try {
    key = /BEGIN PUBLIC KEY/.test(options.publicKey)
      ? createPublicKey(options.publicKey)
      : createPublicKey({ key: Buffer.from(options.publicKey, 'base64'), format: 'der', type: 'spki' });
  } catch (error) {
    throw new DaybreakError('ECONFIG', 'webhooks.sendgrid.publicKey: not an ECDSA public key (expected the base64 verification key from SendGrid)', { cause: error });
  }
  return (body, header) => {
    const signature = header(SIGNATURE);
    const timestamp = header(TIMESTAMP);
    if (!signature || !timestamp) return refused(`The SendGrid request has no ${signature ? TIMESTAMP : SIGNATURE} header`);
    let good = false;
    try {
      good = verify('sha256', Buffer.concat([Buffer.from(timestamp, 'utf8'), body]), key, Buffer.from(signature, 'base64'));
    } catch {
      good = false;
    }
    if (!good) return refused('The SendGrid signature does not verify with webhooks.sendgrid.publicKey');
    let events: z.infer<typeof SendgridEvent>[];
    try {
      const result = z.array(SendgridEvent).safeParse(JSON.parse(body.toString('utf8')));
      if (!result.success) return malformed(`Not SendGrid events: ${result.error.issues[0]!.path.join('.')} ${result.error.issues[0]!.message}`);
      events = result.data;
    } catch {
      return malformed('Not SendGrid events: the body is not JSON');
    }
    const out = [];
    for (const e of events) {
      let kind: InboundMessageKind | null = null;
      if (e.event === 'bounce') kind = e.type === 'blocked' ? 'soft-bounce' : 'hard-bounce';
      else if (e.event === 'deferred') kind = 'delayed';
      else if (e.event === 'spamreport') kind = 'complaint';
      else if (e.event === 'unsubscribe' || e.event === 'group_unsubscribe') kind = 'unsubscribe';
      if (!kind) continue;
      out.push({
        source: 'sendgrid' as const,
        eventId: e.sg_event_id,
        kind,
        email: e.email ?? null,
        messageId: bareMessageId(e['smtp-id']),
        status: enhancedStatus(e.status) ?? (kind === 'hard-bounce' ? '5.0.0' : null),
        diagnostic: e.reason ?? e.response ?? null,
        reason: `SendGrid ${e.event}${e.type ? ` (${e.type})` : ''}`,
      });
    }
    return { ok: true, events: out };
  };
}
