import { Hono } from 'hono';
import type { Config } from '../content/index.ts';
import {
  mailgunWebhook,
  postmarkWebhook,
  sendgridWebhook,
  sesWebhook,
  type HeaderLookup,
  type InboundProcessor,
  type WebhookOutcome,
} from '../inbound/index.ts';

/** Provider event batches are small; this bounds what an unauthenticated caller can make us read. */
const MAX_WEBHOOK_BYTES = 1024 * 1024;

type Check = (body: Buffer, header: HeaderLookup) => WebhookOutcome;

/**
 * `POST /webhooks/ses`, `/postmark`, `/mailgun`, `/sendgrid`: a sending service's bounce and complaint
 * events, each checked against the key configured under `webhooks.<provider>` (401 and nothing changed
 * when it does not verify; 404 for a provider that is not configured), then applied through the same
 * processor as mail to the inbound listener. A replayed event (same provider event id) changes nothing.
 *
 * @example
 * app.route('/webhooks', createWebhookApp({ config, processor }));
 */
export function createWebhookApp(options: { config: Pick<Config, 'webhooks'>; processor: InboundProcessor; log?: (line: string) => void }): Hono {
  const log = options.log ?? (() => {});
  const hooks = options.config.webhooks ?? {};
  const checks: Record<string, Check> = {};
  if (hooks.ses) {
    const check = sesWebhook(hooks.ses);
    checks.ses = (body) => check(body);
  }
  if (hooks.postmark) checks.postmark = postmarkWebhook(hooks.postmark);
  if (hooks.mailgun) {
    const check = mailgunWebhook(hooks.mailgun);
    checks.mailgun = (body) => check(body);
  }
  if (hooks.sendgrid) checks.sendgrid = sendgridWebhook(hooks.sendgrid);

  const app = new Hono();
  app.post('/:provider', async (c) => {
    const provider = c.req.param('provider');
    const check = checks[provider];
    if (!check) return c.json({ error: `No webhook for "${provider}" is configured (webhooks.${provider} in the config)` }, 404);
    const declared = Number(c.req.header('content-length') ?? 0);
    if (declared > MAX_WEBHOOK_BYTES) return c.json({ error: 'Request body too large' }, 413);
    const body = Buffer.from(await c.req.arrayBuffer());
    if (body.length > MAX_WEBHOOK_BYTES) return c.json({ error: 'Request body too large' }, 413);
    const outcome = check(body, (name) => c.req.header(name) ?? null);
    if (!outcome.ok) {
      log(`webhook ${provider}: refused (${outcome.status}): ${outcome.message}`);
      return c.json({ error: outcome.message }, outcome.status);
    }
    if (outcome.note) log(`webhook ${provider}: ${outcome.note}`);
    const results = [];
    for (const event of outcome.events) {
      const result = await options.processor.receiveEvent({ ...event, raw: body });
      results.push({ kind: result.kind, duplicate: result.duplicate, outcome: result.outcome });
    }
    return c.json({ received: results.length, results });
  });
  return app;
}
