export * from './config-schema.ts';
export * from './article-schema.ts';
export { loadConfig, parseConfig, DEFAULT_CONFIG_FILE } from './load-config.ts';
export { loadContent, loadContentFor, isIsoDate, type Content, type ArticleRecord } from './load-content.ts';
export { findNewsletter } from './find-newsletter.ts';
export { assembleEdition, isSkipped, fillSubject, type Edition, type SkippedEdition } from './assemble-edition.ts';
export { localDate, startOfLocalDate, nextFiring, previousFiring, sendTimeOn } from './schedule-times.ts';
export { formatIssues, formatPath, parseJson, jsonErrorOffset, readableErrors } from './format-issues.ts';
export { describeSchedule, timezoneName, type ScheduleLike } from './describe-schedule.ts';
