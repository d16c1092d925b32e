/**
 * The header fields every DKIM signature of ours covers, each listed once more than it occurs
 * ("oversigning", RFC 6376 §8.15 and §5.4.2): a field named in h= that the message lacks, or lacks a
 * further instance of, is signed as empty, so a second Subject or a List-Unsubscribe added on the way
 * breaks the signature instead of riding on it. List-Unsubscribe-Post must be covered for RFC 8058
 * one-click unsubscribe (RFC 8058 §4).
 */
export const DKIM_OVERSIGNED_HEADERS = [
  'from',
  'to',
  'subject',
  'date',
  'message-id',
  'reply-to',
  'list-id',
  'list-unsubscribe',
  'list-unsubscribe-post',
] as const;

/** Signed as they occur, without an extra instance (they describe the body and sender, not the reader). */
export const DKIM_SIGNED_HEADERS = ['mime-version', 'content-type', 'feedback-id', 'auto-submitted'] as const;

/**
 * The h= list for a message with these header field names (in any case, repeats included): every
 * oversigned field as many times as it occurs plus one, then the other signed fields present.
 *
 * @example
 * dkimHeaderList(['From', 'To', 'Subject']) // ['from', 'from', 'to', 'to', 'subject', 'subject', 'date', …]
 */
export function dkimHeaderList(present: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const name of present) counts.set(name.toLowerCase(), (counts.get(name.toLowerCase()) ?? 0) + 1);
  const list: string[] = [];
  for (const name of DKIM_OVERSIGNED_HEADERS) for (let i = 0; i <= (counts.get(name) ?? 0); i++) list.push(name);
  for (const name of DKIM_SIGNED_HEADERS) for (let i = 0; i < (counts.get(name) ?? 0); i++) list.push(name);
  return list;
}

/** The signature timestamp (t=, RFC 6376 §3.5): whole seconds since the epoch. */
export function dkimTimestamp(now: Date = new Date()): number {
  return Math.floor(now.getTime() / 1000);
}
