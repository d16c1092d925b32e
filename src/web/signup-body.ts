import { z } from 'zod';
import { canonicalTimezone, EmailSchema, NameSchema, unknownTimezoneMessage } from '../audience/index.ts';
import { HttpError } from './http-error.ts';
import type { ParsedBody } from './read-body.ts';
import { HONEYPOT_FIELD } from './pages.ts';

const SourceSchema = z
  .string()
  .max(500)
  .refine((s) => !/[\r\n<>]/.test(s))
  .optional()
  .catch(undefined);

/** The sign-up body, the same for the form and JSON: `{ email, name?, newsletters?: [id] }`. */
export const SignUpBodySchema = z.object({
  email: EmailSchema,
  name: NameSchema.optional(),
  newsletters: z
    .array(z.string({ error: 'Newsletter ids must be text.' }), { error: 'newsletters must be a list of newsletter ids.' })
    .max(50, { error: 'Too many newsletters.' })
    .optional(),
  /** The honeypot: anything in it means a bot. */
  [HONEYPOT_FIELD]: z.unknown().optional(),
  /** The page the form sits on (consent record); optional and never trusted for anything else. */
  source: SourceSchema,
  /** Present on our own form: no newsletter ticked means "none", not "the default". */
  choose: z.unknown().optional(),
  /**
   * The browser's IANA zone (the form's script fills it in): where a local-time newsletter finds the
   * reader's morning. Empty means none; anything else must be an IANA name.
   */
  timezone: z
    .string({ error: 'The timezone must be text.' })
    .max(100, { error: 'The timezone is too long.' })
    .transform((value, ctx) => {
      if (value.trim() === '') return null;
      const zone = canonicalTimezone(value.trim());
      if (zone === null) {
        ctx.issues.push({ code: 'custom', input: value, message: unknownTimezoneMessage(value) });
        return z.NEVER;
      }
      return zone;
    })
    .optional(),
});

export type SignUpBody = z.infer<typeof SignUpBodySchema>;

/** Form fields or a JSON object → the candidate object the schema checks. */
export function signUpCandidate(body: ParsedBody): Record<string, unknown> {
  if (body.kind === 'json') {
    if (typeof body.value !== 'object' || body.value === null || Array.isArray(body.value)) {
      throw new HttpError(400, 'The JSON body must be an object like {"email": "you@example.com"}.');
    }
    return body.value as Record<string, unknown>;
  }
  const one = (key: string) => body.fields.get(key)?.[0];
  const candidate: Record<string, unknown> = {};
  for (const key of ['email', 'name', 'source', 'choose', 'timezone', HONEYPOT_FIELD]) {
    const value = one(key);
    if (value !== undefined) candidate[key] = value;
  }
  if (body.fields.has('newsletters')) candidate.newsletters = body.fields.get('newsletters');
  return candidate;
}

/**
 * True when the honeypot field holds anything: a bot. Checked BEFORE validation, so a bot that also sent
 * a bad address gets the normal answer rather than a 400 telling it what to fix.
 */
export function honeypotFilled(candidate: Record<string, unknown>): boolean {
  const value = candidate[HONEYPOT_FIELD];
  return value !== undefined && value !== '';
}

/** Validates; the first problem becomes a 400 with its person-readable message. */
export function parseSignUp(candidate: Record<string, unknown>): SignUpBody {
  const result = SignUpBodySchema.safeParse(candidate);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path[0];
  if (field === 'email' && candidate.email === undefined) throw new HttpError(400, 'Please enter your email address.');
  if (field === 'email' && typeof candidate.email !== 'string') throw new HttpError(400, 'The email address must be text.');
  throw new HttpError(400, issue.message);
}
