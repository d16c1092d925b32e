import type { Context, Hono } from 'hono';

/**
 * Serves `handler` as a mounted sub-app's index page at both `mountPath` and `mountPath/`.
 *
 * Why: once a sub-app is mounted under a prefix, Hono's '/' route answers `/inbox` but not `/inbox/`, and
 * people type both. The trailing-slash form is caught by a middleware before routing.
 *
 * @example
 * const app = new Hono();
 * serveIndex(app, '/inbox', list);
 * parent.route('/inbox', app);
 */
export function serveIndex(app: Hono, mountPath: string, handler: (c: Context) => Promise<Response>): void {
  app.use('*', async (c, next) => {
    if (c.req.method === 'GET' && c.req.path === `${mountPath}/`) {
      c.res = await handler(c);
      return;
    }
    await next();
  });
  app.get('/', handler);
}
