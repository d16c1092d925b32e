import { parseDocument } from 'htmlparser2';

/**
 * An email-client lint over a real HTML parser (htmlparser2), for what mail clients strip, break or
 * refuse. Each rule names one fault; `daybreak build` prints the findings as warnings and the
 * tests require every shipped template's output to have none.
 *
 * Rules:
 * - `no-script`: no `<script>` (every webmail client strips it; some spam filters score it).
 * - `no-forms`: no `<form>`, `<input>`, `<button>`, `<select>`, `<textarea>` (Gmail and Outlook disable them).
 * - `no-external-css`: no `<link rel=stylesheet>` and no `@import` in `<style>` (clients do not fetch CSS).
 * - `no-flex-grid`: no `display: flex | inline-flex | grid | inline-grid`, inline or in `<style>`
 *   (Outlook's Word engine and many Gmail apps ignore them; layouts must be tables).
 * - `img-attributes`: every `<img>` has `alt` (may be empty for decoration), `width` and `height`.
 * - `absolute-links`: every `<a href>`/`<area href>` is absolute http(s) or mailto (no `javascript:`,
 *   no relative or fragment links: there is no base URL in an inbox).
 * - `html-lang`: `<html lang>` is set (screen readers pick the voice from it).
 * - `preheader`: a preheader exists (see {@link findPreheader} for how it is detected).
 * - `size`: the HTML is under 102 KB (102 × 1024 bytes of UTF-8): Gmail clips longer messages.
 */
export type LintRule =
  | 'no-script'
  | 'no-forms'
  | 'no-external-css'
  | 'no-flex-grid'
  | 'img-attributes'
  | 'absolute-links'
  | 'html-lang'
  | 'preheader'
  | 'size';

export interface LintFinding {
  rule: LintRule;
  message: string;
  /** Where in the HTML: `line N <tag …>` or `line N <style>`. */
  where?: string;
}

/** Gmail clips a message body longer than about 102 KB. */
export const GMAIL_CLIP_BYTES = 102 * 1024;

const FORM_TAGS = new Set(['form', 'input', 'button', 'select', 'textarea']);
const FLEX_GRID = new Set(['flex', 'inline-flex', 'grid', 'inline-grid']);
// Zero-width and spacing characters React Email and others pad preheaders with; they are not text.
const INVISIBLE = /[\s\u00a0\u034f\u200b-\u200f\u2028\u2029\u202f\u2060\ufeff\u00ad]/g;

/** The parts of htmlparser2's DOM nodes this lint reads (structural, to stay independent of domhandler's version). */
interface DomNode {
  type: string;
  name?: string;
  attribs?: Record<string, string>;
  children?: DomNode[];
  data?: string;
  startIndex: number | null;
}

/**
 * Lints one rendered email's HTML.
 *
 * @example
 * for (const f of lintEmail(html)) console.warn(`${f.rule}: ${f.message} (${f.where})`);
 */
export function lintEmail(html: string): LintFinding[] {
  const findings: LintFinding[] = [];
  const doc = parseDocument(html, { withStartIndices: true, lowerCaseTags: true, lowerCaseAttributeNames: true }) as unknown as DomNode;
  const lineOf = lineLocator(html);
  const where = (node: DomNode): string => `line ${lineOf(node.startIndex ?? 0)} ${describeTag(node)}`;

  let htmlElement: DomNode | undefined;
  let body: DomNode | undefined;

  walk(doc, (node) => {
    if (!isElement(node)) return;
    const name = node.name!;
    const attribs = node.attribs ?? {};
    if (name === 'html' && !htmlElement) htmlElement = node;
    if (name === 'body' && !body) body = node;

    if (name === 'script') {
      findings.push({ rule: 'no-script', message: 'Remove <script>: mail clients strip scripts', where: where(node) });
    }
    if (FORM_TAGS.has(name)) {
      findings.push({ rule: 'no-forms', message: `Remove <${name}>: forms do not work in most mail clients`, where: where(node) });
    }
    if (name === 'link' && relTokens(attribs.rel).includes('stylesheet')) {
      findings.push({ rule: 'no-external-css', message: 'Inline the CSS: mail clients do not load <link rel=stylesheet>', where: where(node) });
    }
    if (name === 'style') {
      const css = textOf(node);
      for (const d of cssDeclarations(css)) {
        if (d.atImport) {
          findings.push({ rule: 'no-external-css', message: `Inline the CSS: mail clients do not load @import (${d.value})`, where: `line ${lineOf(node.startIndex ?? 0)} <style>` });
        } else if (isFlexOrGrid(d)) {
          findings.push({ rule: 'no-flex-grid', message: `Use tables instead of display:${d.value} in <style>`, where: `line ${lineOf(node.startIndex ?? 0)} <style>` });
        }
      }
    }
    if (attribs.style !== undefined) {
      for (const d of cssDeclarations(attribs.style)) {
        if (isFlexOrGrid(d)) {
          findings.push({ rule: 'no-flex-grid', message: `Use tables instead of inline display:${d.value}`, where: where(node) });
        }
      }
    }
    if (name === 'img') {
      const missing = ['alt', 'width', 'height'].filter((a) => attribs[a] === undefined || (a !== 'alt' && attribs[a]!.trim() === ''));
      if (missing.length > 0) {
        findings.push({ rule: 'img-attributes', message: `<img> lacks ${missing.join(', ')}`, where: where(node) });
      }
    }
    if ((name === 'a' || name === 'area') && attribs.href !== undefined && !isAbsoluteLink(attribs.href)) {
      findings.push({
        rule: 'absolute-links',
        message: `Link "${truncate(attribs.href, 60)}" is not an absolute http(s) or mailto URL`,
        where: where(node),
      });
    }
  });

  const lang = htmlElement?.attribs?.lang?.trim();
  if (!htmlElement) {
    findings.push({ rule: 'html-lang', message: 'No <html> element: add <html lang="…">' });
  } else if (!lang) {
    findings.push({ rule: 'html-lang', message: 'Set <html lang="…"> so screen readers use the right language', where: where(htmlElement) });
  }

  if (findPreheader(body ?? doc) === null) {
    findings.push({
      rule: 'preheader',
      message: 'No preheader: add a hidden (display:none) element with text before the first visible text of <body>',
    });
  }

  const bytes = Buffer.byteLength(html, 'utf8');
  if (bytes >= GMAIL_CLIP_BYTES) {
    findings.push({
      rule: 'size',
      message: `HTML is ${(bytes / 1024).toFixed(1)} KB; Gmail clips messages of 102 KB and more`,
    });
  }
  return findings;
}

/**
 * Finds the preheader: the text of the first hidden element (its inline style, or an ancestor's, says
 * `display:none`) holding real text (not only spaces and the zero-width characters used as padding),
 * reached in document order before any visible text of `<body>`. That is what inbox lists show beside
 * the subject. React Email's `<Preview>` and MJML's `<mj-preview>` both emit exactly this shape.
 * Returns null when the first text of the body is visible, or there is no text at all.
 */
function findPreheader(root: DomNode): string | null {
  let result: string | null = null;
  let done = false;
  const visit = (node: DomNode, hidden: boolean): void => {
    if (done) return;
    if (node.type === 'text') {
      const text = (node.data ?? '').replace(INVISIBLE, '');
      if (text === '') return;
      // The first real text decides: hidden means it is the preheader, visible means there is none.
      done = true;
      if (hidden) result = (node.data ?? '').replace(INVISIBLE, ' ').replace(/\s+/g, ' ').trim();
      return;
    }
    if (node.type === 'comment' || node.type === 'directive' || node.type === 'script' || node.type === 'style') return;
    if (isElement(node) && (node.name === 'head' || node.name === 'title')) return;
    const nowHidden = hidden || (isElement(node) && isHidden(node));
    for (const child of node.children ?? []) visit(child, nowHidden);
  };
  visit(root, false);
  return result;
}

/** The preheader text of an HTML document, or null (see {@link findPreheader}). */
export function preheaderOf(html: string): string | null {
  const doc = parseDocument(html, { lowerCaseTags: true }) as unknown as DomNode;
  let body: DomNode | undefined;
  walk(doc, (n) => {
    if (!body && isElement(n) && n.name === 'body') body = n;
  });
  return findPreheader(body ?? doc);
}

function isHidden(node: DomNode): boolean {
  const style = node.attribs?.style;
  if (style === undefined) return false;
  return cssDeclarations(style).some((d) => d.property === 'display' && d.value === 'none');
}

function isFlexOrGrid(d: CssDeclaration): boolean {
  return d.property === 'display' && FLEX_GRID.has(d.value);
}

function isAbsoluteLink(href: string): boolean {
  const value = href.trim();
  if (/^mailto:/i.test(value)) return value.length > 'mailto:'.length;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '';
  } catch {
    return false;
  }
}

function isElement(node: DomNode): boolean {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

function walk(node: DomNode, fn: (node: DomNode) => void): void {
  fn(node);
  for (const child of node.children ?? []) walk(child, fn);
}

function textOf(node: DomNode): string {
  if (node.type === 'text') return node.data ?? '';
  return (node.children ?? []).map(textOf).join('');
}

function relTokens(rel: string | undefined): string[] {
  return (rel ?? '').toLowerCase().split(/\s+/).filter(Boolean);
}

function describeTag(node: DomNode): string {
  const attrs = Object.entries(node.attribs ?? {})
    .slice(0, 3)
    .map(([k, v]) => ` ${k}="${truncate(v, 40)}"`)
    .join('');
  return `<${node.name}${attrs}>`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function lineLocator(text: string): (index: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (index) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

interface CssDeclaration {
  property: string;
  /** Lower-cased, without `!important` and surrounding space. */
  value: string;
  atImport?: boolean;
}

/**
 * A small CSS tokenizer, enough to find declarations in a style attribute or a `<style>` block
 * (including inside `@media`): it skips comments and strings, keeps `;` inside parentheses
 * (`url(data:…;base64,…)`), and splits at `;`, `{` and `}`. A chunk ending in `{` is a selector or an
 * at-rule prelude, not a declaration.
 */
export function cssDeclarations(css: string): CssDeclaration[] {
  const out: CssDeclaration[] = [];
  let chunk = '';
  let depth = 0;
  const flush = (terminator: string): void => {
    const text = chunk.trim();
    chunk = '';
    if (text === '' || terminator === '{') return;
    if (/^@import\b/i.test(text)) {
      out.push({ property: '@import', value: text.slice(7).trim(), atImport: true });
      return;
    }
    const colon = text.indexOf(':');
    if (colon <= 0) return;
    const property = text.slice(0, colon).trim().toLowerCase();
    const value = text
      .slice(colon + 1)
      .replace(/!\s*important\s*$/i, '')
      .trim()
      .toLowerCase();
    out.push({ property, value });
  };
  for (let i = 0; i < css.length; i++) {
    const c = css[i]!;
    if (c === '/' && css[i + 1] === '*') {
      const end = css.indexOf('*/', i + 2);
      i = end === -1 ? css.length : end + 1;
      chunk += ' ';
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < css.length && css[j] !== c) j += css[j] === '\\' ? 2 : 1;
      chunk += css.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === '(') depth++;
    if (c === ')') depth = Math.max(0, depth - 1);
    if (depth === 0 && (c === ';' || c === '{' || c === '}')) {
      flush(c);
      continue;
    }
    chunk += c;
  }
  flush(';');
  return out;
}
