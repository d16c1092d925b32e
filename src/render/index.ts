// The render area's public face. Order matters a little: the engines and helpers are exported before the
// registry, because templates/*.tsx import this file and the registry imports templates/ (an ESM cycle).
export * from './types.ts';
export {
  escapeHtml,
  readerFieldValues,
  sampleReader,
  noNameReader,
  awkwardReader,
  READER_FIELDS,
  createPlaceholderReader,
  placeholderNonce,
  placeholderToken,
} from './reader-fields.ts';
export { buildEditionView, longDate } from './edition-view.ts';
export { dateFnsLocale } from './date-locale.ts';
export { renderReactEmail } from './react-engine.ts';
export { renderMjml, toMjmlMarkup } from './mjml-engine.ts';
export { lintEmail, preheaderOf, GMAIL_CLIP_BYTES, type LintFinding, type LintRule } from './lint-email.ts';
export { segment, fillSegments, htmlValues } from './personalize.ts';
export { listTemplates, getTemplate, getEditionTemplate } from './registry.ts';
export { templates } from '../../templates/index.ts';
export { renderEdition, type PersonalizableEdition } from './render-edition.ts';
