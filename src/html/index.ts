/**
 * HTML escaping and the `html` tagged template: shared by the public web pages, the preview and the
 * plain transactional mails, so none of them has to import another's folder for it. And the images a
 * document shows, for the preview's image probe and its displayed copy.
 */
export { escapeHtml, html, raw, type Raw } from './html.ts';
export { imageSources, type ImageSource } from './image-sources.ts';
