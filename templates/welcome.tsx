import { Link, Text } from '../src/render/email-components.ts';
import { describeSchedule } from '../src/content/index.ts';
// Inner modules, not src/render/index.ts: that index loads the registry, which loads this file, and an
// ESM cycle entered here would read this file's export before it exists.
import type { TransactionalTemplate } from '../src/render/types.ts';
import {
  NewsletterBlock,
  TransactionalLayout,
  joinNames,
  newsletterTextLines,
  transactionalStyles,
  type NewsletterSummary,
  type PublisherSummary,
  ManageLink,
  textFoot,
  transactionalTemplate,
} from './transactional-layout.tsx';

/** A confirmed newsletter with the reader's own unsubscribe link for it. */
export interface WelcomeNewsletter extends NewsletterSummary {
  /** The signed one-click unsubscribe link for this reader and newsletter. */
  unsubscribeUrl: string;
}

/**
 * Sent once a subscription is confirmed: what arrives and when, in the reader's terms ("every
 * day at 6:00 a.m. Eastern", from `describeSchedule`), and a way out of each newsletter.
 */
export interface WelcomeProps {
  publisher: PublisherSummary;
  /** The newsletters just confirmed (at least one). */
  newsletters: WelcomeNewsletter[];
  /** A page to manage every subscription of this address. */
  manageUrl?: string;
  /** Where past editions can be read, e.g. `{baseUrl}/archive/morning`. */
  archiveUrl?: string;
  /** The From address to add to contacts, e.g. "briefing@daybreak.example". */
  fromAddress?: string;
  /** `<html lang>`; default "en". */
  lang?: string;
}

export function WelcomeEmail(props: WelcomeProps) {
  const styles = transactionalStyles(props.publisher);
  return (
    <TransactionalLayout lang={props.lang ?? 'en'} title={welcomeSubject(props)} preheader={preheader(props)} publisher={props.publisher} footer={footer(props)}>
      <Text style={styles.heading}>Welcome to {joinNames(props.newsletters)}</Text>
      <Text style={styles.text}>You are subscribed. Here is what arrives, and when:</Text>
      {props.newsletters.map((n) => (
        <NewsletterBlock publisher={props.publisher} key={n.id} newsletter={n} withSchedule>
          <Text style={styles.newsletterLine}>
            <Link href={n.unsubscribeUrl} style={styles.link}>
              Unsubscribe from {n.name}
            </Link>
          </Text>
        </NewsletterBlock>
      ))}
      {props.fromAddress ? (
        <Text style={styles.text}>To be sure it reaches your inbox, add {props.fromAddress} to your contacts.</Text>
      ) : null}
      {props.archiveUrl ? (
        <Text style={styles.text}>
          Can't wait? <Link href={props.archiveUrl} style={styles.link}>Read past editions</Link>.
        </Text>
      ) : null}
      <ManageLink url={props.manageUrl} publisher={props.publisher} />
    </TransactionalLayout>
  );
}

export function welcomeSubject(props: Pick<WelcomeProps, 'newsletters'>): string {
  return `Welcome to ${joinNames(props.newsletters)}`;
}

function preheader(props: WelcomeProps): string {
  const first = props.newsletters[0];
  if (props.newsletters.length === 1 && first) return `You're in. ${first.name} arrives ${describeSchedule(first)}.`;
  return `You're in. Here is when each newsletter arrives.`;
}

function footer(props: WelcomeProps): string {
  return `You got this email because this address confirmed a subscription to ${joinNames(props.newsletters)}.`;
}

export function welcomeText(props: WelcomeProps): string {
  const out: string[] = [];
  out.push(`WELCOME TO ${joinNames(props.newsletters).toUpperCase()}`, '');
  out.push('You are subscribed. Here is what arrives, and when:', '');
  for (const n of props.newsletters) {
    out.push(...newsletterTextLines(n, true), `  Unsubscribe from ${n.name}: ${n.unsubscribeUrl}`, '');
  }
  if (props.fromAddress) out.push(`To be sure it reaches your inbox, add ${props.fromAddress} to your contacts.`, '');
  if (props.archiveUrl) out.push(`Can't wait? Read past editions: ${props.archiveUrl}`, '');
  if (props.manageUrl) out.push(`Manage your subscriptions: ${props.manageUrl}`, '');
  out.push(...textFoot(footer(props), props.publisher));
  return out.join('\n');
}

export const welcome: TransactionalTemplate<WelcomeProps> = transactionalTemplate({
  name: 'welcome',
  description: 'After confirmation: what arrives and when ("every day at 6:00 a.m. Eastern"), with unsubscribe links',
  Email: WelcomeEmail,
  subject: welcomeSubject,
  preheader,
  text: welcomeText,
});

export const renderWelcome = welcome.render;
