import type { z } from 'zod';

/** Renders a zod issue path the way the README documents it: `[3].author.name`, `tags[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** One line per issue: `file: path: message` (the path is left out for problems with the whole value). */
export function formatIssues(file: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    let message = issue.message;
    if (issue.code === 'invalid_type' && issue.input === undefined) message = 'Required';
    return path ? `${file}: ${path}: ${message}` : `${file}: ${message}`;
  });
}

/**
 * Parses JSON, turning the engine's "at position N" into a line and column a person can find.
 * Returns either the value or a message naming the file and the position.
 */
export function parseJson(file: string, text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    const match = /position (\d+)/.exec(raw);
    let where = '';
    if (match) {
      const position = Number(match[1]);
      const before = text.slice(0, position);
      const line = before.split('\n').length;
      const column = position - before.lastIndexOf('\n');
      where = ` at line ${line}, column ${column}`;
    } else if (text.trim() === '') {
      where = ' (the file is empty)';
    }
    const reason = raw.replace(/ in JSON at position \d+.*$/s, '').replace(/\s*\(line \d+ column \d+\)$/, '');
    return { ok: false, message: `${file}: not valid JSON${where}: ${reason}` };
  }
}
