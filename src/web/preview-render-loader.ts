import { register as registerHooks } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';
import * as bootRender from '../render/index.ts';

/** The render area's public face (src/render/index.ts): the same functions `daybreak send` calls. */
export type RenderModule = typeof bootRender;

export interface RenderLoader {
  /** The render module of the current generation (loads it on first use after a reload). */
  current(): Promise<RenderModule>;
  /** Forget the loaded templates: the next `current()` imports src/render and templates/ afresh. */
  reload(): void;
  /** 0 while the module loaded at start-up is in use; +1 per reload. */
  readonly generation: number;
}

const PROJECT_ROOT = new URL('../../', import.meta.url).href;
let scopedImport: ((specifier: string, parent: string) => Promise<unknown>) | null = null;

/**
 * Templates are TypeScript modules and ESM cannot unload a module, so a template edit is picked up by
 * importing src/render/index.ts under a new URL (`?daybreak-gen=N`) through tsx's namespaced loader;
 * preview-reload-hooks.js carries the query to every project file below it (templates/, src/), while
 * node_modules stay shared. Each reload keeps the previous generation's project modules in memory (a few
 * hundred KB of compiled code each), which is fine for an editing session.
 */
function importFresh(generation: number): Promise<RenderModule> {
  if (!scopedImport) {
    const api = registerTsx({ namespace: 'daybreak-preview' });
    registerHooks('./preview-reload-hooks.js', import.meta.url, { data: { root: PROJECT_ROOT } });
    scopedImport = api.import;
  }
  return scopedImport(`../render/index.ts?daybreak-gen=${generation}`, import.meta.url) as Promise<RenderModule>;
}

/**
 * Hands out the render module, starting with the one every other command uses and switching to a fresh
 * import after each `reload()`.
 *
 * @example
 * const loader = createRenderLoader();
 * const { renderEdition } = await loader.current();
 */
export function createRenderLoader(): RenderLoader {
  let generation = 0;
  let loading: Promise<RenderModule> = Promise.resolve(bootRender);
  let stale = false;
  return {
    get generation() {
      return generation;
    },
    current() {
      if (stale) {
        stale = false;
        loading = importFresh(generation);
        // A template with a syntax error fails this import; keep failing until the next reload.
      }
      return loading;
    },
    reload() {
      generation += 1;
      stale = true;
    },
  };
}
