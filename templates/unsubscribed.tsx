import { Button, Section, Text } from '../src/render/email-components.ts';
// Inner modules, not src/render/index.ts: that index loads the registry, which loads this file, and an
// ESM cycle entered here would read this file's export before it exists.
import type { TransactionalTemplate } from '../src/render/types.ts';
import { TransactionalLayout, joinNames, transactionalStyles, type NewsletterSummary, type PublisherSummary, ManageLink, textFoot, transactionalTemplate } from './transactional-layout.tsx';

/** Confirms an unsubscribe and offers a one-click way back. */
export interface UnsubscribedProps {
  publisher: PublisherSummary;
  /** The newsletters the reader just left (at least one). */
  newsletters: NewsletterSummary[];
  /** One click resubscribes this reader to those newsletters (a signed link). */
  resubscribeUrl: string;
  /** Newsletters this address still receives, so the reader knows what continues. */
  stillSubscribed?: NewsletterSummary[];
  /** A page to manage every subscription of this address. */
  manageUrl?: string;
  /** `<html lang>`; default "en". */
  lang?: string;
}

export function UnsubscribedEmail(props: UnsubscribedProps) {
  const styles = transactionalStyles(props.publisher);
  const names = joinNames(props.newsletters);
  const still = props.stillSubscribed ?? [];
  return (
    <TransactionalLayout lang={props.lang ?? 'en'} title={unsubscribedSubject(props)} preheader={preheader(props)} publisher={props.publisher} footer={footer(props)}>
      <Text style={styles.heading}>You are unsubscribed</Text>
      <Text style={styles.text}>
        You will not get {names} any more. This is the last email about it.
      </Text>
      {still.length > 0 ? <Text style={styles.text}>You still get {joinNames(still)}.</Text> : null}
      <Text style={styles.text}>Unsubscribed by mistake? One click brings you back:</Text>
      <Section style={{ margin: '8px 0 24px' }}>
        <Button href={props.resubscribeUrl} style={styles.button}>
          Resubscribe
        </Button>
      </Section>
      <ManageLink url={props.manageUrl} publisher={props.publisher} />
    </TransactionalLayout>
  );
}

export function unsubscribedSubject(props: Pick<UnsubscribedProps, 'newsletters'>): string {
  return `You are unsubscribed from ${joinNames(props.newsletters)}`;
}

function preheader(props: UnsubscribedProps): string {
  return `No more ${joinNames(props.newsletters)}. Changed your mind? One click brings you back.`;
}

function footer(props: UnsubscribedProps): string {
  return `You got this email because this address was just unsubscribed from ${joinNames(props.newsletters)}.`;
}

export function unsubscribedText(props: UnsubscribedProps): string {
  const still = props.stillSubscribed ?? [];
  const out: string[] = [];
  out.push('YOU ARE UNSUBSCRIBED', '');
  out.push(`You will not get ${joinNames(props.newsletters)} any more. This is the last email about it.`, '');
  if (still.length > 0) out.push(`You still get ${joinNames(still)}.`, '');
  out.push(`Unsubscribed by mistake? One click brings you back: ${props.resubscribeUrl}`, '');
  if (props.manageUrl) out.push(`Manage your subscriptions: ${props.manageUrl}`, '');
  out.push(...textFoot(footer(props), props.publisher));
  return out.join('\n');
}

export const unsubscribed: TransactionalTemplate<UnsubscribedProps> = transactionalTemplate({
  name: 'unsubscribed',
  description: 'Confirms an unsubscribe, with a one-click resubscribe button',
  Email: UnsubscribedEmail,
  subject: unsubscribedSubject,
  preheader,
  text: unsubscribedText,
});

export const renderUnsubscribed = unsubscribed.render;
