import { describe, expect, it } from 'vitest';
import { createHeapGuard } from '../../src/delivery/index.ts';

describe('createHeapGuard', () => {
  it('collects when the heap in use is over the limit, at most once every `everyCopies` copies', () => {
    const guard = createHeapGuard({ limitBytes: 1, everyCopies: 1000 });
    expect(guard.check(999)).toBe(false); // not due yet
    expect(guard.check(1000)).toBe(true);
    expect(guard.check(1500)).toBe(false); // checked 500 copies ago
    expect(guard.check(2000)).toBe(true);
  });

  it('really runs a full collection: an object nothing refers to is gone after a due check', async () => {
    const guard = createHeapGuard({ limitBytes: 1, everyCopies: 1 });
    const ref = (() => new WeakRef({ payload: 'x'.repeat(1000) }))();
    // A WeakRef's target is kept alive until the current job ends; let it end first.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(guard.check(1)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(ref.deref()).toBeUndefined();
  });

  it('does not collect while the heap is under the limit', () => {
    const guard = createHeapGuard({ limitBytes: Number.MAX_SAFE_INTEGER, everyCopies: 1 });
    expect(guard.check(1)).toBe(false);
    expect(guard.check(2)).toBe(false);
  });

  it('refuses options that make no sense, naming the option', () => {
    expect(() => createHeapGuard({ limitBytes: 0, everyCopies: 1 })).toThrow('Expected `limitBytes` to be a positive number');
    expect(() => createHeapGuard({ limitBytes: 1, everyCopies: 0 })).toThrow('Expected `everyCopies` to be at least 1');
  });

  it('leaves no gc function on the global scope', () => {
    createHeapGuard({ limitBytes: 1, everyCopies: 1 });
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
