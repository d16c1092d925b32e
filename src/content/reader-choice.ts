import type { Edition } from './assemble-edition.ts';
import type { Newsletter } from './config-schema.ts';

/**
 * A reader's stored section choice as it applies now: null (every section) when the newsletter offers no
 * choice, when nothing was chosen, or when every offered section is chosen; otherwise the chosen sections
 * the newsletter still offers, in the config's order (so equal choices are equal lists).
 *
 * @example
 * effectiveChoice(newsletter, ['Science', 'Politics', 'Gone']); // ['Politics', 'Science']
 */
export function effectiveChoice(newsletter: Pick<Newsletter, 'readerChoices'>, sections: readonly string[] | null): string[] | null {
  const offered = newsletter.readerChoices?.sections;
  if (!offered || sections === null) return null;
  const chosen = offered.filter((s) => sections.includes(s));
  return chosen.length === offered.length ? null : chosen;
}

/** One string per distinct effective choice ("*" for every section), to group readers by. */
export function choiceKey(choice: readonly string[] | null): string {
  return choice === null ? '*' : JSON.stringify(choice);
}

/**
 * The edition as a reader with `choice` gets it: the lead always; a short item whose section the
 * newsletter offers as a choice only when chosen; items of sections not offered (and without a section)
 * always, as the reader could not opt out of them. A choice that leaves no items gives the lead alone.
 *
 * @example
 * const mine = editionForChoice(edition, ['Science']);
 */
export function editionForChoice(edition: Edition, choice: readonly string[] | null): Edition {
  if (choice === null) return edition;
  const offered = new Set(edition.newsletter.readerChoices?.sections ?? []);
  const items = edition.items.filter((item) => !item.section || !offered.has(item.section) || choice.includes(item.section));
  return { ...edition, items };
}
