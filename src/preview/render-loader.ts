import { register as registerHooks } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';
import * as bootRender from '../designs/index.ts';
import { PROJECT_ROOT, projectUrl } from '../project-root.ts';

/** The render area's public face (src/designs/index.ts): the same functions `daybreak send` calls. */
export type RenderModule = typeof bootRender;

export interface RenderLoader {
  /** The render module of the current generation (loads it on first use after a reload). */
  current(): Promise<RenderModule>;
  /** Forget the loaded templates: the next `current()` imports src/render and templates/ afresh. */
  reload(): void;
  /** 0 while the module loaded at start-up is in use; +1 per reload. */
  readonly generation: number;
}

let importer: ((url: string) => Promise<unknown>) | null = null;
let ready: Promise<void> | null = null;

/**
 * Finds a way to import through Node's own loader (where the reload hook applies) that loads .ts:
 * - under `daybreak` (bin/daybreak.js registers tsx), a plain dynamic import does;
 * - where Node runs without a TypeScript loader, tsx is registered first;
 * - inside a test runner, whose module sandbox has no native dynamic import, tsx's namespaced
 *   `import()` is used (that namespace loads node_modules once more, on the first reload only).
 */
function prepare(): Promise<void> {
  ready ??= (async () => {
    const probe = projectUrl('src/preview/ts-probe.ts').href;
    // Written as a Function so bundlers and test runners leave this import() to Node.
    const native = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;
    try {
      await native(probe);
      importer = native;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION') {
        registerTsx();
        importer = native;
      } else {
        const api = registerTsx({ namespace: 'daybreak-preview' });
        importer = (url) => api.import(url, import.meta.url);
      }
    }
    // Registered last, so it runs first and sees every resolution.
    registerHooks(projectUrl('src/preview/reload-hooks.js').href, { data: { root: PROJECT_ROOT.href } });
  })();
  return ready;
}

/**
 * Templates are TypeScript modules and ESM cannot unload a module, so a template edit is picked up by
 * importing src/render/index.ts again under a new URL (`?daybreak-gen=N`); reload-hooks.js
 * carries the query to every project file below it (templates/, src/), while node_modules (React, MJML)
 * stay shared, so a reload costs only the project's own modules (tens of milliseconds under `daybreak`).
 * Each reload keeps the previous generation's project modules in memory, fine for an editing session.
 */
export async function importGeneration(url: string, generation: number): Promise<unknown> {
  await prepare();
  return importer!(`${url}${url.includes('?') ? '&' : '?'}daybreak-gen=${generation}`);
}

// Process-wide, so two previews in one process (tests) never share a stale generation's URL.
let imports = 0;

function importFresh(): Promise<RenderModule> {
  imports += 1;
  return importGeneration(projectUrl('src/designs/index.ts').href, imports) as Promise<RenderModule>;
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
        loading = importFresh();
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
