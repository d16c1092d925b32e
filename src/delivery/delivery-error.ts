import { DaybreakError } from '../errors.ts';

/** What the sender does with a failed copy. */
export type FailureKind = 'transient' | 'permanent' | 'bounce' | 'policy';

/**
 * A copy that could not be delivered, with what the SMTP server said. The fields follow nodemailer's
 * errors: `responseCode` (the reply's three digits), `command` (the SMTP command that got it), `code`
 * (nodemailer's ECONNECTION, ETIMEDOUT, EENVELOPE, EMESSAGE…) kept as `smtpCode`.
 */
export class DeliveryError extends DaybreakError {
  readonly permanent: boolean;
  readonly responseCode: number | undefined;
  readonly command: string | undefined;
  readonly smtpCode: string | undefined;
  readonly kind: FailureKind;
  /** The server's reply (or the error message when there was none), for the ledger's last_reply. */
  readonly response: string;

  constructor(message: string, options: {
    cause?: unknown;
    responseCode?: number;
    command?: string;
    smtpCode?: string;
    response?: string;
    kind: FailureKind;
  }) {
    super(options.kind === 'policy' ? 'EPOLICY' : 'EDELIVERY', message, { cause: options.cause });
    this.name = 'DeliveryError';
    this.kind = options.kind;
    this.permanent = options.kind === 'permanent' || options.kind === 'bounce' || (options.kind === 'policy' && (options.responseCode ?? 0) >= 500);
    this.responseCode = options.responseCode;
    this.command = options.command;
    this.smtpCode = options.smtpCode;
    this.response = options.response ?? message;
  }
}

interface SmtpLikeError {
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/** The enhanced status code (RFC 3463) at the start of a reply text, e.g. "5.1.1". */
function enhancedStatus(response: string): string | null {
  const match = /^\d{3}[ -](\d\.\d{1,3}\.\d{1,3})\b/.exec(response) ?? /(?:^|\s)([245]\.\d{1,3}\.\d{1,3})\b/.exec(response);
  return match?.[1] ?? null;
}

/**
 * Classifies a failed send, from `responseCode` first and then `code`:
 * - 5.1.x (bad mailbox: 5.1.1 no such user, 5.1.10 null MX…) → `bounce`: failed, and the subscriber is
 *   marked bounced so no later edition is sent to them;
 * - 5.7.x / 4.7.x (policy, authentication, rate) → `policy`: the subscriber is kept, the run pauses after
 *   delivery.maxPolicyErrors of them;
 * - any other 5xx → `permanent` (failed, never retried);
 * - 4xx, a dropped connection or a timeout, and anything unknown → `transient` (retried, then deferred).
 *   Unknown errors are retried rather than failed: a reader who would have been lost is worse than one
 *   whose copy waits.
 */
export function classifySmtpError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const e = (error ?? {}) as SmtpLikeError;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const response = (e.response ?? e.message ?? String(error)).replace(/[\r\n]+/g, ' ').trim();
  const status = enhancedStatus(response);
  let kind: FailureKind;
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 600) {
    if (status && /^[45]\.7\./.test(status)) kind = 'policy';
    else if (responseCode >= 500) kind = status?.startsWith('5.1.') ? 'bounce' : 'permanent';
    else kind = 'transient';
  } else {
    // No SMTP reply: ECONNECTION, ETIMEDOUT, ESOCKET, EDNS… a dropped connection or a timeout.
    kind = 'transient';
  }
  const message = responseCode !== undefined
    ? `${e.command ? `${e.command}: ` : ''}${response}`
    : `${e.code ?? 'Error'}: ${response}`;
  return new DeliveryError(message, {
    cause: error,
    responseCode,
    command: e.command,
    smtpCode: e.code,
    response: responseCode !== undefined ? response : `${e.code ?? 'Error'}: ${response}`,
    kind,
  });
}
