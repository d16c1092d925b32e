import { randomBytes } from 'node:crypto';
import type { Config, Newsletter } from '../content/index.ts';
import type { PersonalizableEdition, Reader } from '../designs/index.ts';
import { archiveEditionHtml } from './archive-page.ts';

/** An edition's web copy, as it went out. */
export interface ArchivedEdition {
  newsletter: string;
  date: string;
  subject: string;
  /** The public page: the edition with no reader's data (archiveEditionHtml). */
  html: string;
  /** When its first copy went out (ISO 8601). */
  sentAt: string;
}

/**
 * The public web copy of an edition: rendered for a neutral reader whose address and unsubscribe link
 * are markers made up for this one copy (so no article text can contain them), which archiveEditionHtml
 * then turns into the web edition's own lines. What the archive keeps when the edition goes out.
 *
 * @example
 * await store.archive.keep(archiveCopy(rendered, newsletter, config, date, new Date()));
 */
export function archiveCopy(rendered: PersonalizableEdition, newsletter: Newsletter, config: Config, date: string, sentAt: Date): ArchivedEdition {
  const nonce = randomBytes(12).toString('hex');
  const emailMarker = `daybreak-archive-reader-${nonce}`;
  const unsubscribeMarker = `https://daybreak.invalid/archive-unsubscribe-${nonce}`;
  const reader: Reader = { email: emailMarker, firstName: null, unsubscribeUrl: unsubscribeMarker };
  const copy = rendered.personalize(reader);
  const html = archiveEditionHtml(copy.html, {
    emailMarker,
    unsubscribeMarker,
    signUpUrl: rendered.view.links.signUpUrl,
    newsletterName: newsletter.name,
    viewInBrowserUrl: rendered.view.links.viewInBrowserUrl,
    archiveUrl: `${config.baseUrl.replace(/\/+$/, '')}/archive`,
    reason: rendered.view.reason,
  });
  return { newsletter: newsletter.id, date, subject: copy.subject, html, sentAt: sentAt.toISOString() };
}
