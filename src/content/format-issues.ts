import type { z } from 'zod';
import { plural } from '../plural.ts';

const A_OR_AN: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  null: 'null',
};

/** How a JSON value is described to a person: "a string", "the number 1.5", "null", "an array". */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value.length <= 40 ? `the string ${JSON.stringify(value)}` : 'a string';
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

/**
 * A zod error map with messages for people editing JSON by hand: "Required" for a missing field,
 * "Expected a string, got the number 3" for a wrong type, "Unknown key "colour"" for a typo.
 * Pass it to every parse at the edge: `Schema.safeParse(value, { error: readableErrors })`.
 * Schema-level messages (URLs, dates, ids) still win over it; anything it does not cover keeps zod's text.
 */
export const readableErrors: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'Required';
      const expected = A_OR_AN[issue.expected] ?? issue.expected;
      return `Expected ${expected}, got ${describeValue(issue.input)}`;
    }
    case 'unrecognized_keys': {
      const keys = issue.keys.map((k) => JSON.stringify(k)).join(', ');
      // The strict object that refused the key knows which keys it takes; naming them points at the typo.
      const shape = (issue.inst?._zod.def as { shape?: Record<string, unknown> } | undefined)?.shape;
      const allowed = shape ? ` (allowed: ${Object.keys(shape).join(', ')})` : '';
      return `Unknown key${issue.keys.length === 1 ? '' : 's'} ${keys}${allowed}`;
    }
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'Must not be empty';
      if (issue.origin === 'array') return `Must have at least ${plural(Number(issue.minimum), 'item')}`;
      if (issue.origin === 'number' || issue.origin === 'int') {
        return `Must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}, got ${describeValue(issue.input)}`;
      }
      return undefined;
    case 'too_big':
      if (issue.origin === 'number' || issue.origin === 'int') {
        return `Must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}, got ${describeValue(issue.input)}`;
      }
      return undefined;
    default:
      return undefined;
  }
};

/** Renders a zod issue path the way the README documents it: `[3].author.name`, `tags[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/**
 * One line per issue: `file: path: message` (the path is left out for problems with the whole value).
 * `at` prefixes every path, for a value validated on its own inside a larger file (`[3]`).
 */
export function formatIssues(file: string, error: z.ZodError, at: readonly PropertyKey[] = []): string[] {
  return error.issues.map((issue) => {
    const path = formatPath([...at, ...issue.path]);
    let message = issue.message;
    // Issues carry `input` only when parsed with reportInput; without it, zod's own text stays (it is accurate).
    if (issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined) message = 'Required';
    return path ? `${file}: ${path}: ${message}` : `${file}: ${message}`;
  });
}

/**
 * The offset at which `text` stops being JSON (RFC 8259), for the engine messages that carry no position
 * (Node 20 says only "Unexpected token '}', ... is not valid JSON" or "Unexpected end of JSON input").
 * Returns -1 when the text is valid.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string): boolean => {
    for (const ch of word) {
      if (text[i] !== ch) return false;
      i++;
    }
    return true;
  };
  const string = (): boolean => {
    i++; // opening quote
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === '"') {
        i++;
        return true;
      }
      if (ch < ' ') return false;
      if (ch === '\\') {
        i++;
        const esc = text[i];
        if (esc === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) return ((i += k), false);
          i += 5;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) i++;
        else return false;
      } else i++;
    }
    return false;
  };
  const number = (): boolean => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match || match[0] === '' || match[0] === '-') return false;
    i += match[0].length;
    return true;
  };
  const value = (): boolean => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') return (i++, true);
      for (;;) {
        ws();
        if (text[i] !== '"' || !string()) return false;
        ws();
        if (text[i] !== ':') return false;
        i++;
        if (!value()) return false;
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return (i++, true);
        else return false;
      }
    }
    if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') return (i++, true);
      for (;;) {
        if (!value()) return false;
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return (i++, true);
        else return false;
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    return number();
  };
  if (!value()) return i;
  ws();
  return i < text.length ? i : -1;
}

/**
 * Parses JSON, turning the engine's "at position N" (or our own scan, when the engine gives none) into a
 * line and column a person can find. Returns either the value or a message naming the file and the position.
 * A leading byte-order mark, which some Windows editors write, is ignored.
 */
export function parseJson(file: string, text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    if (text.trim() === '') return { ok: false, message: `${file}: not valid JSON: the file is empty` };
    const match = /position (\d+)/.exec(raw);
    const offset = match ? Number(match[1]) : jsonErrorOffset(text);
    let where = '';
    if (offset >= 0) {
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      const column = offset - before.lastIndexOf('\n');
      where = ` at line ${line}, column ${column}`;
    }
    // Drop the engine's position and its echo of the source ('"{"a": tru}" is not valid JSON').
    const reason = raw
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/\s*\(line \d+ column \d+\)$/, '')
      .replace(/, (\.\.\.)?".*$/s, '')
      // One problem, one line: a control character the engine quotes is shown escaped ('\n').
      .replace(/[\u0000-\u001f]/g, (ch) => JSON.stringify(ch).slice(1, -1));
    return { ok: false, message: `${file}: not valid JSON${where}: ${reason}` };
  }
}
