/**
 * A real HTTP server on loopback (port 0) for the source tests: each route answers with a function of the
 * request, so a test can serve a feed, count conditional requests, redirect, gzip, trickle or fail.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface FeedServer {
  url: string;
  /** Every request seen, in order: method, path with query, headers. */
  requests: { path: string; headers: IncomingMessage['headers'] }[];
  route(path: string, handler: Route): void;
  close(): Promise<void>;
}

/**
 * @example
 * const server = await startFeedServer();
 * server.route('/feed.xml', (_req, res) => res.end(rss));
 */
export async function startFeedServer(): Promise<FeedServer> {
  const routes = new Map<string, Route>();
  const requests: FeedServer['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ path: req.url ?? '', headers: req.headers });
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const handler = routes.get(path);
    if (!handler) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    Promise.resolve(handler(req, res)).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route: (path, handler) => void routes.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A handler serving `body` with a type, an ETag and a Last-Modified, answering 304 to a matching conditional request. */
export function serveDocument(body: string | Buffer, type: string, options: { etag?: string; lastModified?: string } = {}): Route {
  return (req, res) => {
    if (options.etag && req.headers['if-none-match'] === options.etag) {
      res.statusCode = 304;
      res.end();
      return;
    }
    if (!options.etag && options.lastModified && req.headers['if-modified-since'] === options.lastModified) {
      res.statusCode = 304;
      res.end();
      return;
    }
    res.setHeader('content-type', type);
    if (options.etag) res.setHeader('etag', options.etag);
    if (options.lastModified) res.setHeader('last-modified', options.lastModified);
    res.end(body);
  };
}
