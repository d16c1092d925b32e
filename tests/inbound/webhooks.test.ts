import { execFileSync } from 'node:child_process';
import { createHmac, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInboundProcessor } from '../../src/inbound/index.ts';
import { openStore, type Store } from '../../src/storage/index.ts';
import { createWebhookApp, startServer, type RunningServer } from '../../src/web/index.ts';
import { enginesUnderTest } from '../helpers/test-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'daybreak-webhooks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Keys made here, for this run only: an SNS signing certificate (self-signed, as a pinned file),
// SendGrid's ECDSA P-256 pair, Mailgun's HMAC key and Postmark's Basic credentials.
const snsKey = join(dir, 'sns.key');
const snsCert = join(dir, 'sns.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', snsKey, '-out', snsCert, '-days', '2', '-subj', '/CN=sns.us-east-1.amazonaws.com'], { stdio: 'ignore' });
const snsPrivate = readFileSync(snsKey, 'utf8');
const sendgrid = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const sendgridPublic = sendgrid.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const MAILGUN_KEY = 'key-mailgun-signing-0123456789abcdef';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:daybreak-ses';

function snsMessage(message: object, options: { version?: '1' | '2'; key?: string } = {}) {
  const body: Record<string, string> = {
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: TOPIC,
    Message: JSON.stringify(message),
    Timestamp: new Date().toISOString(),
    SignatureVersion: options.version ?? '1',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem',
  };
  const text = ['Message', 'MessageId', 'Timestamp', 'TopicArn', 'Type'].map((k) => `${k}\n${body[k]}\n`).join('');
  body.Signature = sign(body.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256', Buffer.from(text), options.key ?? snsPrivate).toString('base64');
  return body;
}

function mailgunBody(eventData: object, key = MAILGUN_KEY) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const token = randomUUID().replaceAll('-', '');
  return { signature: { timestamp, token, signature: createHmac('sha256', key).update(timestamp + token).digest('hex') }, 'event-data': eventData };
}

function sendgridRequest(events: object[], privateKey = sendgrid.privateKey) {
  const body = JSON.stringify(events);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = sign('sha256', Buffer.concat([Buffer.from(timestamp), Buffer.from(body)]), privateKey).toString('base64');
  return { body, headers: { 'X-Twilio-Email-Event-Webhook-Signature': signature, 'X-Twilio-Email-Event-Webhook-Timestamp': timestamp } };
}

describe.each(enginesUnderTest())('provider webhooks over HTTP ($name)', (engine) => {
  let store: Store;
  let server: RunningServer;
  let cleanup: () => Promise<void>;
  const ids: Record<string, number> = {};
  const base = () => `http://127.0.0.1:${server.port}/webhooks`;
  const post = (provider: string, body: string | object, headers: Record<string, string> = {}) =>
    fetch(`${base()}/${provider}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers } });
  const person = async (email: string) => (await store.subscribers.findByEmail(email))!;

  beforeAll(async () => {
    const db = await engine.create();
    store = await openStore({ database: db.database });
    for (const email of ['ses-hard@example.com', 'ses-complaint@example.com', 'pm-hard@example.com', 'pm-spam@example.com', 'mg-hard@example.com', 'mg-soft@example.com', 'sg-hard@example.com', 'sg-spam@example.com', 'bad@example.com']) {
      ids[email] = (await store.subscribers.add({ email, name: null, newsletters: ['morning', 'good-news'], confirmed: true, source: 'cli' }, new Date())).id;
    }
    const processor = createInboundProcessor({ store: store.inbound, addresses: null, policy: { softBounceLimit: 3, windowDays: 30 } });
    const app = createWebhookApp({
      config: {
        webhooks: {
          ses: { certificateFile: snsCert, topicArn: TOPIC },
          postmark: { username: 'daybreak', password: 'pm-secret-password' },
          mailgun: { signingKey: MAILGUN_KEY },
          sendgrid: { publicKey: sendgridPublic },
        },
      },
      processor,
    });
    server = await startServer(new Hono().route('/webhooks', app), { port: 0, hostname: '127.0.0.1' });
    cleanup = async () => {
      await server.close();
      await store.close();
      await db.cleanup();
    };
  });
  afterAll(() => cleanup?.());

  it('SES via SNS: a permanent bounce marks the reader bounced; a replay of the same notification changes nothing twice', async () => {
    const body = snsMessage({
      notificationType: 'Bounce',
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: 'ses-hard@example.com', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }] },
      mail: { commonHeaders: { messageId: '<morning.2026-11-30.x@daybreak.example>' } },
    });
    const first = await post('ses', body);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ received: 1, results: [{ kind: 'hard-bounce', duplicate: false }] });
    expect((await person('ses-hard@example.com')).status).toBe('bounced');
    const again = await post('ses', body);
    expect(await again.json()).toMatchObject({ results: [{ duplicate: true, outcome: 'no change: this event was already received' }] });
    expect((await store.inbound.list()).filter((m) => m.source === 'ses')).toHaveLength(1);
  });

  it('SES via SNS (signature version 2): a complaint unsubscribes the reader from everything', async () => {
    const body = snsMessage({ notificationType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: 'ses-complaint@example.com' }], complaintFeedbackType: 'abuse' } }, { version: '2' });
    expect((await post('ses', body)).status).toBe(200);
    const p = await person('ses-complaint@example.com');
    expect(p.status).toBe('complained');
    expect(p.subscriptions.every((s) => s.status === 'unsubscribed')).toBe(true);
  });

  it('SES via SNS: a body signed with another key, or changed after signing, gets 401 and changes nothing', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const forged = snsMessage({ notificationType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'bad@example.com' }] } }, { key: other });
    const res = await post('ses', forged);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'The SNS signature does not verify against webhooks.ses.certificateFile' });
    const genuine = snsMessage({ notificationType: 'Delivery' });
    const changed = { ...genuine, Message: JSON.stringify({ notificationType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'bad@example.com' }] } }) };
    expect((await post('ses', changed)).status).toBe(401);
    expect((await person('bad@example.com')).status).toBe('active');
  });

  it('Postmark: checks the Basic credentials; a HardBounce bounces, a SpamComplaint complains, a replay does nothing', async () => {
    const auth = { Authorization: `Basic ${Buffer.from('daybreak:pm-secret-password').toString('base64')}` };
    const bounce = { RecordType: 'Bounce', ID: 4323372036854775807, Type: 'HardBounce', TypeCode: 1, Email: 'pm-hard@example.com', Details: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.' };
    expect((await post('postmark', bounce, { Authorization: `Basic ${Buffer.from('daybreak:wrong').toString('base64')}` })).status).toBe(401);
    expect((await post('postmark', bounce)).status).toBe(401);
    expect((await person('pm-hard@example.com')).status).toBe('active');
    expect((await post('postmark', bounce, auth)).status).toBe(200);
    expect((await person('pm-hard@example.com')).status).toBe('bounced');
    expect(await (await post('postmark', bounce, auth)).json()).toMatchObject({ results: [{ duplicate: true }] });
    await post('postmark', { RecordType: 'SpamComplaint', ID: 42, Type: 'SpamComplaint', Email: 'pm-spam@example.com' }, auth);
    expect((await person('pm-spam@example.com')).status).toBe('complained');
    const [last] = await store.inbound.list({ limit: 1 });
    expect(last).toMatchObject({ source: 'postmark', kind: 'complaint', email: 'pm-spam@example.com' });
  });

  it('Mailgun: verifies the HMAC; a permanent failure bounces, a temporary one counts as soft, a bad signature is 401', async () => {
    const failed = { id: 'mg-event-1', event: 'failed', severity: 'permanent', reason: 'bounce', recipient: 'mg-hard@example.com', 'delivery-status': { code: 550, message: '5.1.1 No such mailbox' } };
    expect((await post('mailgun', mailgunBody(failed, 'key-not-ours'))).status).toBe(401);
    expect((await person('mg-hard@example.com')).status).toBe('active');
    const body = mailgunBody(failed);
    expect((await post('mailgun', body)).status).toBe(200);
    expect((await person('mg-hard@example.com')).status).toBe('bounced');
    expect(await (await post('mailgun', body)).json()).toMatchObject({ results: [{ duplicate: true }] });
    await post('mailgun', mailgunBody({ id: 'mg-event-2', event: 'failed', severity: 'temporary', recipient: 'mg-soft@example.com', 'delivery-status': { code: 452, message: '4.2.2 Mailbox full' } }));
    expect((await person('mg-soft@example.com')).status).toBe('active');
    expect((await store.inbound.list({ limit: 1 }))[0]).toMatchObject({ kind: 'soft-bounce', status: '4.2.2', outcome: expect.stringMatching(/^soft bounce 1 of 3/) });
  });

  it('SendGrid: verifies the ECDSA signature over timestamp and body; bounce and spamreport apply, a replayed batch does not', async () => {
    const events = [
      { email: 'sg-hard@example.com', event: 'bounce', type: 'bounce', status: '5.1.1', reason: '550 5.1.1 user unknown', sg_event_id: 'sg-1', 'smtp-id': '<morning.2026-11-30.y@daybreak.example>' },
      { email: 'sg-spam@example.com', event: 'spamreport', sg_event_id: 'sg-2' },
      { email: 'sg-spam@example.com', event: 'open', sg_event_id: 'sg-3' },
    ];
    const forged = sendgridRequest(events, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);
    expect((await post('sendgrid', forged.body, forged.headers)).status).toBe(401);
    const signed = sendgridRequest(events);
    const tampered = await post('sendgrid', signed.body.replace('sg-spam', 'sg-hard'), signed.headers);
    expect(tampered.status).toBe(401);
    expect((await person('sg-hard@example.com')).status).toBe('active');
    const res = await post('sendgrid', signed.body, signed.headers);
    expect(await res.json()).toMatchObject({ received: 2, results: [{ kind: 'hard-bounce' }, { kind: 'complaint' }] });
    expect((await person('sg-hard@example.com')).status).toBe('bounced');
    expect((await person('sg-spam@example.com')).status).toBe('complained');
    const replay = await post('sendgrid', signed.body, signed.headers);
    expect(await replay.json()).toMatchObject({ results: [{ duplicate: true }, { duplicate: true }] });
  });

  it('answers 404 for a provider that is not configured', async () => {
    expect((await post('sparkpost', {})).status).toBe(404);
  });
});
