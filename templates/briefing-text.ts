// Inner modules rather than src/render/index.ts, so that importing a template file first (compact.tsx
// imports this one) does not enter the index → registry → templates/index.ts cycle half-way.
import { readerFieldValues } from '../src/render/reader-fields.ts';
import type { EditionProps } from '../src/render/types.ts';

/**
 * The plain-text part of the briefing, written from the view rather than converted from the HTML: every
 * headline with its URL on its own line, no word wrapping (links stay whole), per-reader values inserted
 * as whole strings so render-once substitution stays byte-identical.
 */
export function briefingText({ view, reader }: EditionProps): string {
  const fields = readerFieldValues(reader);
  const { lead } = view;
  const rule = '-'.repeat(40);
  const out: string[] = [];
  out.push(view.newsletter.name.toUpperCase(), view.longDate, '', fields.greeting, '');
  if (view.intro) out.push(view.intro, '');
  out.push('IN THIS EDITION', '');
  for (const entry of view.contents) out.push(`* ${entry.headline}`);
  out.push('', rule, '');
  out.push(lead.kicker.toUpperCase(), lead.headline, lead.url);
  if (lead.byline) out.push(lead.byline);
  out.push('');
  for (const p of lead.paragraphs) out.push(p, '');
  out.push(`Continue reading: ${lead.url}`, '');
  if (lead.author?.bio) out.push(`About the author: ${lead.author.bio}`, '');
  for (const item of view.items) {
    out.push(rule, '', item.kicker.toUpperCase(), item.headline, item.dek, item.url, '');
  }
  out.push(rule, '');
  out.push(`Forwarded this? ${view.signUp.linkText}: ${view.links.signUpUrl}`, view.signUp.pitch);
  out.push('');
  out.push(view.reason, `This email was sent to ${fields.email}.`);
  out.push(`Unsubscribe: ${fields.unsubscribeUrl}`);
  out.push(`View in your browser: ${view.links.viewInBrowserUrl}`, '');
  out.push(view.publisher.postalAddress, '');
  return out.join('\n');
}
