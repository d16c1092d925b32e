import { createElement, type ReactElement, type ReactNode } from 'react';
// Inner modules, not src/render/index.ts: that index loads the registry, which loads the templates.
import { renderReactEmail } from '../src/render/react-engine.ts';
import type { RenderedEmail, TransactionalTemplate } from '../src/render/types.ts';
import { Body, Container, Head, Hr, Html, Link, Preview, Section, Text } from '../src/render/email-components.ts';
import { describeSchedule, type ScheduleLike } from '../src/content/index.ts';

/**
 * The frame shared by the transactional emails (confirm-subscription, welcome, unsubscribed): one plain
 * column up to 560 px, explicit text AND background colours everywhere so dark-mode clients that invert
 * only one of them cannot leave dark text on a dark ground, a preheader, `lang`, and the publisher's
 * postal address at the foot.
 */

/** The parts of a newsletter these emails show; a `Newsletter` from the config fits as it is. */
export interface NewsletterSummary extends ScheduleLike {
  id: string;
  name: string;
  description?: string;
}

export interface PublisherSummary {
  name: string;
  postalAddress: string;
}

export const colors = {
  page: '#f4f1ea',
  card: '#ffffff',
  ink: '#1a1a1a',
  muted: '#555555',
  accent: '#0b4f6c',
  buttonText: '#ffffff',
  rule: '#d9d4c7',
};

export const fontFamily = "Georgia, 'Times New Roman', Times, serif";
const sansFamily = "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

export const styles = {
  heading: { fontFamily, fontSize: '24px', lineHeight: '30px', color: colors.ink, margin: '0 0 16px', fontWeight: 'bold' },
  text: { fontFamily: sansFamily, fontSize: '16px', lineHeight: '24px', color: colors.ink, margin: '0 0 16px' },
  small: { fontFamily: sansFamily, fontSize: '13px', lineHeight: '20px', color: colors.muted, margin: '0 0 8px' },
  // Long words (a newsletter name in a narrow column) may wrap rather than push the page wider.
  link: { color: colors.accent, textDecoration: 'underline', overflowWrap: 'break-word', wordWrap: 'break-word' },
  // A URL shown as text has no spaces to wrap at: let it break anywhere, or a phone scrolls sideways.
  url: { color: colors.accent, textDecoration: 'underline', wordBreak: 'break-all', overflowWrap: 'anywhere' },
  button: {
    backgroundColor: colors.accent,
    color: colors.buttonText,
    fontFamily: sansFamily,
    fontSize: '16px',
    fontWeight: 'bold',
    lineHeight: '20px',
    padding: '14px 24px',
    borderRadius: '4px',
    textDecoration: 'none',
  },
  newsletterName: { fontFamily, fontSize: '17px', lineHeight: '24px', color: colors.ink, margin: '0', fontWeight: 'bold' },
  newsletterLine: { fontFamily: sansFamily, fontSize: '15px', lineHeight: '22px', color: colors.muted, margin: '2px 0 0' },
} as const;

export function TransactionalLayout(props: {
  lang: string;
  preheader: string;
  publisher: PublisherSummary;
  /** Why the reader got this email, shown small above the address. */
  footer: string;
  children: ReactNode;
}) {
  return (
    <Html lang={props.lang} dir="ltr">
      <Head>
        <meta name="color-scheme" content="light" />
        <meta name="supported-color-schemes" content="light" />
      </Head>
      <Body style={{ backgroundColor: colors.page, color: colors.ink, margin: '0', padding: '24px 0' }}>
        <Preview>{props.preheader}</Preview>
        <Container style={{ maxWidth: '560px', width: '100%', backgroundColor: colors.card, color: colors.ink, padding: '32px 28px' }}>
          <Text style={{ ...styles.small, color: colors.accent, fontWeight: 'bold', letterSpacing: '0.04em', textTransform: 'uppercase', margin: '0 0 20px' }}>
            {props.publisher.name}
          </Text>
          {props.children}
          <Hr style={{ borderColor: colors.rule, margin: '28px 0 16px' }} />
          <Text style={styles.small}>{props.footer}</Text>
          <Text style={styles.small}>{props.publisher.postalAddress}</Text>
        </Container>
      </Body>
    </Html>
  );
}

/** One newsletter as a short block: name, description, and when it arrives when `withSchedule`. */
export function NewsletterBlock({ newsletter, withSchedule, children }: { newsletter: NewsletterSummary; withSchedule?: boolean; children?: ReactNode }) {
  return (
    <Section style={{ margin: '0 0 16px', padding: '0 0 0 14px', borderLeft: `3px solid ${colors.rule}` }}>
      <Text style={styles.newsletterName}>{newsletter.name}</Text>
      {newsletter.description ? <Text style={styles.newsletterLine}>{newsletter.description}</Text> : null}
      {withSchedule ? <Text style={styles.newsletterLine}>{capitalize(describeSchedule(newsletter))}</Text> : null}
      {children}
    </Section>
  );
}

/** "The Morning Briefing", "The Morning Briefing and The Good News Weekly", "A, B and C". */
export function joinNames(newsletters: NewsletterSummary[]): string {
  const names = newsletters.map((n) => n.name);
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Plain-text lines of the same newsletter block. */
export function newsletterTextLines(newsletter: NewsletterSummary, withSchedule: boolean): string[] {
  const lines = [`* ${newsletter.name}`];
  if (newsletter.description) lines.push(`  ${newsletter.description}`);
  if (withSchedule) lines.push(`  ${capitalize(describeSchedule(newsletter))}`);
  return lines;
}

/** The "Manage your subscriptions" line of welcome and unsubscribed, when the caller gives a manage URL. */
export function ManageLink(props: { url?: string | undefined }) {
  if (!props.url) return null;
  return (
    <Text style={styles.small}>
      <Link href={props.url} style={styles.link}>Manage your subscriptions</Link>
    </Text>
  );
}

/** The foot of every transactional text part: why the reader got it, then the postal address. */
export function textFoot(why: string, publisher: PublisherSummary): string[] {
  return ['--', why, publisher.postalAddress, ''];
}

/**
 * A transactional template from its parts, so the three emails assemble `{ subject, html, text,
 * preheader }` in one place: the React Email component for the HTML and plain functions for the rest.
 *
 * @example
 * export const welcome = transactionalTemplate({ name: 'welcome', description, Email: WelcomeEmail,
 *   subject: welcomeSubject, preheader, text: welcomeText });
 */
export function transactionalTemplate<P extends object>(spec: {
  name: string;
  description: string;
  Email: (props: P) => ReactElement;
  subject: (props: P) => string;
  preheader: (props: P) => string;
  text: (props: P) => string;
}): TransactionalTemplate<P> {
  return {
    name: spec.name,
    engine: 'react-email',
    kind: 'transactional',
    description: spec.description,
    async render(props: P): Promise<RenderedEmail> {
      return {
        subject: spec.subject(props),
        html: await renderReactEmail(createElement(spec.Email, props)),
        text: spec.text(props),
        preheader: spec.preheader(props),
      };
    },
  };
}
