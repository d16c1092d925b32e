import { resolveBrand, type Config } from '../content/index.ts';
import { getTemplate, type RenderedEmail, type TransactionalTemplate } from '../designs/index.ts';
import { fallbackTemplates, type NewsletterSummary, type TransactionalTemplates } from '../audience/index.ts';

function find(name: string): TransactionalTemplate | null {
  try {
    const t = getTemplate(name);
    return t.kind === 'transactional' ? t : null;
  } catch {
    return null;
  }
}

const summary = (n: NewsletterSummary) => ({ id: n.id, name: n.name, description: n.description, schedule: n.schedule });

/** The address part of "Name <addr>", for "add us to your contacts". */
function addressOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from;
}

/**
 * The designed transactional mails from the template registry (templates/confirm-subscription.tsx,
 * welcome.tsx, unsubscribed.tsx), mapped onto what the audience code needs; each falls back
 * to the plain built-in one if its template is missing.
 */
export function registryTemplates(config: Config): TransactionalTemplates {
  const publisher = { name: config.publisher.name, postalAddress: config.publisher.postalAddress, brand: resolveBrand(config) };
  const render = (name: string, props: unknown, fallback: () => Promise<RenderedEmail>) => {
    const template = find(name);
    return template ? template.render(props) : fallback();
  };
  return {
    confirmation: (p) =>
      render('confirm-subscription', { publisher, newsletters: p.newsletters.map(summary), confirmUrl: p.confirmUrl, expiresIn: '7 days', manageUrl: p.manageUrl }, () =>
        fallbackTemplates.confirmation(p),
      ),
    welcome: (p) =>
      render(
        'welcome',
        {
          publisher,
          newsletters: p.newsletters.map((n) => ({ ...summary(n), unsubscribeUrl: p.unsubscribeUrls[n.id] ?? p.unsubscribeAllUrl })),
          fromAddress: addressOf(config.publisher.from),
          manageUrl: p.manageUrl,
        },
        () => fallbackTemplates.welcome(p),
      ),
    unsubscribed: (p) =>
      render(
        'unsubscribed',
        { publisher, newsletters: p.newsletters.map(summary), resubscribeUrl: p.resubscribeUrl, stillSubscribed: p.stillSubscribed.map(summary), manageUrl: p.manageUrl },
        () => fallbackTemplates.unsubscribed(p),
      ),
  };
}
