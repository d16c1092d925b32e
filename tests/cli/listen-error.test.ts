import { describe, expect, it } from 'vitest';
import { listenError } from '../../src/cli/listen-error.ts';
import { isDaybreakError } from '../../src/errors.ts';

/** What Node's net.Server emits when the port is taken. */
function addressInUse(port: number): NodeJS.ErrnoException {
  return Object.assign(new Error(`listen EADDRINUSE: address already in use 127.0.0.1:${port}`), { code: 'EADDRINUSE', port });
}

describe('listenError', () => {
  it('turns a taken port into a usage error that names the port and every way to choose another', () => {
    const error = listenError(addressInUse(3000), { port: 3000, host: '0.0.0.0', defaultHost: '0.0.0.0', choose: ['--port', 'PORT', 'web.port'] });
    expect(isDaybreakError(error, 'EUSAGE')).toBe(true);
    expect((error as Error).message).toBe('Port 3000 is in use; choose another with --port, PORT or web.port');
  });

  it('names the address only when it is not the command default, and says what the port is for and who likely holds it', () => {
    const error = listenError(addressInUse(2525), {
      port: 2525,
      host: '10.0.0.5',
      defaultHost: '127.0.0.1',
      purpose: 'inbound mail',
      likely: 'another daybreak start or daybreak inbound?',
      choose: ['inbound.port'],
    });
    expect((error as Error).message).toBe('Port 2525 for inbound mail on 10.0.0.5 is in use (another daybreak start or daybreak inbound?); choose another with inbound.port');
  });

  it('joins two ways with "or"', () => {
    const error = listenError(addressInUse(3001), { port: 3001, host: '127.0.0.1', defaultHost: '127.0.0.1', choose: ['--port', 'inbound.port'] });
    expect((error as Error).message).toBe('Port 3001 is in use; choose another with --port or inbound.port');
  });

  it('returns any other listen error unchanged', () => {
    const denied = Object.assign(new Error('listen EACCES: permission denied 0.0.0.0:80'), { code: 'EACCES' });
    expect(listenError(denied, { port: 80, host: '0.0.0.0', defaultHost: '0.0.0.0', choose: ['--port'] })).toBe(denied);
    const plain = new Error('boom');
    expect(listenError(plain, { port: 80, host: '0.0.0.0', defaultHost: '0.0.0.0', choose: ['--port'] })).toBe(plain);
  });
});
