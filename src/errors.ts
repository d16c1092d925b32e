/**
 * One table of error codes, after nodemailer's lib/errors.js: every error Daybreak throws on purpose
 * carries a `code` from here, so the CLI can map it to an exit status and the web app to an HTTP status
 * without matching on messages.
 */
export const ERROR_CODES = {
  EUSAGE: 'Bad command-line usage',
  ECONFIG: 'Invalid configuration',
  EDATA: 'Invalid article or edition data',
  ENOEDITION: 'The newsletter does not go out on that date',
  ETEMPLATE: 'A template failed to render or compile',
  EDELIVERY: 'A message could not be delivered',
  EPOLICY: 'The mail server refused messages for policy reasons',
  ELOCKED: 'Another process holds this edition',
  EINPUT: 'Invalid input',
  ENOTFOUND: 'Not found',
  ETOKEN: 'Invalid or expired token',
  EIO: 'A file or folder could not be written',
  EBUSY: 'The database is locked by another process',
  ESTORAGE: 'The database could not be read or written',
  ESOURCE: 'A feed or CMS source could not be read',
  ENOKEY: 'There is no token key yet and this command may not make one',
  ECHECK: 'The edition failed the pre-send checks',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * The error type for everything Daybreak reports to a person.
 *
 * @example
 * throw new DaybreakError('EDATA', 'data/articles/x.json: [3].url: Invalid URL', { details: lines });
 */
export class DaybreakError extends Error {
  readonly code: ErrorCode;
  /** One line per problem, for errors that collect several (bad data reports every problem at once). */
  readonly details: string[];

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: string[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DaybreakError';
    this.code = code;
    this.details = options.details ?? [];
  }
}

export function isDaybreakError(error: unknown, code?: ErrorCode): error is DaybreakError {
  return error instanceof DaybreakError && (code === undefined || error.code === code);
}
