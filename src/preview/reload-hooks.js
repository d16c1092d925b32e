// Node module-customization hooks (https://nodejs.org/api/module.html#customization-hooks) for the
// preview's template reload. ESM has no way to evict a module, so the preview imports the render code
// again under a new URL: `src/render/index.ts?daybreak-gen=N`. This hook carries that query from an
// importer to every project file it imports (templates/, src/), so the whole project graph is loaded
// afresh for generation N while node_modules (React, MJML) stay shared and loaded once.
// Plain JS on purpose: hooks run on Node's loader thread before any TypeScript loader applies.

const QUERY = /[?&]daybreak-gen=(\d+)/;

/** @type {string} */
let root = '';

export async function initialize(data) {
  root = data.root;
}

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  const gen = context.parentURL ? QUERY.exec(context.parentURL) : null;
  if (
    gen &&
    root &&
    result.url.startsWith(root) &&
    !result.url.includes('/node_modules/') &&
    !QUERY.test(result.url)
  ) {
    const separator = result.url.includes('?') ? '&' : '?';
    return { ...result, url: `${result.url}${separator}daybreak-gen=${gen[1]}` };
  }
  return result;
}
