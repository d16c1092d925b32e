import { imageSources } from '../html/index.ts';

/** How long one image may take to answer before it counts as not loading. */
export const IMAGE_PROBE_TIMEOUT_MS = 4000;


function why(error: unknown): string {
  const e = error as { name?: string; cause?: unknown };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${IMAGE_PROBE_TIMEOUT_MS / 1000} s`;
  const cause = e?.cause as { code?: string; message?: string } | undefined;
  const code = cause?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `its host does not resolve (${code})`;
  if (code === 'ECONNREFUSED') return 'nothing listens there (ECONNREFUSED)';
  return code ?? cause?.message ?? String((error as Error)?.message ?? error);
}

/**
 * Fetches every image an email's HTML shows, as a mail client would, and says which do not load and why
 * (a host that does not resolve, a 404, something that is not an image), for the preview's checks panel:
 * a blank box in every inbox is worse than a lint warning. Answers are remembered briefly (30 s for an
 * image that loads, 5 s for one that does not) so a preview that re-renders on every save stays quick.
 *
 * @example
 * const probe = createImageProbe();
 * await probe(html); // ['https://static.example/x.jpg: HTTP 404']
 */
export function createImageProbe(options: { timeoutMs?: number } = {}): (html: string) => Promise<string[]> {
  const timeoutMs = options.timeoutMs ?? IMAGE_PROBE_TIMEOUT_MS;
  const cache = new Map<string, { until: number; problem: string | null }>();

  const check = async (src: string): Promise<string | null> => {
    const hit = cache.get(src);
    if (hit && hit.until > Date.now()) return hit.problem;
    let problem: string | null = null;
    try {
      const res = await fetch(src, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
      const type = res.headers.get('content-type') ?? '';
      await res.body?.cancel();
      if (!res.ok) problem = `HTTP ${res.status}`;
      else if (!type.toLowerCase().startsWith('image/')) problem = `not an image (${type || 'no content type'})`;
    } catch (error) {
      problem = why(error);
    }
    cache.set(src, { until: Date.now() + (problem ? 5_000 : 30_000), problem });
    return problem;
  };

  return async (html) => {
    const sources = [...new Set(imageSources(html).map((image) => image.src))].filter((s) => /^https?:\/\//i.test(s));
    const problems = await Promise.all(sources.map(async (src) => [src, await check(src)] as const));
    return problems.filter(([, p]) => p !== null).map(([src, p]) => `${src}: ${p}`);
  };
}
