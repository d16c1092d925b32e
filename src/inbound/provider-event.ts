import type { ProviderEvent } from './inbound-processor.ts';

/** What a webhook's check and parse give: the events to apply, or why the request is refused. */
export type WebhookOutcome =
  | { ok: true; events: Omit<ProviderEvent, 'raw'>[]; note?: string }
  | { ok: false; status: 400 | 401; message: string };

/** Reads a request header by name (case-insensitive), as the web layer provides it. */
export type HeaderLookup = (name: string) => string | null | undefined;

/** `<id@host>` or `id@host` → `id@host`, or null. */
export function bareMessageId(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /<?([^<>\s]+@[^<>\s]+)>?/.exec(value);
  return m ? m[1]! : null;
}

/** The enhanced status code (RFC 3463) in a text, or null. */
export function enhancedStatus(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return /\b[245]\.\d{1,3}\.\d{1,3}\b/.exec(value)?.[0] ?? null;
}

export const refused = (message: string): WebhookOutcome => ({ ok: false, status: 401, message });
export const malformed = (message: string): WebhookOutcome => ({ ok: false, status: 400, message });
