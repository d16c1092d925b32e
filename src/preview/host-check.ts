import type { MiddlewareHandler } from 'hono';

/** Loopback names a browser uses for a server on this machine, any port. */
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Refuses with 403 a request whose Host is not loopback or the configured baseUrl's host (any port).
 * Against DNS rebinding: a web page on attacker.example whose name is re-pointed at 127.0.0.1 reaches
 * the preview with `Host: attacker.example`, and would otherwise read the Maildir (confirm tokens) and
 * trigger test sends from the reader's browser. Same-origin rules do not help there; the Host does.
 *
 * @example
 * app.use('*', previewHostCheck({ baseUrl: config.baseUrl }));
 */
export function previewHostCheck(options: { baseUrl?: string | null }): MiddlewareHandler {
  const allowed = new Set(LOOPBACK_HOSTS);
  if (options.baseUrl) {
    try {
      allowed.add(new URL(options.baseUrl).hostname.toLowerCase());
    } catch {
      // an unparsable baseUrl adds nothing; the config's own validation reports it
    }
  }
  return async (c, next) => {
    // The request URL's host is the Host header (@hono/node-server builds it from it, and refuses a
    // malformed one); app.request() in tests defaults to localhost.
    let hostname: string;
    try {
      hostname = new URL(c.req.url).hostname.toLowerCase();
    } catch {
      hostname = '';
    }
    if (!allowed.has(hostname)) {
      return c.text(`Forbidden: the preview answers only on localhost, 127.0.0.1, [::1] or ${[...allowed].slice(LOOPBACK_HOSTS.length).join(', ') || 'the configured baseUrl'}, not "${hostname}".\n`, 403, {
        'Cache-Control': 'no-store',
      });
    }
    await next();
  };
}
