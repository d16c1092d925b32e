// Inner modules rather than src/render/index.ts, so that importing a template file first (compact.tsx
// imports this one) does not enter the index → registry → templates/index.ts cycle half-way.
import { readerFieldValues } from '../src/render/reader-fields.ts';
import type { ArticleView, EditionProps } from '../src/render/types.ts';

/**
 * The plain-text part of the briefing, written from the view rather than converted from the HTML: every
 * headline with its URL on its own line, no word wrapping (links stay whole), per-reader values inserted
 * as whole strings so render-once substitution stays byte-identical. Same order as the HTML: lead first,
 * the short contents list, the numbered items under their sections (the sponsor after the third story),
 * then the numbers and the quote.
 */
export function briefingText({ view, reader }: EditionProps): string {
  const fields = readerFieldValues(reader);
  const { lead } = view;
  const rule = '-'.repeat(40);
  const out: string[] = [];
  const sponsor = (): void => {
    const sp = view.sponsor!;
    out.push(rule, '', `${sp.label.toUpperCase()}`, sp.headline, sp.text, `Learn more: ${sp.url}`, '');
  };
  const item = (a: ArticleView): void => {
    out.push(a.kicker.toUpperCase(), `${a.number}. ${a.headline}`, a.dek);
    if (a.why) out.push(`Why it matters: ${a.why}`);
    out.push(a.url, '');
    if (view.sponsor?.afterNumber === a.number) sponsor();
  };
  out.push(`${view.longDate} · View in your browser: ${view.links.viewInBrowserUrl}`, '');
  out.push(view.newsletter.name.toUpperCase(), view.readingTime.label, '', fields.greeting, '');
  if (view.intro) out.push(view.intro, '');
  out.push(rule, '');
  out.push(lead.kicker.toUpperCase(), `${lead.number}. ${lead.headline}`, lead.url);
  if (lead.paragraphs[0] !== lead.dek) out.push(lead.dek);
  if (lead.byline) out.push(lead.byline);
  out.push('');
  for (const p of lead.paragraphs) out.push(p, '');
  if (lead.why) out.push(`Why it matters: ${lead.why}`, '');
  out.push(`Continue reading: ${lead.url}`, '');
  if (lead.author?.bio) out.push(`About the author: ${lead.author.bio}`, '');
  if (view.sponsor?.afterNumber === lead.number) sponsor();
  if (view.contents.length > 0) {
    out.push('IN THIS EDITION', '');
    for (const entry of view.contents) out.push(`${entry.number}. ${entry.headline}`);
    if (view.contentsMore > 0) out.push(`…and ${view.contentsMore} more below.`);
    out.push('');
  }
  for (const section of view.sections) {
    out.push(rule, '');
    if (section.heading) out.push(`== ${section.heading.toUpperCase()} ==`, '');
    for (const a of section.items) item(a);
  }
  if (view.numbers.length > 0) {
    out.push(rule, '', 'BY THE NUMBERS', '');
    for (const n of view.numbers) out.push(`${n.figure}: ${n.text}`);
    out.push('');
  }
  if (view.quote) {
    out.push(rule, '', 'QUOTE OF THE DAY', '', `“${view.quote.text}”`);
    if (view.quote.by) out.push(`— ${view.quote.by}`);
    out.push('');
  }
  out.push(rule, '');
  out.push(`Forwarded this? ${view.signUp.linkText}: ${view.links.signUpUrl}`, view.signUp.pitch);
  out.push('');
  out.push(view.reason, `This email was sent to ${fields.email}.`);
  out.push(`Unsubscribe: ${fields.unsubscribeUrl}`);
  out.push(`Manage your subscriptions: ${fields.manageUrl}`);
  out.push(`View in your browser: ${view.links.viewInBrowserUrl}`, '');
  out.push(view.publisher.postalAddress, '');
  return out.join('\n');
}
