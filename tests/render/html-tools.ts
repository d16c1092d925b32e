import { parseDocument } from 'htmlparser2';
import type { Element } from 'domhandler';

/** Every element of a document, in document order (a real parser, not regular expressions). */
export function elements(html: string): Element[] {
  const out: Element[] = [];
  const walk = (nodes: unknown[]): void => {
    for (const node of nodes as Array<{ type: string; children?: unknown[] }>) {
      if (node.type === 'tag' || node.type === 'script' || node.type === 'style') out.push(node as unknown as Element);
      if (node.children) walk(node.children);
    }
  };
  walk(parseDocument(html).children);
  return out;
}

/** The text content of an element, entities decoded. */
export function textOf(node: { children?: unknown[]; data?: string; type?: string }): string {
  if (node.type === 'text') return node.data ?? '';
  return (node.children ?? []).map((c) => textOf(c as never)).join('');
}

/** `[href, link text]` of every `<a>`. */
export function links(html: string): Array<[string, string]> {
  return elements(html)
    .filter((e) => e.name === 'a')
    .map((e) => [e.attribs.href ?? '', textOf(e)]);
}
