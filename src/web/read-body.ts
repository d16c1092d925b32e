import { HttpError } from './http-error.ts';

/** Sign-up bodies are tiny; 16 KB is generous and keeps a flood cheap. */
export const MAX_BODY_BYTES = 16 * 1024;

export type ParsedBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; fields: Map<string, string[]> };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new HttpError(400, "The request isn't valid UTF-8 text. Please send it again from the form.");
  }
}

/** Reads at most MAX_BODY_BYTES, whatever Content-Length claims (a chunked body has none). */
async function readLimited(request: Request, limit: number, incoming?: NodeJS.ReadableStream): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (incoming) {
    // Straight from Node's IncomingMessage: no web-stream adapter on the hot path. Past the limit we
    // stop keeping data but do not destroy the socket, so the 413 can still be written back.
    return new Promise<Uint8Array>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        incoming.off('data', onData);
        incoming.off('end', onEnd);
        incoming.off('error', onError);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > limit) {
          done();
          incoming.resume(); // discard the rest
          reject(tooLarge(limit));
        } else chunks.push(chunk);
      };
      const onEnd = () => {
        done();
        resolve(Buffer.concat(chunks, size));
      };
      const onError = (error: Error) => {
        done();
        reject(new HttpError(400, 'The request body could not be read.', { cause: error }));
      };
      incoming.on('data', onData);
      incoming.on('end', onEnd);
      incoming.on('error', onError);
    });
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `The request is too large: at most ${Math.round(limit / 1024)} KB.`);
}

function percentDecode(text: string): string {
  const plus = text.replace(/\+/g, ' ');
  if (!plus.includes('%')) return plus;
  // Work on bytes: '%' and hex digits are ASCII, so escapes and raw UTF-8 mix safely.
  const input = Buffer.from(plus, 'utf8');
  const out = Buffer.alloc(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    if (input[i] === 0x25) {
      const hex = input.subarray(i + 1, i + 3).toString('latin1');
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new HttpError(400, 'The form data is garbled (a stray "%"). Please send it again from the form.');
      out[n++] = parseInt(hex, 16);
      i += 2;
    } else {
      out[n++] = input[i]!;
    }
  }
  return decodeUtf8(out.subarray(0, n));
}

/**
 * application/x-www-form-urlencoded with strict UTF-8: URLSearchParams would silently turn bad bytes
 * into U+FFFD, and a mangled address must be refused, not stored.
 */
export function parseUrlEncoded(text: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = percentDecode(eq < 0 ? pair : pair.slice(0, eq));
    const value = percentDecode(eq < 0 ? '' : pair.slice(eq + 1));
    fields.set(key, [...(fields.get(key) ?? []), value]);
  }
  return fields;
}

/**
 * Reads and decodes a POST body: JSON, form-encoded, and (when `multipart` is allowed, for RFC 8058
 * one-click unsubscribe) multipart/form-data. Anything else is 415; over the limit is 413.
 */
export async function readBody(
  request: Request,
  options: { multipart?: boolean; limit?: number; allowEmpty?: boolean; incoming?: NodeJS.ReadableStream } = {},
): Promise<ParsedBody> {
  const limit = options.limit ?? MAX_BODY_BYTES;
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const charset = /charset\s*=\s*"?([^";]+)/i.exec(request.headers.get('content-type') ?? '')?.[1]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw new HttpError(415, 'Please send the request as UTF-8.');
  }
  if (type === 'application/json') {
    const text = decodeUtf8(await readLimited(request, limit, options.incoming));
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'The request body is not valid JSON.');
    }
    return { kind: 'json', value };
  }
  if (type === 'application/x-www-form-urlencoded') {
    return { kind: 'form', fields: parseUrlEncoded(decodeUtf8(await readLimited(request, limit, options.incoming))) };
  }
  if (type === 'multipart/form-data' && options.multipart) {
    const bytes = await readLimited(request, limit, options.incoming);
    let form: FormData;
    try {
      form = await new Response(Buffer.from(bytes), { headers: { 'content-type': request.headers.get('content-type')! } }).formData();
    } catch {
      throw new HttpError(400, 'The multipart form data is garbled.');
    }
    const fields = new Map<string, string[]>();
    form.forEach((value, key) => {
      if (typeof value === 'string') fields.set(key, [...(fields.get(key) ?? []), value]);
    });
    return { kind: 'form', fields };
  }
  if (type === '' && options.allowEmpty) {
    const bytes = await readLimited(request, limit, options.incoming);
    if (bytes.byteLength === 0) return { kind: 'form', fields: new Map() };
  }
  throw new HttpError(
    415,
    options.multipart
      ? 'Send the form as application/x-www-form-urlencoded, multipart/form-data or application/json.'
      : 'Send the form as application/x-www-form-urlencoded or application/json.',
  );
}
