import { readFile, realpath } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { Hono } from 'hono';

const TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.gif': 'image/gif', '.webp': 'image/webp' };
// The file names an article may give as /images/<file> (the content schema's rule): no folders, no dots
// first, raster types only (an SVG could carry script).
const FILE = /^[A-Za-z0-9][A-Za-z0-9._-]*\.(?:jpe?g|png|gif|webp)$/;

/**
 * `GET /images/<file>`: the pictures shipped in the data folder (`data/images/`), which articles name as
 * `/images/<file>` and the emails load from `{baseUrl}/images/<file>`. Only files directly in that
 * folder (a link is followed only while it stays inside it); anything else is a 404.
 *
 * @example
 * app.route('/images', createImageApp(join(dataDir, 'images')));
 */
export function createImageApp(imagesDir: string): Hono {
  const app = new Hono();
  app.get('/:file', async (c) => {
    const file = c.req.param('file');
    if (!FILE.test(file)) return c.notFound();
    let bytes: Buffer;
    try {
      const root = await realpath(imagesDir);
      const path = await realpath(join(imagesDir, file));
      if (!path.startsWith(root + sep)) return c.notFound();
      bytes = await readFile(path);
    } catch {
      return c.notFound();
    }
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(new Uint8Array(bytes), 200, { 'Content-Type': TYPES[extname(file).toLowerCase()]! });
  });
  return app;
}
