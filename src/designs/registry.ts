import { DaybreakError } from '../errors.ts';
import { templates } from '../../templates/index.ts';
import type { EditionTemplate, TemplateDefinition } from '../render/index.ts';


/** Every template in templates/index.ts, in its order. */
export function listTemplates(): TemplateDefinition[] {
  return [...templates];
}

/** The template called `name`; an EUSAGE error naming the known templates otherwise. */
export function getTemplate(name: string): TemplateDefinition {
  const found = templates.find((t) => t.name === name);
  if (!found) {
    const known = templates.map((t) => t.name).join(', ');
    throw new DaybreakError('EUSAGE', `Unknown template "${name}" (known templates: ${known})`);
  }
  return found;
}

/** Like getTemplate, and also checks that the template renders editions (not a transactional email). */
export function getEditionTemplate(name: string): EditionTemplate {
  const template = templates.find((t) => t.name === name);
  const editions = templates.filter((t) => t.kind === 'edition').map((t) => t.name).join(', ');
  // Only edition designs are worth suggesting where an edition is rendered.
  if (!template) throw new DaybreakError('EUSAGE', `Unknown template "${name}" (edition templates: ${editions})`);
  if (template.kind !== 'edition') {
    throw new DaybreakError(
      'EUSAGE',
      `Template "${name}" is a transactional email, not an edition design (edition templates: ${editions})`,
    );
  }
  return template;
}
