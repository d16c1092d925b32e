import type { ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { DaybreakError } from '../errors.ts';

/** One MJML validation or parse problem, as MJML reports it. */
export interface MjmlProblem {
  line: number;
  tagName: string;
  message: string;
}

/**
 * The MJML engine. An MJML template is TSX emitting `mj-*` elements (typed in
 * mjml-engine-jsx.d.ts); React DOM renders the tree to MJML markup, which `mjml` compiles to email HTML
 * under strict validation. Text and attribute values are escaped once, by React, exactly as the React
 * Email engine escapes them, and MJML passes them through untouched: so reader placeholders survive
 * compilation and a substituted copy equals a full render (tests/templates/compact.test.ts).
 *
 * Any MJML problem throws DaybreakError('ETEMPLATE') naming the template, the line of the generated MJML
 * and MJML's message, with that line quoted in `details`; the caller writes nothing.
 *
 * @example
 * const html = await renderMjml(<Compact view={view} reader={reader} />, { template: 'compact' });
 */
export async function renderMjml(element: ReactElement, options: { template: string }): Promise<string> {
  const markup = toMjmlMarkup(element);
  let problems: MjmlProblem[];
  let html: string | undefined;
  try {
    // Loaded on first use: mjml and its html-minifier/juice tree cost tens of MB of resident memory that a
    // send of a React Email design (and the sign-up server) should not pay for (RSS target).
    const { default: mjml2html } = await import('mjml');
    // fonts: {} stops MJML adding <link rel=stylesheet> for web fonts (the lint forbids external CSS).
    const result = await mjml2html(markup, { validationLevel: 'strict', fonts: {}, keepComments: false });
    problems = (result.errors ?? []).map(toProblem);
    html = result.html;
  } catch (error) {
    const reported = (error as { errors?: unknown[] }).errors;
    if (!Array.isArray(reported)) {
      throw new DaybreakError('ETEMPLATE', `Template "${options.template}": MJML failed: ${(error as Error).message}`, { cause: error });
    }
    problems = reported.map(toProblem);
  }
  if (problems.length > 0 || html === undefined) throw mjmlError(options.template, markup, problems);
  return collapseLayoutWhitespace(html);
}

/**
 * Drops the indentation MJML writes between and inside its tags: about a quarter of the output, which
 * matters under Gmail's 102 KB clip. MJML's own minifier (htmlnano) costs ~0.4 s per render; this costs
 * nothing. It only removes a newline run that sits between two tags, before an attribute (`name="`) or
 * before a tag's closing `>`: React escapes `<`, `>` and `"` in every text and attribute value, so none
 * of these patterns can occur inside content, and a reader's substituted value can never change what
 * is removed (personalization stays byte-identical to a full render).
 */
export function collapseLayoutWhitespace(html: string): string {
  return html
    .replace(/>[ \t]*\n\s*</g, '><')
    .replace(/\s*\n\s*(?=[a-zA-Z-]+=")/g, ' ')
    .replace(/\s*\n\s*>/g, '>');
}

/**
 * The MJML markup of a TSX tree, one `mj-*` element per line so MJML's line numbers point somewhere
 * useful. Newlines go only before opening `<mj-` tags, which never occur inside the raw HTML content of
 * mj-text/mj-button (MJML's "ending tags"), so no text changes.
 */
export function toMjmlMarkup(element: ReactElement): string {
  return renderToStaticMarkup(element).replace(/>(?=<mj-)/g, '>\n').replace(/>(?=<\/mj-(?:body|head|section|column|wrapper|group|attributes)>|<\/mjml>)/g, '>\n');
}

function toProblem(raw: unknown): MjmlProblem {
  const e = raw as { line?: number; tagName?: string; message?: string; formattedMessage?: string };
  return { line: e.line ?? 0, tagName: e.tagName ?? '?', message: e.message ?? e.formattedMessage ?? String(raw) };
}

function mjmlError(template: string, markup: string, problems: MjmlProblem[]): DaybreakError {
  const lines = markup.split('\n');
  const details = problems.map((p) => {
    const source = (lines[p.line - 1] ?? '').trim();
    const quoted = source.length > 120 ? `${source.slice(0, 119)}…` : source;
    return `template "${template}", MJML line ${p.line} (${p.tagName}): ${p.message}${quoted ? ` — ${quoted}` : ''}`;
  });
  const first = problems[0];
  const summary = first
    ? `Template "${template}" does not compile: MJML line ${first.line} (${first.tagName}): ${first.message}` +
      (problems.length > 1 ? ` (and ${problems.length - 1} more)` : '')
    : `Template "${template}" produced no HTML`;
  return new DaybreakError('ETEMPLATE', summary, { details });
}
