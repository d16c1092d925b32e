// The render area's public face. The registry below imports templates/index.ts, so template files import
// the inner modules of src/render (types.ts, reader-fields.ts, react-engine.ts…), never this file: a
// template loaded first would otherwise enter the index → registry → templates cycle half-way
// (tests/render/import-order.test.ts).
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
export { listTemplates, getTemplate, getEditionTemplate } from './registry.ts';
export { templates } from '../../templates/index.ts';
export { renderEdition, type PersonalizableEdition, type PersonalizedBytes } from './render-edition.ts';
