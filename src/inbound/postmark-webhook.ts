import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { InboundMessageKind } from './classify-message.ts';
import { enhancedStatus, malformed, refused, type HeaderLookup, type WebhookOutcome } from './provider-event.ts';

const PostmarkEvent = z.object({
  RecordType: z.string(),
  ID: z.union([z.number(), z.string()]).optional(),
  Type: z.string().optional(),
  Email: z.string().optional(),
  Recipient: z.string().optional(),
  Description: z.string().optional(),
  Details: z.string().optional(),
  SuppressSending: z.boolean().optional(),
  MessageID: z.string().optional(),
});

/** Postmark's bounce types (its Bounce API documentation) to ours. */
const BOUNCE_KINDS: Record<string, InboundMessageKind> = {
  HardBounce: 'hard-bounce',
  BadEmailAddress: 'hard-bounce',
  ManuallyDeactivated: 'hard-bounce',
  SoftBounce: 'soft-bounce',
  Transient: 'soft-bounce',
  DnsError: 'soft-bounce',
  SpamComplaint: 'complaint',
  AutoResponder: 'auto-reply',
};

/** Equal-time comparison of two texts of any length (both are hashed first). */
function sameText(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * Postmark's bounce, spam-complaint and subscription-change webhooks. Postmark signs nothing; its
 * webhook URL carries HTTP Basic credentials set in its dashboard, checked here in equal time.
 *
 * @example
 * const check = postmarkWebhook({ username: 'daybreak', password: '…' });
 * const outcome = check(body, (name) => request.headers.get(name));
 */
export function postmarkWebhook(options: { username: string; password: string }): (body: Buffer, header: HeaderLookup) => WebhookOutcome {
  const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  return (body, header) => {
    const given = header('authorization') ?? '';
    if (!sameText(given, expected)) return refused('The Postmark webhook credentials (HTTP Basic) do not match webhooks.postmark');
    let event: z.infer<typeof PostmarkEvent>;
    try {
      const result = PostmarkEvent.safeParse(JSON.parse(body.toString('utf8')));
      if (!result.success) return malformed('Not a Postmark event: no RecordType');
      event = result.data;
    } catch {
      return malformed('Not a Postmark event: the body is not JSON');
    }
    const id = event.ID !== undefined ? String(event.ID) : `${event.RecordType}:${event.MessageID ?? ''}:${event.Email ?? event.Recipient ?? ''}`;
    const email = event.Email ?? event.Recipient ?? null;
    if (event.RecordType === 'Bounce' || event.RecordType === 'SpamComplaint') {
      const kind = event.RecordType === 'SpamComplaint' ? 'complaint' : (BOUNCE_KINDS[event.Type ?? ''] ?? 'unknown');
      return {
        ok: true,
        events: [{
          source: 'postmark',
          eventId: `${event.RecordType}:${id}`,
          kind,
          email,
          status: enhancedStatus(event.Details) ?? (kind === 'hard-bounce' ? '5.0.0' : null),
          diagnostic: event.Details ?? event.Description ?? null,
          reason: `Postmark ${event.RecordType}${event.Type ? ` ${event.Type}` : ''}`,
        }],
      };
    }
    if (event.RecordType === 'SubscriptionChange' && event.SuppressSending) {
      return { ok: true, events: [{ source: 'postmark', eventId: `SubscriptionChange:${id}`, kind: 'unsubscribe', email, status: null, diagnostic: null, reason: 'Postmark subscription change (suppressed)' }] };
    }
    return { ok: true, events: [], note: `Postmark ${event.RecordType} ignored` };
  };
}
