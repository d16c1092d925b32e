/**
 * Whether a process on this machine still runs: how a lease holder (the send lock, a running run) that
 * recorded `host:pid` is found dead without waiting for its lease to lapse. Signal 0 checks without
 * signalling; EPERM means the process exists but belongs to another user.
 *
 * @example
 * if (host === hostname() && !processAlive(pid)) takeOver();
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
