import { createPublicKey } from 'node:crypto';
import { parseDocument } from 'htmlparser2';
import { parseMailbox, PLACEHOLDER_POSTAL_ADDRESSES, type Config, type Newsletter } from '../content/index.ts';
import { GMAIL_CLIP_BYTES, lintEmail, type PersonalizableEdition } from '../render/index.ts';
import { readDkimKeys } from './dkim-keys.ts';
import { relaxedBodies } from './relaxed-bodies.ts';
import { createDkimSigner } from './dkim-signer.ts';
import { verifyDkim } from './dkim-verify.ts';
import { sampleCopy } from './sample-copy.ts';
import { spamScore } from './spam-score.ts';

export type GateCheckId = 'lint' | 'size' | 'links' | 'images' | 'headers' | 'sender' | 'dkim' | 'spam';

/** One check: `fail` holds the edition; `warn` and `skip` say something and let it go. */
export interface GateCheck {
  id: GateCheckId;
  title: string;
  status: 'pass' | 'fail' | 'warn' | 'skip';
  /** What was found: each failure named, or what passed. */
  details: string[];
}

export interface GateReport {
  newsletter: string;
  date: string;
  ok: boolean;
  checks: GateCheck[];
  /** One line per failing check, for the run ledger's reason and the log. */
  failures: string[];
}

interface Element {
  type: string;
  name?: string;
  attribs?: Record<string, string>;
  children?: Element[];
}

function elements(html: string): Element[] {
  const out: Element[] = [];
  const walk = (node: Element) => {
    if (node.type === 'tag') out.push(node);
    for (const child of node.children ?? []) walk(child);
  };
  walk(parseDocument(html, { lowerCaseTags: true, lowerCaseAttributeNames: true }) as unknown as Element);
  return out;
}

const short = (url: string) => (url.length > 90 ? `${url.slice(0, 87)}…` : url);
const listed = (items: string[], max = 8) => [...items.slice(0, max), ...(items.length > max ? [`… and ${items.length - max} more`] : [])];

/** Domains no one can send real mail from: RFC 2606's examples and RFC 6761's special-use names. */
function reservedDomain(domain: string): boolean {
  const d = domain.toLowerCase().replace(/\.$/, '');
  return /(^|\.)(example|test|invalid|localhost)$/.test(d) || /(^|\.)example\.(com|net|org)$/.test(d);
}

/** The domain of a mailbox the config schema has accepted (so parseMailbox succeeds), lowercased. */
function domainOf(mailbox: string): string | undefined {
  const parsed = parseMailbox(mailbox);
  return parsed.ok ? parsed.mailbox.address.slice(parsed.mailbox.address.lastIndexOf('@') + 1).toLowerCase() : undefined;
}

function senderProblems(config: Config): string[] {
  const problems: string[] = [];
  const { from, replyTo, postalAddress } = config.publisher;
  for (const [key, value] of [['publisher.from', from], ['publisher.replyTo', replyTo]] as const) {
    const domain = value ? domainOf(value) : undefined;
    if (domain && reservedDomain(domain)) problems.push(`${key} is on ${domain}, a domain reserved for examples: receivers reject or junk it; use your own domain`);
  }
  if ((PLACEHOLDER_POSTAL_ADDRESSES as readonly string[]).includes(postalAddress.trim())) {
    problems.push(`publisher.postalAddress is still the placeholder "${postalAddress}": bulk mail must carry your real postal address`);
  }
  return problems;
}

const REQUIRED_HEADERS = ['From', 'To', 'Subject', 'Date', 'Message-ID', 'MIME-Version', 'List-Id', 'List-Unsubscribe', 'List-Unsubscribe-Post', 'Feedback-ID'];

/**
 * The pre-send gate: every check `daybreak check` prints, run on the sample reader's copy exactly as
 * `send` builds it: email-client lint, Gmail's 102 KB clip, links (absolute; https with real mail, which
 * RFC 8058 one-click needs), images (alt, width, height), the required headers, the DKIM signatures the
 * sender itself makes (RSA, and Ed25519 when configured), each verified against the public half of its
 * key, with d= aligned with From (DMARC), and a SpamAssassin score under delivery.maxSpamScore when
 * SpamAssassin is installed. A scheduled send that fails it is held.
 *
 * @example
 * const report = await runPreSendGate({ config, newsletter, date, rendered, realMail: Boolean(process.env.SMTP_URL) });
 * if (!report.ok) console.log(report.failures.join('\n'));
 */
export async function runPreSendGate(options: {
  config: Config;
  newsletter: Newsletter;
  date: string;
  rendered: Pick<PersonalizableEdition, 'subject' | 'html' | 'text' | 'personalize'>;
  /** Mail goes to a real server (SMTP_URL set): links and baseUrl must be https. */
  realMail: boolean;
  env?: NodeJS.ProcessEnv;
  /** Skip SpamAssassin (it takes seconds); the check then says so. */
  skipSpam?: boolean;
}): Promise<GateReport> {
  const { config, newsletter, date, rendered, realMail } = options;
  const copy = sampleCopy({ config, newsletter, date, rendered });
  const raw = copy.raw;
  const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
  const html = rendered.personalize({ email: copy.to, firstName: 'Ana', unsubscribeUrl: `${config.baseUrl.replace(/\/+$/, '')}/unsubscribe?token=sample-ana` }).html;
  const checks: GateCheck[] = [];
  const tags = elements(html);

  // 1. Email-client lint (the size rule has its own check below).
  const findings = lintEmail(html).filter((f) => f.rule !== 'size');
  checks.push({
    id: 'lint',
    title: 'Email-client lint',
    status: findings.length ? 'fail' : 'pass',
    details: findings.length ? listed(findings.map((f) => `${f.rule}: ${f.message}${f.where ? ` (${f.where})` : ''}`)) : ['no findings'],
  });

  // 2. Gmail clips the HTML part past 102 KB (and hides the unsubscribe footer with it).
  const bytes = Buffer.byteLength(html, 'utf8');
  checks.push({
    id: 'size',
    title: 'Under the 102 KB clip limit',
    status: bytes >= GMAIL_CLIP_BYTES ? 'fail' : 'pass',
    details: [`HTML is ${(bytes / 1024).toFixed(1)} KB of ${GMAIL_CLIP_BYTES / 1024} KB${bytes >= GMAIL_CLIP_BYTES ? ': Gmail will clip it, hiding the rest and the unsubscribe link' : ''}`],
  });

  // 3. Links: absolute everywhere; https with real mail.
  const bad: string[] = [];
  const links = tags.filter((t) => (t.name === 'a' || t.name === 'area') && t.attribs?.href !== undefined).map((t) => t.attribs!.href!.trim());
  for (const href of new Set(links)) {
    if (/^mailto:/i.test(href)) continue;
    if (!/^https?:\/\//i.test(href)) bad.push(`not absolute: ${short(href)}`);
    else if (realMail && /^http:/i.test(href)) bad.push(`not https: ${short(href)}`);
  }
  if (realMail && !/^https:/i.test(config.baseUrl)) bad.unshift(`baseUrl is ${config.baseUrl}: one-click unsubscribe (RFC 8058) needs https`);
  checks.push({
    id: 'links',
    title: realMail ? 'Every link absolute and https' : 'Every link absolute',
    status: bad.length ? 'fail' : 'pass',
    details: bad.length ? listed(bad) : [`${new Set(links).size} links checked${realMail ? '' : ' (https is required once SMTP_URL is set)'}`],
  });

  // 4. Images: alt (may be empty for decoration), width and height, so the layout holds with images off.
  const images = tags.filter((t) => t.name === 'img');
  const badImages = images
    .map((t) => ({ src: t.attribs?.src ?? '(no src)', missing: ['alt', 'width', 'height'].filter((a) => t.attribs?.[a] === undefined) }))
    .filter((i) => i.missing.length)
    .map((i) => `${short(i.src)}: no ${i.missing.join(', ')}`);
  checks.push({
    id: 'images',
    title: 'Images with alt, width and height',
    status: badImages.length ? 'fail' : 'pass',
    details: badImages.length ? listed(badImages) : [`${images.length} images checked`],
  });

  // 5. Headers every copy needs (RFC 5322, RFC 2369, RFC 2919, RFC 8058).
  const fieldNames = head.split('\r\n').filter((l) => !/^[ \t]/.test(l)).map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
  const missing = REQUIRED_HEADERS.filter((h) => !fieldNames.includes(h.toLowerCase()));
  const headerProblems = missing.map((h) => `missing ${h}`);
  const unsubscribe = /^List-Unsubscribe: (.*(?:\r\n[ \t].*)*)/m.exec(head)?.[1] ?? '';
  if (realMail && unsubscribe && !/<https:\/\//.test(unsubscribe)) headerProblems.push('List-Unsubscribe has no https URL (RFC 8058 one-click needs one)');
  if (config.inbound && unsubscribe && !/<mailto:/.test(unsubscribe)) headerProblems.push('List-Unsubscribe has no mailto form');
  if (!/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m.test(head)) headerProblems.push('List-Unsubscribe-Post is not "List-Unsubscribe=One-Click"');
  if (/(^|[^\r])\n/.test(raw)) headerProblems.push('the message has bare LF line ends');
  checks.push({
    id: 'headers',
    title: 'Required headers',
    status: headerProblems.length ? 'fail' : 'pass',
    details: headerProblems.length ? headerProblems : [`${REQUIRED_HEADERS.join(', ')} present`],
  });

  // 6. The sender's identity: real mail from a domain reserved for examples (RFC 2606, RFC 6761) cannot
  // pass SPF or DMARC, and bulk mail must carry the publisher's own postal address (CAN-SPAM).
  if (!realMail) {
    checks.push({ id: 'sender', title: 'Sender identity', status: 'skip', details: ['checked once SMTP_URL is set (local mail goes nowhere)'] });
  } else {
    const problems = senderProblems(config);
    checks.push({ id: 'sender', title: 'Sender identity', status: problems.length ? 'warn' : 'pass', details: problems.length ? problems : [`From ${config.publisher.from}`] });
  }

  // 7. DKIM: signed by the sender's own signer with every configured key (RSA, and Ed25519 when set), each
  // signature verified against the public half of its key, and d= aligned with From (DMARC, RFC 7489 §3.1.1).
  let signed = raw;
  const dkim = config.delivery.dkim;
  if (!dkim) {
    checks.push({ id: 'dkim', title: 'DKIM signature', status: 'warn', details: ['delivery.dkim is not configured: receivers see unauthenticated mail (Gmail and Yahoo require DKIM of bulk senders)'] });
  } else {
    try {
      const signer = readDkimKeys(dkim);
      // The builder's own bytes, with its relaxed-body mark, as `send` hands a copy to the signing threads.
      signed = createDkimSigner(signer).signatureText(copy.bytes, { relaxedBody: relaxedBodies.has(copy.bytes) }) + raw;
      const verdicts = signer.keys.map((k) => verifyDkim(signed, createPublicKey(k.privateKey), { selector: k.selector }));
      const fromDomain = domainOf(config.publisher.from) ?? '';
      const d = signer.domainName;
      const aligned = fromDomain === d || fromDomain.endsWith(`.${d}`);
      const problems = [...verdicts.filter((v) => !v.ok).map((v) => v.detail), ...(aligned ? [] : [`d=${d} is not aligned with the From domain ${fromDomain} (DMARC)`])];
      checks.push({ id: 'dkim', title: 'DKIM signature', status: problems.length ? 'fail' : 'pass', details: problems.length ? problems : [...verdicts.map((v) => v.detail), 'aligned with From'] });
    } catch (error) {
      // readDkimKeys names the key and the file; anything else is said as it is, without a stack.
      checks.push({ id: 'dkim', title: 'DKIM signature', status: 'fail', details: [(error as Error).message.split('\n')[0]!] });
    }
  }

  // 8. SpamAssassin, when installed.
  const limit = config.delivery.maxSpamScore;
  if (options.skipSpam) {
    checks.push({ id: 'spam', title: `SpamAssassin under ${limit}`, status: 'skip', details: ['skipped'] });
  } else {
    const verdict = await spamScore(`Return-Path: <${copy.envelopeFrom}>\r\n${signed}`, options.env);
    if ('unavailable' in verdict) {
      checks.push({ id: 'spam', title: `SpamAssassin under ${limit}`, status: 'skip', details: [verdict.unavailable] });
    } else {
      checks.push({
        id: 'spam',
        title: `SpamAssassin under ${limit}`,
        status: verdict.score >= limit ? 'fail' : 'pass',
        details: [`score ${verdict.score} (${verdict.tool}; limit delivery.maxSpamScore ${limit})${verdict.tests.length ? `: ${verdict.tests.join(', ')}` : ''}`],
      });
    }
  }

  const failures = checks.filter((c) => c.status === 'fail').map((c) => `${c.title}: ${c.details.join('; ')}`);
  return { newsletter: newsletter.id, date, ok: failures.length === 0, checks, failures };
}
