import type { Config, Publisher } from '../content/index.ts';
import type { RenderedEmail } from '../render/types.ts';
// The one escaper the web pages use too.
import { escapeHtml } from '../html/index.ts';

/** A newsletter as the transactional mails show it. */
export interface NewsletterSummary {
  id: string;
  name: string;
  description: string;
  /** "every day at 6:00 a.m. Eastern" (describeSchedule). */
  cadence: string;
  schedule: { cron: string; timezone: string; localTime?: string };
}

export interface ConfirmationProps {
  publisher: Publisher;
  newsletters: NewsletterSummary[];
  confirmUrl: string;
  signUpUrl: string;
  /** The reader's preference page ("Manage your subscriptions"). */
  manageUrl: string;
}

export interface WelcomeProps {
  publisher: Publisher;
  newsletters: NewsletterSummary[];
  firstName: string | null;
  /**
   * The reader's unsubscribe URL for each newsletter welcomed, keyed by newsletter id: a link is found by
   * the newsletter it names, never by position, so no ordering of `newsletters` can pair a name with
   * another newsletter's link.
   */
  unsubscribeUrls: Readonly<Record<string, string>>;
  unsubscribeAllUrl: string;
  signUpUrl: string;
  /** The reader's preference page ("Manage your subscriptions"). */
  manageUrl: string;
}

export interface UnsubscribedProps {
  publisher: Publisher;
  newsletters: NewsletterSummary[];
  /** One click (then one button) subscribes them again: a confirm link for the same newsletters. */
  resubscribeUrl: string;
  signUpUrl: string;
  /** What this address still receives. */
  stillSubscribed: NewsletterSummary[];
  /** The reader's preference page ("Manage your subscriptions"). */
  manageUrl: string;
}

/** What the audience code needs to render its three mails; the wiring plugs in the template registry. */
export interface TransactionalTemplates {
  confirmation(props: ConfirmationProps): Promise<RenderedEmail>;
  welcome(props: WelcomeProps): Promise<RenderedEmail>;
  unsubscribed(props: UnsubscribedProps): Promise<RenderedEmail>;
}

/** What the audience code needs to send mail (the delivery Mailer satisfies it). */
export interface ConfirmationMailer {
  send(message: { to: string; subject: string; html: string; text: string; headers?: Record<string, string> }): Promise<unknown>;
}

export type MailContext = { config: Config };

const esc = escapeHtml;

function page(lang: string, title: string, body: string): string {
  return `<!doctype html><html lang="${esc(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title></head><body style="margin:0;padding:24px;background:#ffffff;color:#1a1a1a;font-family:Georgia,serif;font-size:16px;line-height:1.5"><div style="max-width:560px;margin:0 auto">${body}</div></body></html>`;
}

const list = (newsletters: NewsletterSummary[]) => newsletters.map((n) => n.name).join(' and ');

/**
 * Plain fallbacks for the three transactional mails, used when the template registry is not
 * wired in. Deliberately simple; the designed ones live in templates/.
 */
export const fallbackTemplates: TransactionalTemplates = {
  async confirmation({ publisher, newsletters, confirmUrl, manageUrl }) {
    const subject = `Confirm your subscription to ${list(newsletters)}`;
    const html = page('en', subject, `<h1 style="font-size:22px">Please confirm your subscription</h1>
<p>Someone, hopefully you, asked to receive ${esc(list(newsletters))} from ${esc(publisher.name)}.</p>
<p><a href="${esc(confirmUrl)}" style="display:inline-block;padding:12px 20px;background:#0b5cad;color:#ffffff;text-decoration:none;border-radius:4px">Yes, subscribe me</a></p>
<p style="font-size:14px;color:#555555">If it wasn't you, ignore this email: you won't hear from us again. The link works for 7 days.</p>
<p style="font-size:12px;color:#555555"><a href="${esc(manageUrl)}">Manage your subscriptions</a></p>
<p style="font-size:12px;color:#555555">${esc(publisher.postalAddress)}</p>`);
    const text = `Please confirm your subscription\n\nSomeone, hopefully you, asked to receive ${list(newsletters)} from ${publisher.name}.\n\nConfirm: ${confirmUrl}\n\nIf it wasn't you, ignore this email: you won't hear from us again. The link works for 7 days.\n\nManage your subscriptions: ${manageUrl}\n\n${publisher.postalAddress}\n`;
    return { subject, html, text };
  },
  async welcome({ publisher, newsletters, firstName, unsubscribeUrls, unsubscribeAllUrl, manageUrl }) {
    const subject = `Welcome to ${list(newsletters)}`;
    const hello = firstName ? `Welcome, ${firstName}!` : 'Welcome!';
    const items = newsletters.map((n) => ({ n, url: unsubscribeUrls[n.id] ?? unsubscribeAllUrl }));
    const html = page('en', subject, `<h1 style="font-size:22px">${esc(hello)}</h1>
<p>You're subscribed. Here is what to expect:</p>
<ul>${items.map(({ n, url }) => `<li><strong>${esc(n.name)}</strong>, ${esc(n.cadence)}. ${esc(n.description)} <a href="${esc(url)}">Unsubscribe</a></li>`).join('')}</ul>
<p style="font-size:14px"><a href="${esc(unsubscribeAllUrl)}">Unsubscribe from everything</a> · <a href="${esc(manageUrl)}">Manage your subscriptions</a></p>
<p style="font-size:12px;color:#555555">${esc(publisher.name)}, ${esc(publisher.postalAddress)}</p>`);
    const text = `${hello}\n\nYou're subscribed. Here is what to expect:\n\n${items.map(({ n, url }) => `- ${n.name}, ${n.cadence}. ${n.description}\n  Unsubscribe: ${url}`).join('\n')}\n\nUnsubscribe from everything: ${unsubscribeAllUrl}\nManage your subscriptions: ${manageUrl}\n\n${publisher.name}, ${publisher.postalAddress}\n`;
    return { subject, html, text };
  },
  async unsubscribed({ publisher, newsletters, resubscribeUrl, manageUrl }) {
    const subject = `You've unsubscribed from ${list(newsletters)}`;
    const html = page('en', subject, `<h1 style="font-size:22px">You're unsubscribed</h1>
<p>You won't receive ${esc(list(newsletters))} any more. This is the last email about it.</p>
<p>Changed your mind? <a href="${esc(resubscribeUrl)}">Subscribe again</a> (the link works for 7 days), or <a href="${esc(manageUrl)}">manage your subscriptions</a>.</p>
<p style="font-size:12px;color:#555555">${esc(publisher.name)}, ${esc(publisher.postalAddress)}</p>`);
    const text = `You're unsubscribed\n\nYou won't receive ${list(newsletters)} any more. This is the last email about it.\n\nChanged your mind? Subscribe again (the link works for 7 days): ${resubscribeUrl}\nManage your subscriptions: ${manageUrl}\n\n${publisher.name}, ${publisher.postalAddress}\n`;
    return { subject, html, text };
  },
};
