// The render area's public face: engines, components, the view model, personalization and the lint. It
// does not know the designs (templates/ depends on it, not the other way round); src/designs pairs them.
export * from './types.ts';
export {
  escapeHtml,
  readerFieldValues,
  sampleReader,
  noNameReader,
  awkwardReader,
  sampleReaders,
  sampleUnsubscribeUrl,
  manageUrlFor,
  READER_FIELDS,
  createPlaceholderReader,
  placeholderNonce,
  placeholderToken,
} from './reader-fields.ts';
export { buildEditionView, longDate, groupBySection, countWords, readingTime, WORDS_PER_MINUTE, NO_SECTION_HEADING } from './edition-view.ts';
export { dateFnsLocale } from './date-locale.ts';
export { renderReactEmail } from './react-engine.ts';
export { renderMjml, toMjmlMarkup } from './mjml-engine.ts';
export { lintEmail, preheaderOf, GMAIL_CLIP_BYTES, type LintFinding, type LintRule } from './lint-email.ts';
export { segment, fillSegments, htmlValues } from './personalize.ts';
export { renderEditionWith, type PersonalizableEdition, type PersonalizedBytes } from './render-edition.ts';
