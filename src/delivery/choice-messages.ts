import { choiceKey, type Config, type Newsletter } from '../content/index.ts';
import { compileEditionMessage, editionMessageOptions, type EditionMessage } from './edition-message.ts';
import type { RenderedEditionParts } from './send-edition-options.ts';

/**
 * The compiled message for each distinct section choice (newsletter.readerChoices), rendered when the
 * first reader with that choice is claimed and shared by every later one. Readers with no choice, and
 * every reader when `renderChoice` is absent, get the edition's own `message`. A choice whose rendering
 * failed is forgotten, so a later claim tries again.
 *
 * @example
 * const messageFor = choiceMessages({ config, newsletter, message, renderChoice });
 * const compiled = await messageFor(['news', 'events']);
 */
export function choiceMessages(options: {
  config: Config;
  newsletter: Newsletter;
  message: EditionMessage;
  renderChoice?: ((choice: string[]) => Promise<RenderedEditionParts>) | undefined;
}): (choice: string[] | null) => Promise<EditionMessage> {
  const { config, newsletter, message, renderChoice } = options;
  const messages = new Map<string, Promise<EditionMessage>>([['*', Promise.resolve(message)]]);
  return (choice) => {
    const k = choiceKey(choice);
    let found = messages.get(k);
    if (!found) {
      found = renderChoice && choice !== null
        ? renderChoice(choice).then((rendered) => compileEditionMessage(editionMessageOptions(config, newsletter, rendered)))
        : Promise.resolve(message);
      messages.set(k, found);
      found.catch(() => messages.delete(k));
    }
    return found;
  };
}
