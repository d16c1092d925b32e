import { allParts, decodedBody, field, fieldGroups, parseHeaderFields, parseMime, splitHeaderBody, type HeaderField, type MimePart } from './mime-parts.ts';

/** What a message that came back is. Only the first four change a reader. */
export type InboundMessageKind = 'hard-bounce' | 'soft-bounce' | 'complaint' | 'unsubscribe' | 'delayed' | 'auto-reply' | 'unknown';

export interface Classification {
  kind: InboundMessageKind;
  /** The enhanced status code (RFC 3463), e.g. `5.1.1`, when the message gives one. */
  status: string | null;
  /** The remote server's words (Diagnostic-Code), or the feedback type of a complaint. */
  diagnostic: string | null;
  /** The address the report is about (Final-Recipient, Original-Rcpt-To), when it names one. */
  recipient: string | null;
  /** Why it was classified so, in a few words (for `daybreak bounces`). */
  reason: string;
  /**
   * Addresses and Message-IDs inside the message that may name the copy it is about: the original's
   * envelope sender (Original-Mail-From, Return-Path), its List-Unsubscribe mailto, its Message-ID.
   */
  hints: { addresses: string[]; messageIds: string[] };
}

const ENHANCED = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;

/** `rfc822; ann@example.com` → `ann@example.com` (RFC 3464 §2.3.2 address-type prefix). */
function typedAddress(value: string | undefined): string | null {
  if (!value) return null;
  const address = value.includes(';') ? value.slice(value.indexOf(';') + 1) : value;
  return address.trim().replace(/^<|>$/g, '') || null;
}

/** Addresses in angle brackets or bare, and mailto: targets, found in a header value. */
function addressesIn(value: string | undefined): string[] {
  if (!value) return [];
  const out = new Set<string>();
  for (const m of value.matchAll(/mailto:([^?>\s,]+)/gi)) out.add(decodeURIComponent(m[1]!));
  for (const m of value.matchAll(/<([^<>\s@]+@[^<>\s]+)>/g)) if (!m[1]!.startsWith('mailto:') && !/^https?:/i.test(m[1]!)) out.add(m[1]!);
  const bare = value.trim();
  if (/^[^\s<>@]+@[^\s<>@]+$/.test(bare)) out.add(bare);
  return [...out];
}

function messageIdsIn(value: string | undefined): string[] {
  if (!value) return [];
  return [...value.matchAll(/<([^<>\s]+@[^<>\s]+)>/g)].map((m) => m[1]!);
}

/** Hints from the header block of an enclosed original message (message/rfc822 or text/rfc822-headers). */
function originalHints(headers: HeaderField[]): { addresses: string[]; messageIds: string[] } {
  return {
    addresses: [...addressesIn(field(headers, 'return-path')), ...addressesIn(field(headers, 'list-unsubscribe'))],
    messageIds: messageIdsIn(field(headers, 'message-id')),
  };
}

function enclosedHints(root: MimePart): { addresses: string[]; messageIds: string[] } {
  const hints = { addresses: [] as string[], messageIds: [] as string[] };
  for (const part of allParts(root)) {
    if (part.type === 'message/rfc822' || part.type === 'text/rfc822-headers' || part.type === 'message/rfc822-headers') {
      const inner = part.type === 'message/rfc822' && /base64|quoted-printable/i.test(field(part.headers, 'content-transfer-encoding') ?? '') ? decodedBody(part) : part.body;
      const h = originalHints(parseHeaderFields(splitHeaderBody(inner).head));
      hints.addresses.push(...h.addresses);
      hints.messageIds.push(...h.messageIds);
    }
  }
  return hints;
}

/**
 * An auto-response by RFC 3834's marks (`Auto-Submitted` other than `no`) or the common older ones
 * (X-Autoreply, Precedence: auto_reply, Exchange's X-Auto-Response-Suppress with an out-of-office subject).
 */
function autoReplyReason(headers: HeaderField[]): string | null {
  const autoSubmitted = field(headers, 'auto-submitted');
  if (autoSubmitted && autoSubmitted.toLowerCase() !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  if (field(headers, 'x-autoreply') || field(headers, 'x-autorespond')) return 'X-Autoreply';
  const precedence = field(headers, 'precedence')?.toLowerCase();
  if (precedence === 'auto_reply') return 'Precedence: auto_reply';
  const subject = field(headers, 'subject') ?? '';
  if (/^(out of (the )?office|automatic reply|auto(matic)?[ -]?reply|auto:|abwesenheitsnotiz|r[ée]ponse automatique)/i.test(subject)) return `subject "${subject.slice(0, 60)}"`;
  return null;
}

function bounceKind(status: string): 'hard-bounce' | 'soft-bounce' | null {
  if (status.startsWith('5.')) return 'hard-bounce';
  if (status.startsWith('4.')) return 'soft-bounce';
  return null;
}

function classifyDsn(report: MimePart, root: MimePart): Classification {
  const groups = fieldGroups(decodedBody(report));
  const recipients = groups.filter((g) => field(g, 'action') !== undefined || field(g, 'final-recipient') !== undefined);
  // One recipient per copy; if a report lists several, the failed one is what matters.
  const group = recipients.find((g) => field(g, 'action')?.toLowerCase() === 'failed') ?? recipients[0];
  const hints = enclosedHints(root);
  if (!group) return { kind: 'unknown', status: null, diagnostic: null, recipient: null, reason: 'delivery report without a recipient group', hints };
  const action = (field(group, 'action') ?? '').toLowerCase();
  const diagnostic = field(group, 'diagnostic-code') ?? null;
  const status = ENHANCED.exec(field(group, 'status') ?? '')?.[0] ?? ENHANCED.exec(diagnostic ?? '')?.[0] ?? null;
  const recipient = typedAddress(field(group, 'final-recipient') ?? field(group, 'original-recipient'));
  const base = { status, diagnostic, recipient, hints };
  if (action === 'delayed') return { kind: 'delayed', ...base, reason: 'delivery report: Action delayed (still being retried)' };
  if (action !== 'failed') return { kind: 'unknown', ...base, reason: `delivery report: Action ${action || 'missing'}` };
  const kind = status ? bounceKind(status) : null;
  if (!kind) return { kind: 'unknown', ...base, reason: `delivery report: failed without a usable Status (${status ?? 'none'})` };
  return { kind, ...base, reason: `delivery report: Action failed, Status ${status}` };
}

function classifyArf(report: MimePart, root: MimePart): Classification {
  const fields = fieldGroups(decodedBody(report)).flat();
  const type = (field(fields, 'feedback-type') ?? '').toLowerCase();
  const hints = enclosedHints(root);
  const originalFrom = typedAddress(field(fields, 'original-mail-from'));
  if (originalFrom) hints.addresses.unshift(originalFrom);
  const recipient = typedAddress(field(fields, 'original-rcpt-to'));
  if (type === 'abuse' || type === 'fraud') {
    return { kind: 'complaint', status: null, diagnostic: `Feedback-Type: ${type}`, recipient, reason: `complaint report (ARF), Feedback-Type ${type}`, hints };
  }
  return { kind: 'unknown', status: null, diagnostic: `Feedback-Type: ${type || 'missing'}`, recipient, reason: `feedback report of type ${type || 'missing'}`, hints };
}

/**
 * A bounce that is not an RFC 3464 report (some large mailbox providers still answer in plain text):
 * from the null sender or a mailer daemon, with an enhanced status code or an SMTP reply code in the text.
 */
function classifyPlainBounce(root: MimePart, envelopeFrom: string | null): Classification | null {
  const from = field(root.headers, 'from') ?? '';
  const daemon = envelopeFrom === '' || /mailer-daemon|postmaster|mail delivery/i.test(from);
  if (!daemon) return null;
  const text = allParts(root).filter((p) => p.type === 'text/plain').map(decodedBody).join('\n') || decodedBody(root);
  const enhanced = ENHANCED.exec(text)?.[0];
  const reply = /\b([45]\d\d)[ :-]/.exec(text)?.[1];
  const status = enhanced ?? (reply ? `${reply[0]}.0.0` : null);
  const kind = status ? bounceKind(status) : null;
  if (!kind || !status) return null;
  const line = text.split(/\r?\n/).find((l) => l.includes(enhanced ?? reply!))?.trim().slice(0, 300) ?? null;
  const hints = enclosedHints(root);
  const recipient = /<([^<>\s]+@[^<>\s]+)>/.exec(text)?.[1] ?? null;
  return { kind, status, diagnostic: line, recipient, reason: `plain-text bounce from a mailer daemon, ${enhanced ? 'status' : 'reply code'} ${enhanced ?? reply}`, hints };
}

/**
 * Classifies one received message: a delivery status notification (RFC 3464, inside an RFC 6522
 * multipart/report), a complaint (ARF, RFC 5965), an auto-reply (RFC 3834), a plain-text bounce, or,
 * for mail to a personal unsubscribe address, an unsubscribe request. Anything else is `unknown`.
 * Reports are recognised before auto-replies: a DSN is itself marked `Auto-Submitted: auto-replied`.
 *
 * @example
 * const c = classifyMessage(raw, { toUnsubscribe: false, envelopeFrom: '' });
 * if (c.kind === 'hard-bounce') console.log(c.status, c.diagnostic);
 */
export function classifyMessage(raw: string, context: { toUnsubscribe: boolean; envelopeFrom: string | null }): Classification {
  const root = parseMime(raw);
  const parts = allParts(root);
  const dsn = parts.find((p) => p.type === 'message/delivery-status' || p.type === 'message/global-delivery-status');
  if (dsn) return classifyDsn(dsn, root);
  const arf = parts.find((p) => p.type === 'message/feedback-report');
  if (arf) return classifyArf(arf, root);
  const auto = autoReplyReason(root.headers);
  const hints = originalHints(root.headers);
  const none = { status: null, diagnostic: null, recipient: null };
  if (auto) return { kind: 'auto-reply', ...none, reason: `auto-reply (${auto})`, hints: { addresses: [], messageIds: hints.messageIds } };
  const plain = classifyPlainBounce(root, context.envelopeFrom);
  if (plain) return plain;
  if (context.toUnsubscribe) {
    return { kind: 'unsubscribe', ...none, recipient: null, reason: 'mail to a personal unsubscribe address', hints: { addresses: [], messageIds: [] } };
  }
  return { kind: 'unknown', ...none, reason: 'not a report, an auto-reply or an unsubscribe request', hints: { addresses: [], messageIds: [] } };
}
