import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Hono } from 'hono';

export interface RunningServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a Hono app on @hono/node-server; `port: 0` picks a free port (tests). Resolves once listening.
 *
 * @example
 * const server = await startServer(app, { port: 3000 });
 * console.log(`listening on ${server.url}`);
 */
export function startServer(app: Hono<any>, options: { port: number; hostname?: string }): Promise<RunningServer> {
  const hostname = options.hostname ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname }, (info: AddressInfo) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        port: info.port,
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            (server as Server).close(() => done());
            (server as Server).closeAllConnections?.();
          }),
      });
    }) as Server;
    server.once('error', reject);
    // Keep-alive longer than typical proxies' idle timeout, so a proxy never reuses a closed socket.
    server.keepAliveTimeout = 65_000;
  });
}
