/**
 * The designs: the templates in templates/ paired with the render machinery of src/render. The one place
 * that knows both, so neither depends on the other's dependants. The preview reloads this folder to pick
 * up edited templates.
 */
export * from '../render/index.ts';
export { listTemplates, getTemplate, getEditionTemplate } from './registry.ts';
export { templates } from '../../templates/index.ts';
export { renderEdition } from './render-edition.ts';
