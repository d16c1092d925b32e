// The `src` of each <img>, quoted either way. Emails are produced by our own renderers and templates,
// which always quote attributes, so a tag-level regex is enough (no HTML parser is loaded for it).
const IMG_SRC = /(<img\b[^>]*?\bsrc\s*=\s*)(?:"([^"]*)"|'([^']*)')/gi;

/** One `<img src>` of a document: the address decoded, and where its raw value stands (inside the quotes). */
export interface ImageSource {
  src: string;
  /** Index of the value's first character in the HTML (just after the opening quote). */
  start: number;
  /** Index just after the value's last character (the closing quote). */
  end: number;
}

function decode(value: string): string {
  return value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

/**
 * Every `<img src>` of an HTML document in document order, with the address as a mail client reads it
 * (entities decoded) and the span of its raw value, so a caller can fetch the images or point some of
 * them elsewhere without touching the rest of the document.
 *
 * @example
 * imageSources('<img alt="" src="https://x.example/a.png?w=1&amp;h=2">');
 * // [{ src: 'https://x.example/a.png?w=1&h=2', start: 18, end: 52 }]
 */
export function imageSources(html: string): ImageSource[] {
  return [...html.matchAll(IMG_SRC)].map((m) => {
    const value = m[2] ?? m[3] ?? '';
    const start = m.index + m[1]!.length + 1;
    return { src: decode(value), start, end: start + value.length };
  });
}
