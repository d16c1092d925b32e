import type { Config, Edition } from '../content/index.ts';
import { renderEditionWith, type PersonalizableEdition } from '../render/index.ts';
import { getEditionTemplate } from './registry.ts';

/**
 * Renders an edition once with its newsletter's design (or `templateName`), ready to be personalized
 * for any reader: what `daybreak send`, `build`, the archive and the preview all call.
 *
 * @example
 * const rendered = await renderEdition(edition, config);
 * const { subject, html, text } = rendered.personalize({ email, firstName, unsubscribeUrl });
 */
export function renderEdition(edition: Edition, config: Config, templateName?: string): Promise<PersonalizableEdition> {
  return renderEditionWith(getEditionTemplate(templateName ?? edition.newsletter.template), edition, config);
}
