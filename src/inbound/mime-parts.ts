/**
 * Just enough MIME to read a report (RFC 6522 multipart/report): header fields, content types with
 * their parameters, and the parts of a multipart body, nested. Reports are machine-written and simple;
 * anything this cannot read is classified `unknown` and changes nothing.
 */

/** One header field, name lower-cased, value unfolded (RFC 5322 §2.2.3). */
export interface HeaderField {
  name: string;
  value: string;
}

export interface MimePart {
  headers: HeaderField[];
  /** The content type, lower-cased, e.g. `message/delivery-status`; `text/plain` when none is given. */
  type: string;
  params: Record<string, string>;
  /** The body as it came (transfer encoding not undone), CRLF or LF line ends. */
  body: string;
  /** Nested parts of a multipart body. */
  parts: MimePart[];
}

/** Splits a message (or a part) into its header block and body at the first empty line. */
export function splitHeaderBody(text: string): { head: string; body: string } {
  const match = /\r?\n\r?\n/.exec(text);
  if (!match) return { head: text, body: '' };
  return { head: text.slice(0, match.index), body: text.slice(match.index + match[0].length) };
}

/**
 * Header fields of a header block (also of a delivery-status or feedback-report group, which use the
 * same syntax, RFC 3464 §2.1 and RFC 5965 §3.1).
 */
export function parseHeaderFields(head: string): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && fields.length > 0) {
      fields[fields.length - 1]!.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
  }
  return fields;
}

/** The first field of that name (lower case), or undefined. */
export function field(fields: HeaderField[], name: string): string | undefined {
  return fields.find((f) => f.name === name)?.value;
}

/** `type/subtype; a=b; c="d"` → the lower-cased type and its parameters (names lower-cased). */
export function parseContentType(value: string | undefined): { type: string; params: Record<string, string> } {
  if (!value) return { type: 'text/plain', params: {} };
  const [type, ...rest] = value.split(';');
  const params: Record<string, string> = {};
  const re = /([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/g;
  const tail = rest.join(';');
  for (let m = re.exec(tail); m; m = re.exec(tail)) params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  return { type: type!.trim().toLowerCase() || 'text/plain', params };
}

/** Parses a message or part, recursing into multipart bodies (at most 8 levels deep). */
export function parseMime(text: string, depth = 0): MimePart {
  const { head, body } = splitHeaderBody(text);
  const headers = parseHeaderFields(head);
  const { type, params } = parseContentType(field(headers, 'content-type'));
  const part: MimePart = { headers, type, params, body, parts: [] };
  if (type.startsWith('multipart/') && params.boundary && depth < 8) {
    const delimiter = `--${params.boundary}`;
    const lines = body.split(/\r?\n/);
    let current: string[] | null = null;
    for (const line of lines) {
      const trimmed = line.trimEnd();
      if (trimmed === delimiter || trimmed === `${delimiter}--`) {
        if (current) part.parts.push(parseMime(current.join('\r\n'), depth + 1));
        current = trimmed === delimiter ? [] : null;
        if (trimmed !== delimiter) break;
        continue;
      }
      current?.push(line);
    }
  }
  return part;
}

/** Every part in the tree, depth first (the root included). */
export function allParts(root: MimePart): MimePart[] {
  return [root, ...root.parts.flatMap(allParts)];
}

/** A part's body with its Content-Transfer-Encoding (base64, quoted-printable) undone, as UTF-8 text. */
export function decodedBody(part: MimePart): string {
  const encoding = (field(part.headers, 'content-transfer-encoding') ?? '').toLowerCase();
  if (encoding === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = Buffer.from(
      part.body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    );
    return bytes.toString('utf8');
  }
  return part.body;
}

/**
 * The groups of a delivery-status or feedback-report body: blocks of fields separated by empty lines
 * (RFC 3464 §2.1: the per-message group, then one group per recipient).
 */
export function fieldGroups(body: string): HeaderField[][] {
  return body
    .split(/\r?\n[ \t]*\r?\n/)
    .map((block) => parseHeaderFields(block))
    .filter((group) => group.length > 0);
}
