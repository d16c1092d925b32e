import { createElement, type ReactElement, type ReactNode } from 'react';
// Inner modules, not src/render/index.ts: that index loads the registry, which loads the templates.
import { renderReactEmail } from '../src/render/react-engine.ts';
import type { RenderedEmail, TransactionalTemplate } from '../src/render/types.ts';
import { Body, Container, Head, Hr, Html, Img, Link, Preview, Section, Text } from '../src/render/email-components.ts';
import { describeSchedule, DEFAULT_BRAND_COLORS, NEUTRALS, type Brand, type ScheduleLike } from '../src/content/index.ts';

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
  /** `publisher.brand` resolved (resolveBrand): logo, colours, fonts. Daybreak's defaults without it. */
  brand?: Brand;
}

/** The colours of these emails: the brand's light scheme (they declare `color-scheme: light` only). */
export function transactionalColors(brand?: Brand) {
  const c = brand?.light;
  return {
    page: c?.page ?? NEUTRALS.light.page,
    card: c?.paper ?? NEUTRALS.light.paper,
    ink: c?.ink ?? NEUTRALS.light.ink,
    muted: c?.muted ?? NEUTRALS.light.muted,
    accent: c?.accent ?? DEFAULT_BRAND_COLORS.accentColor,
    link: c?.link ?? DEFAULT_BRAND_COLORS.linkColor,
    buttonText: c?.onAccent ?? '#ffffff',
    rule: c?.rule ?? NEUTRALS.light.rule,
  };
}

const sansFamily = "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

/**
 * The shared styles in the publisher's brand: heading font, accent for the button and the name line,
 * link colour for links.
 *
 * @example
 * const styles = transactionalStyles(props.publisher);
 */
export function transactionalStyles(publisher: PublisherSummary) {
  const colors = transactionalColors(publisher.brand);
  const fontFamily = publisher.brand?.headingFontFamily ?? "Georgia, 'Times New Roman', Times, serif";
  return {
  heading: { fontFamily, fontSize: '24px', lineHeight: '30px', color: colors.ink, margin: '0 0 16px', fontWeight: 'bold' },
  text: { fontFamily: sansFamily, fontSize: '16px', lineHeight: '24px', color: colors.ink, margin: '0 0 16px' },
  small: { fontFamily: sansFamily, fontSize: '13px', lineHeight: '20px', color: colors.muted, margin: '0 0 8px' },
  link: { color: colors.link, textDecoration: 'underline', overflowWrap: 'break-word', wordWrap: 'break-word' },
  // A URL shown as text has no spaces to wrap at: let it break anywhere, or a phone scrolls sideways.
  url: { color: colors.link, textDecoration: 'underline', wordBreak: 'break-all', overflowWrap: 'anywhere' },
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
  colors,
  } as const;
}

export function TransactionalLayout(props: {
  lang: string;
  /** The document title (the subject): shown by clients that open the mail in a browser tab, read by screen readers. */
  title: string;
  preheader: string;
  publisher: PublisherSummary;
  /** Why the reader got this email, shown small above the address. */
  footer: string;
  children: ReactNode;
}) {
  const styles = transactionalStyles(props.publisher);
  const { colors } = styles;
  const logo = props.publisher.brand?.logo;
  return (
    <Html lang={props.lang} dir="ltr">
      <Head>
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <meta name="supported-color-schemes" content="light" />
        <title>{props.title}</title>
        {/* iOS Mail's own links on dates and addresses keep the text's look. */}
        <style>{'a[x-apple-data-detectors]{color:inherit!important;text-decoration:none!important;font-size:inherit!important;font-family:inherit!important;font-weight:inherit!important;line-height:inherit!important}'}</style>
      </Head>
      <Body style={{ backgroundColor: colors.page, color: colors.ink, margin: '0', padding: '24px 0' }}>
        <Preview>{props.preheader}</Preview>
        <Container style={{ maxWidth: '560px', width: '100%', backgroundColor: colors.card, color: colors.ink, padding: '32px 28px' }}>
          {logo ? (
            <Img src={logo.url} alt={logo.alt} width={logo.width} height={logo.height} style={{ display: 'block', border: 0, height: 'auto', maxWidth: '100%', margin: '0 0 24px' }} />
          ) : (
            <Text style={{ ...styles.small, color: colors.accent, fontWeight: 'bold', letterSpacing: '0.04em', textTransform: 'uppercase', margin: '0 0 20px' }}>
              {props.publisher.name}
            </Text>
          )}
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
export function NewsletterBlock({ newsletter, withSchedule, children, publisher }: { newsletter: NewsletterSummary; withSchedule?: boolean; children?: ReactNode; publisher: PublisherSummary }) {
  const styles = transactionalStyles(publisher);
  const { colors } = styles;
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
export function ManageLink(props: { url?: string | undefined; publisher: PublisherSummary }) {
  if (!props.url) return null;
  const styles = transactionalStyles(props.publisher);
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
