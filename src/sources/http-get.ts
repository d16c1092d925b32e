import { DaybreakError } from '../errors.ts';

export interface HttpGetOptions {
  headers?: Record<string, string>;
  /** Validators from the last successful read (RFC 9110 §13.1): a 304 answer means nothing changed. */
  etag?: string | null;
  lastModified?: string | null;
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  /** Aborts the read (the process is stopping). */
  signal?: AbortSignal;
}

export type HttpGetResult =
  | { status: 'not-modified'; url: string }
  | { status: 'ok'; url: string; text: string; contentType: string; etag: string | null; lastModified: string | null };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function fail(message: string, cause?: unknown): never {
  throw new DaybreakError('ESOURCE', message, cause === undefined ? {} : { cause });
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(1)} MB` : `${+(bytes / 1024).toFixed(1)} KB`;
}

/**
 * The charset to decode a body with: the Content-Type's charset parameter wins (RFC 7303 §3.2 for XML,
 * RFC 8259 for JSON), then a byte-order mark, then the XML declaration's `encoding`, then UTF-8.
 */
function charsetOf(contentType: string, bytes: Uint8Array): string {
  const param = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1];
  if (param) return param;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  const declared = /^<\?xml[^>]*\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
  return declared ?? 'utf-8';
}

/**
 * windows-1252's bytes 0x80–0x9F (WHATWG Encoding: the labels "iso-8859-1", "latin1" and "ascii" all mean
 * windows-1252). Node 20's TextDecoder decodes them as the C1 controls U+0080–U+009F instead, which
 * would turn a publisher's curly quotes into invisible characters; they are mapped here.
 */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

function decode(bytes: Uint8Array, contentType: string): string {
  const charset = charsetOf(contentType, bytes);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch (error) {
    fail(`the response's charset "${charset}" is not one this system can decode`, error);
  }
  const text = decoder.decode(bytes);
  return decoder.encoding === 'windows-1252' ? text.replace(/[\u0080-\u009f]/g, (ch) => CP1252_HIGH[ch.charCodeAt(0) - 0x80]!) : text;
}

/** Reads a body to its end, stopping (and failing) as soon as it passes `maxBytes`. */
async function readLimited(response: Response, maxBytes: number, abort: () => void): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  // With Content-Encoding the header counts compressed bytes; only the bytes as read are checked then.
  if (!response.headers.get('content-encoding') && Number.isFinite(declared) && declared > maxBytes) {
    abort();
    fail(`the response is ${sizeText(declared)}, over the limit of ${sizeText(maxBytes)} (maxBytes)`);
  }
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      abort();
      fail(`the response is over the limit of ${sizeText(maxBytes)} (maxBytes)`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * GET with the limits a source is read under: one deadline for the whole read (connecting, every
 * redirect and the body, so a server that trickles a byte a second is cut off), a cap on the body after
 * decompression (gzip, deflate and br are accepted and counted at their real size), a cap on redirects,
 * http(s) only at every hop. Conditional request headers come from the last read's validators.
 * Throws DaybreakError ESOURCE with a sentence a person can act on.
 *
 * @example
 * const res = await httpGet('https://news.example/feed', { maxBytes: 10e6, timeoutMs: 30e3, maxRedirects: 5 });
 */
export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpGetResult> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort);
  const headers: Record<string, string> = {
    accept: 'application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5',
    'accept-encoding': 'gzip, deflate, br',
    'user-agent': 'Daybreak (newsletter feed reader)',
    ...lowerKeys(options.headers ?? {}),
  };
  if (options.etag) headers['if-none-match'] = options.etag;
  if (options.lastModified) headers['if-modified-since'] = options.lastModified;
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      const response = await fetch(current, { headers, redirect: 'manual', signal: controller.signal });
      if (REDIRECTS.has(response.status)) {
        await response.body?.cancel();
        const location = response.headers.get('location');
        if (!location) fail(`${current} answered ${response.status} without a Location to follow`);
        if (hop >= options.maxRedirects) fail(`more than ${options.maxRedirects} redirects (maxRedirects), the last to ${new URL(location, current).href}`);
        const next = new URL(location, current);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') fail(`redirected to ${next.href}, which is not an http(s) URL`);
        current = next.href;
        continue;
      }
      if (response.status === 304) {
        await response.body?.cancel();
        return { status: 'not-modified', url: current };
      }
      if (response.status < 200 || response.status > 299) {
        await response.body?.cancel();
        fail(`${current} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
      }
      const contentType = response.headers.get('content-type') ?? '';
      const bytes = await readLimited(response, options.maxBytes, () => controller.abort());
      return {
        status: 'ok',
        url: current,
        text: decode(bytes, contentType),
        contentType,
        etag: response.headers.get('etag'),
        lastModified: response.headers.get('last-modified'),
      };
    }
  } catch (error) {
    if (options.signal?.aborted) fail('stopped before the read finished', error);
    if (timedOut) fail(`no complete answer within ${+(options.timeoutMs / 1000).toFixed(1)} s (timeoutMs)`, error);
    if (error instanceof DaybreakError) throw error;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    return fail(`could not read ${current}: ${reason}`, error);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
