/**
 * The one HTTP error type. Route code throws it (or a DaybreakError from the domain); the app's single
 * error handler turns either into a page or a JSON answer. Domain code never sees this class.
 */
export class HttpError extends Error {
  readonly status: 400 | 403 | 404 | 405 | 413 | 415 | 429 | 500 | 503;
  /** Extra response headers, e.g. Retry-After on a 429. */
  readonly headers: Record<string, string>;

  constructor(status: HttpError['status'], message: string, options: { headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.headers = options.headers ?? {};
  }
}
