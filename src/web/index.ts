/**
 * The web app: sign-up, confirm, unsubscribe, health; sub-apps (archive, preview) mount into it.
 */
export { createApp, type CreateAppOptions, type DaybreakApp } from './app.ts';
export { startServer, type RunningServer } from './start-server.ts';
export { HttpError } from './http-error.ts';
export { escapeHtml, html, raw } from '../html/index.ts';
export { layout } from './pages.ts';
export { MAX_BODY_BYTES } from './read-body.ts';
export { registryTemplates } from './transactional-templates.ts';
export { createArchiveApp, type ArchiveIndex, type ArchiveOptions, type SentEdition } from './archive-routes.ts';
export type { ArchivedEdition } from './archive-copy.ts';
export { archiveCopy } from './archive-copy.ts';
export { createImageApp } from './image-routes.ts';
export { brandAssets } from './brand-assets.ts';
export { serveIndex } from './mount-index.ts';
export { createImageProbe, IMAGE_PROBE_TIMEOUT_MS } from './image-probe.ts';
export { createWebhookApp } from './webhook-routes.ts';
