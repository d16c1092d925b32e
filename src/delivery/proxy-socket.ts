import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/**
 * Opens a tunnel to `host:port` through an HTTP proxy with CONNECT (RFC 9110 §9.3.6) and resolves with
 * the socket, ready for SMTP (or for a TLS handshake on top, for smtps://). `proxy` is `http://` or
 * `https://`, with `user:pass@` for Basic proxy authentication. Rejects with an error whose `code` is
 * ECONNECTION (nodemailer's code for a connection that could not be made) on a refusal, a timeout or a
 * closed connection.
 *
 * @example
 * const socket = await connectThroughProxy(new URL('http://proxy.internal:3128'), 'smtp.example.com', 587, 10_000);
 */
export function connectThroughProxy(proxy: URL, host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const secure = proxy.protocol === 'https:';
    const proxyPort = Number(proxy.port) || (secure ? 443 : 80);
    const socket: Socket = secure
      ? tlsConnect({ host: proxy.hostname, port: proxyPort, servername: proxy.hostname })
      : netConnect({ host: proxy.hostname, port: proxyPort });
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(Object.assign(new Error(`Proxy ${proxy.hostname}:${proxyPort}: ${message}`), { code: 'ECONNECTION' }));
    };
    const timer = setTimeout(() => fail(`no tunnel to ${host}:${port} within ${timeoutMs} ms`), timeoutMs);
    socket.once('error', (error) => fail(error.message));
    socket.once('close', () => fail('closed the connection before the tunnel was open'));
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      const auth = proxy.username
        ? `Proxy-Authorization: Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}\r\n`
        : '';
      socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`);
    });
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 16 * 1024) fail('sent an oversized reply to CONNECT');
        return;
      }
      socket.off('data', onData);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.toString('latin1', 0, end));
      if (status?.[1] !== '200') {
        fail(`refused the tunnel to ${host}:${port}: ${head.toString('latin1', 0, head.indexOf('\r\n')) || 'no status line'}`);
        return;
      }
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.removeAllListeners('close');
      socket.pause();
      // The SMTP server speaks first, and its greeting may have come in the same packet as the 200.
      const rest = head.subarray(end + 4);
      if (rest.length) socket.unshift(rest);
      resolve(socket);
    };
    socket.on('data', onData);
  });
}
