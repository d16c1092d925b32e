/**
 * A fixed-window counter per key (client IP): `limit` hits per `windowMs`. In memory on purpose: one
 * process serves the sign-up form, and a restart forgiving everyone is harmless.
 */
export function createRateLimiter(options: { limit: number; windowMs: number; now?: () => number; maxKeys?: number }) {
  const windows = new Map<string, { start: number; count: number }>();
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  return {
    /** Counts one hit; returns 0 when allowed, else the seconds until the window resets. */
    hit(key: string): number {
      const t = now();
      let w = windows.get(key);
      if (!w || t - w.start >= options.windowMs) {
        if (!w && windows.size >= maxKeys) {
          // Forget expired windows first; a flood of fresh IPs cannot grow memory without bound.
          for (const [k, v] of windows) if (t - v.start >= options.windowMs) windows.delete(k);
          if (windows.size >= maxKeys) windows.delete(windows.keys().next().value!);
        }
        w = { start: t, count: 0 };
        windows.set(key, w);
      }
      w.count += 1;
      if (w.count <= options.limit) return 0;
      return Math.max(1, Math.ceil((w.start + options.windowMs - t) / 1000));
    },
  };
}
