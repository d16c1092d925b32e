import { readFile } from 'node:fs/promises';
import { Hono } from 'hono';
import type { Brand } from '../content/index.ts';

/**
 * Serves `publisher.brand.logo` and `logoDark` at their stable paths (`/assets/brand/logo.png`,
 * `/assets/brand/logo-dark.png`), which the emails reference absolutely under baseUrl. Read per request,
 * so replacing the file needs no restart; an hour's caching, as for the stylesheet.
 *
 * @example
 * app.route('/', brandAssets(resolveBrand(config)));
 */
export function brandAssets(brand: Brand): Hono {
  const app = new Hono();
  for (const logo of [brand.logo, brand.logoDark]) {
    if (!logo) continue;
    app.get(logo.path, async (c) => {
      let body: Buffer;
      try {
        body = await readFile(logo.file);
      } catch {
        return c.notFound();
      }
      c.header('Cache-Control', 'public, max-age=3600');
      return c.body(new Uint8Array(body), 200, { 'Content-Type': logo.contentType });
    });
  }
  return app;
}
