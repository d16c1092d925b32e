/**
 * HTML escaping and the `html` tagged template: shared by the public web pages, the preview and the
 * plain transactional mails, so none of them has to import another's folder for it.
 */
export { escapeHtml, html, raw, type Raw } from './html.ts';
