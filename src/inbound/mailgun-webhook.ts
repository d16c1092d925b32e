import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { bareMessageId, enhancedStatus, malformed, refused, type WebhookOutcome } from './provider-event.ts';

const MailgunBody = z.object({
  signature: z.object({ timestamp: z.union([z.string(), z.number()]), token: z.string(), signature: z.string() }),
  'event-data': z.object({
    id: z.string(),
    event: z.string(),
    severity: z.string().optional(),
    reason: z.string().optional(),
    recipient: z.string().optional(),
    'delivery-status': z.object({ code: z.number().optional(), message: z.string().optional(), description: z.string().optional() }).partial().optional(),
    message: z.object({ headers: z.record(z.string(), z.unknown()).optional() }).optional(),
  }),
});

/**
 * Mailgun's event webhooks (failed, complained, unsubscribed): the signature is HMAC-SHA256 of
 * timestamp + token under the webhook signing key, compared in equal time (Mailgun's "Securing
 * Webhooks" documentation).
 *
 * @example
 * const check = mailgunWebhook({ signingKey: 'key-…' });
 * const outcome = check(body);
 */
export function mailgunWebhook(options: { signingKey: string }): (body: Buffer) => WebhookOutcome {
  return (body) => {
    let parsed: z.infer<typeof MailgunBody>;
    try {
      const result = MailgunBody.safeParse(JSON.parse(body.toString('utf8')));
      if (!result.success) return malformed(`Not a Mailgun event: ${result.error.issues[0]!.path.join('.')} ${result.error.issues[0]!.message}`);
      parsed = result.data;
    } catch {
      return malformed('Not a Mailgun event: the body is not JSON');
    }
    const { timestamp, token, signature } = parsed.signature;
    const expected = createHmac('sha256', options.signingKey).update(`${timestamp}${token}`).digest();
    const given = /^[0-9a-f]{64}$/i.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refused('The Mailgun signature does not verify with webhooks.mailgun.signingKey');
    const data = parsed['event-data'];
    const messageId = bareMessageId(data.message?.headers?.['message-id']);
    const email = data.recipient ?? null;
    const status = data['delivery-status'];
    const base = { source: 'mailgun' as const, eventId: data.id, email, messageId };
    if (data.event === 'failed') {
      const permanent = data.severity === 'permanent';
      return {
        ok: true,
        events: [{
          ...base,
          kind: permanent ? 'hard-bounce' : 'soft-bounce',
          status: enhancedStatus(status?.message) ?? enhancedStatus(status?.description) ?? (status?.code ? `${String(status.code)[0]}.0.0` : null),
          diagnostic: status?.message || status?.description || data.reason || null,
          reason: `Mailgun failed (${data.severity ?? 'unknown'} severity${data.reason ? `, ${data.reason}` : ''})`,
        }],
      };
    }
    if (data.event === 'complained') return { ok: true, events: [{ ...base, kind: 'complaint', status: null, diagnostic: null, reason: 'Mailgun complaint' }] };
    if (data.event === 'unsubscribed') return { ok: true, events: [{ ...base, kind: 'unsubscribe', status: null, diagnostic: null, reason: 'Mailgun unsubscribe' }] };
    return { ok: true, events: [], note: `Mailgun ${data.event} ignored` };
  };
}
