/**
 * The local preview: a development tool for publishers and template authors (every newsletter, date
 * and design in the browser, live reload, checks, test sends, the local mailbox). It sits apart from
 * src/web, the public app, and renders through exactly the same code as sending.
 */
export { createPreview, createPreviewApp, type Preview, type PreviewOptions } from './routes.ts';
