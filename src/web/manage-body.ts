import { z } from 'zod';
import { NameSchema, type PreferenceForm } from '../audience/index.ts';
import { HttpError } from './http-error.ts';
import type { ParsedBody } from './read-body.ts';

const SECTIONS_PREFIX = 'sections.';

const ids = (what: string) =>
  z
    .array(z.string({ error: `${what} must be text.` }).max(200, { error: `A ${what.toLowerCase()} name is too long.` }), { error: `${what} must be a list.` })
    .max(50, { error: `Too many ${what.toLowerCase()}.` });

const ManageBodySchema = z.strictObject(
  {
    token: z.string({ error: 'The link is missing its token.' }).max(512),
    newsletters: ids('Newsletters').default([]),
    sections: z.record(z.string().max(100), ids('Sections')).default({}),
    name: NameSchema.optional(),
    timezone: z.string({ error: 'The timezone must be text.' }).max(100, { error: 'The timezone is too long.' }).optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `Unknown field "${issue.keys[0]}" (fields: token, newsletters, sections.<newsletter-id>, name, timezone)` : undefined) },
);

/**
 * The preference page's POST, form or JSON with the same names: `token`, `newsletters` (repeated),
 * `sections.<newsletter-id>` (repeated), `name`, `timezone`. A JSON string where a list is expected
 * counts as a list of one, as a form with one ticked box sends one value. The timezone is checked as
 * an IANA name by the audience (Audience.updateManage), with the newsletters and sections.
 *
 * @example
 * const { token, form } = parseManageBody(await readBody(request), url.searchParams.get('token'));
 */
export function parseManageBody(body: ParsedBody, queryToken: string | undefined): { token: string; form: PreferenceForm } {
  const candidate: Record<string, unknown> = {};
  const sections: Record<string, unknown> = {};
  const entries: [string, unknown][] =
    body.kind === 'json'
      ? typeof body.value === 'object' && body.value !== null && !Array.isArray(body.value)
        ? Object.entries(body.value)
        : (() => {
            throw new HttpError(400, 'The JSON body must be an object like {"token": "…", "newsletters": ["morning"]}.');
          })()
      : [...body.fields.entries()].map(([k, v]) => [k, k === 'newsletters' || k.startsWith(SECTIONS_PREFIX) ? v : v[0]]);
  const list = (v: unknown) => (typeof v === 'string' ? [v] : v);
  for (const [k, v] of entries) {
    if (k.startsWith(SECTIONS_PREFIX)) sections[k.slice(SECTIONS_PREFIX.length)] = list(v);
    else if (k === 'newsletters') candidate[k] = list(v);
    else candidate[k] = v;
  }
  if (Object.keys(sections).length > 0) candidate.sections = sections;
  if (candidate.token === undefined && queryToken !== undefined) candidate.token = queryToken;
  const result = ManageBodySchema.safeParse(candidate);
  if (!result.success) throw new HttpError(400, result.error.issues[0]!.message);
  const { token, newsletters, name, timezone } = result.data;
  // Checked (and canonicalized) with the rest of the form by the audience, so the page can come back
  // with the message beside what is stored.
  const zone = timezone === undefined ? undefined : timezone.trim() === '' ? null : timezone.trim();
  const trimmedName = name === undefined ? undefined : name === null || name.trim() === '' ? null : name.trim();
  return {
    token,
    form: {
      newsletters: [...new Set(newsletters)],
      sections: result.data.sections,
      ...(trimmedName !== undefined ? { name: trimmedName } : {}),
      ...(zone !== undefined ? { timezone: zone } : {}),
    },
  };
}
