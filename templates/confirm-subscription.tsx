import { Button, Section, Text, Link } from '../src/render/email-components.ts';
// Inner modules, not src/render/index.ts: that index loads the registry, which loads this file, and an
// ESM cycle entered here would read this file's export before it exists.
import type { TransactionalTemplate } from '../src/render/types.ts';
import {
  ManageLink,
  NewsletterBlock,
  TransactionalLayout,
  joinNames,
  newsletterTextLines,
  transactionalStyles,
  type NewsletterSummary,
  type PublisherSummary,
  textFoot,
  transactionalTemplate,
} from './transactional-layout.tsx';

/**
 * The double opt-in email. Deliberately takes NO name or other text the sign-up form
 * accepted: a stranger can type any address into the form, so anything typed there would let them mail
 * arbitrary words to that address under the publisher's name. Everything shown here comes from the config.
 */
export interface ConfirmSubscriptionProps {
  publisher: PublisherSummary;
  /** The newsletters the sign-up asked for (at least one). */
  newsletters: NewsletterSummary[];
  /** The signed confirmation link. */
  confirmUrl: string;
  /** How long the link works, in words ("7 days"); no sentence about it when absent. */
  expiresIn?: string;
  /** The address's preference page ("Manage your subscriptions"); no line when absent. */
  manageUrl?: string;
  /** `<html lang>`; default "en". */
  lang?: string;
}

export function ConfirmSubscriptionEmail(props: ConfirmSubscriptionProps) {
  const styles = transactionalStyles(props.publisher);
  const names = joinNames(props.newsletters);
  return (
    <TransactionalLayout lang={props.lang ?? 'en'} title={confirmSubscriptionSubject(props)} preheader={preheader()} publisher={props.publisher} footer={footer(props)}>
      <Text style={styles.heading}>Please confirm your subscription</Text>
      <Text style={styles.text}>
        This address was just signed up for {props.newsletters.length === 1 ? 'this newsletter' : 'these newsletters'} from {props.publisher.name}:
      </Text>
      {props.newsletters.map((n) => (
        <NewsletterBlock publisher={props.publisher} key={n.id} newsletter={n} />
      ))}
      <Section style={{ margin: '24px 0' }}>
        <Button href={props.confirmUrl} style={styles.button}>
          Yes, subscribe me
        </Button>
      </Section>
      <Text style={styles.small}>
        Or open this link: <Link href={props.confirmUrl} style={styles.url}>{props.confirmUrl}</Link>
      </Text>
      <Text style={styles.text}>
        If you did not ask for {names}, ignore this email: nothing happens, you will not be subscribed and we will not write again.
        {props.expiresIn ? ` The link works for ${props.expiresIn}.` : ''}
      </Text>
      <ManageLink url={props.manageUrl} publisher={props.publisher} />
    </TransactionalLayout>
  );
}

export function confirmSubscriptionSubject(props: Pick<ConfirmSubscriptionProps, 'newsletters'>): string {
  return `Confirm your subscription to ${joinNames(props.newsletters)}`;
}

function preheader(): string {
  return 'One click to confirm. If you did not sign up, ignore this email and nothing happens.';
}

function footer(props: ConfirmSubscriptionProps): string {
  return `You got this email because this address was entered on the sign-up form of ${props.publisher.name}.`;
}

export function confirmSubscriptionText(props: ConfirmSubscriptionProps): string {
  const out: string[] = [];
  out.push('PLEASE CONFIRM YOUR SUBSCRIPTION', '');
  out.push(
    `This address was just signed up for ${props.newsletters.length === 1 ? 'this newsletter' : 'these newsletters'} from ${props.publisher.name}:`,
    '',
  );
  for (const n of props.newsletters) out.push(...newsletterTextLines(n, false));
  out.push('', `Confirm: ${props.confirmUrl}`, '');
  out.push(
    `If you did not ask for ${joinNames(props.newsletters)}, ignore this email: nothing happens, you will not be subscribed and we will not write again.` +
      (props.expiresIn ? ` The link works for ${props.expiresIn}.` : ''),
    '',
  );
  if (props.manageUrl) out.push(`Manage your subscriptions: ${props.manageUrl}`, '');
  out.push(...textFoot(footer(props), props.publisher));
  return out.join('\n');
}

export const confirmSubscription: TransactionalTemplate<ConfirmSubscriptionProps> = transactionalTemplate({
  name: 'confirm-subscription',
  description: 'Double opt-in: a confirm button and the newsletters chosen; never shows what the form was given',
  Email: ConfirmSubscriptionEmail,
  subject: confirmSubscriptionSubject,
  preheader,
  text: confirmSubscriptionText,
});

export const renderConfirmSubscription = confirmSubscription.render;
