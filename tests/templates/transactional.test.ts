import { getTemplate, listTemplates, type TransactionalTemplate } from '../../src/designs/index.ts';
import { parseDocument } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { lintEmail, preheaderOf } from '../../src/render/lint-email.ts';
import { renderConfirmSubscription, type ConfirmSubscriptionProps } from '../../templates/confirm-subscription.tsx';
import { renderUnsubscribed } from '../../templates/unsubscribed.tsx';
import { renderWelcome } from '../../templates/welcome.tsx';
import { elements, links, textOf } from '../render/html-tools.ts';
import { fullProps, minimalProps, publisher } from './fixtures/transactional-props.ts';

const pageText = (html: string) => textOf(parseDocument(html)).replace(/\s+/g, ' ');
const TRANSACTIONAL = ['confirm-subscription', 'welcome', 'unsubscribed'] as const;

describe('the transactional templates', () => {
  it('are registered as React Email transactional templates', () => {
    const rows = listTemplates().filter((t) => t.kind === 'transactional').map(({ name, engine }) => ({ name, engine }));
    expect(rows).toEqual(TRANSACTIONAL.map((name) => ({ name, engine: 'react-email' })));
  });

  for (const name of TRANSACTIONAL) {
    for (const [variant, props] of [['every optional field', fullProps[name]], ['only the required fields', minimalProps[name]]] as const) {
      it(`${name} renders with ${variant}: subject, lang, preheader, text part, no lint findings`, async () => {
        const { subject, html, text, preheader } = await (getTemplate(name) as TransactionalTemplate).render(props);
        expect(subject.length).toBeGreaterThan(10);
        expect(elements(html).find((e) => e.name === 'html')!.attribs.lang).toBe('lang' in props ? props.lang : 'en');
        expect(preheader).toBeTruthy();
        expect(preheaderOf(html)).toBe(preheader);
        expect(lintEmail(html)).toEqual([]);
        expect(text).toContain(publisher.postalAddress);
        expect(pageText(html)).toContain(publisher.postalAddress);
        // Short and plain.
        expect(text.split('\n').length).toBeLessThan(40);
        expect(Buffer.byteLength(html)).toBeLessThan(20_000);
      });
    }
  }
});

describe('confirm-subscription', () => {
  it('has a confirm button, the newsletters chosen with their descriptions, and says ignoring it does nothing', async () => {
    const props = fullProps['confirm-subscription'];
    const { subject, html, text } = await renderConfirmSubscription(props);
    expect(subject).toBe('Confirm your subscription to The Morning Briefing and The Good News Weekly');
    expect(links(html)).toContainEqual([props.confirmUrl, 'Yes, subscribe me']);
    const page = pageText(html);
    for (const n of props.newsletters) {
      expect(page).toContain(n.name);
      expect(page).toContain(n.description);
      expect(text).toContain(n.description);
    }
    expect(page).toContain('ignore this email: nothing happens, you will not be subscribed');
    expect(page).toContain('The link works for 7 days.');
    expect(text).toContain(`Confirm: ${props.confirmUrl}`);
    expect(text).toContain('nothing happens');
  });

  it('says nothing about expiry when no expiry is given, and words a single newsletter in the singular', async () => {
    const { html, text } = await renderConfirmSubscription(minimalProps['confirm-subscription']);
    expect(pageText(html)).not.toContain('The link works');
    expect(text).not.toContain('The link works');
    expect(pageText(html)).toContain('signed up for this newsletter from The Daybreak Post');
  });

  it('never shows a name, even when a caller passes one along with the props', async () => {
    const name = 'Buy cheap pills at evil.example';
    // The props type has no name field: passing one is a type error…
    // @ts-expect-error firstName is not a prop of the confirmation email
    const typed: ConfirmSubscriptionProps = { ...minimalProps['confirm-subscription'], firstName: name };
    // …and whatever arrives untyped is ignored.
    const smuggled = { ...fullProps['confirm-subscription'], name, firstName: name, email: name, greeting: name } as ConfirmSubscriptionProps;
    for (const props of [typed, smuggled]) {
      const { subject, html, text, preheader } = await renderConfirmSubscription(props);
      for (const part of [subject, html, text, preheader ?? '']) {
        expect(part).not.toContain('cheap pills');
        expect(part).not.toContain('evil.example');
      }
    }
  });
});

describe('welcome', () => {
  it("says what arrives and when in the reader's terms, with an unsubscribe link for each newsletter", async () => {
    const props = fullProps.welcome;
    const { subject, html, text } = await renderWelcome(props);
    expect(subject).toBe('Welcome to The Morning Briefing and The Good News Weekly');
    const page = pageText(html);
    expect(page).toContain('Every day at 6:00 a.m. Eastern');
    expect(page).toContain('Every Sunday at 8:00 a.m. Eastern');
    expect(text).toContain('Every day at 6:00 a.m. Eastern');
    for (const n of props.newsletters) {
      expect(links(html)).toContainEqual([n.unsubscribeUrl, `Unsubscribe from ${n.name}`]);
      expect(text).toContain(`Unsubscribe from ${n.name}: ${n.unsubscribeUrl}`);
    }
    expect(links(html)).toContainEqual([props.manageUrl, 'Manage your subscriptions']);
    expect(links(html)).toContainEqual([props.archiveUrl, 'Read past editions']);
    expect(page).toContain('add briefing@daybreak.example to your contacts');
  });

  it('puts the schedule of a single newsletter in the preheader and leaves out the optional lines', async () => {
    const { html, text, preheader } = await renderWelcome(minimalProps.welcome);
    // No schedule in the props: the config's default, 06:00 America/New_York.
    expect(preheader).toBe("You're in. The Morning Briefing arrives every day at 6:00 a.m. Eastern.");
    expect(links(html).map(([href]) => href)).toEqual(['https://daybreak.example/unsubscribe?token=u-morning']);
    expect(text).not.toContain('Manage your subscriptions');
    expect(text).not.toContain('past editions');
  });
});

describe('unsubscribed', () => {
  it('confirms the unsubscribe and offers a one-click way back', async () => {
    const props = fullProps.unsubscribed;
    const { subject, html, text } = await renderUnsubscribed(props);
    expect(subject).toBe('You are unsubscribed from The Morning Briefing');
    expect(links(html)).toContainEqual([props.resubscribeUrl, 'Resubscribe']);
    expect(text).toContain(`One click brings you back: ${props.resubscribeUrl}`);
    expect(pageText(html)).toContain('You still get The Good News Weekly.');
    expect(links(html)).toContainEqual([props.manageUrl, 'Manage your subscriptions']);
  });

  it('leaves out what the reader still gets and the manage link when they are not given', async () => {
    const { html, text } = await renderUnsubscribed(minimalProps.unsubscribed);
    expect(pageText(html)).not.toContain('You still get');
    expect(links(html).map(([href]) => href)).toEqual(['https://daybreak.example/resubscribe?token=r']);
    expect(text).not.toContain('Manage');
  });
});
