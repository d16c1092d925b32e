import { Parser } from 'htmlparser2';

/** Elements whose content is never text a reader should see (code, styles, embedded documents, media). */
const HIDDEN = new Set(['script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'math', 'head', 'title', 'figure', 'video', 'audio', 'canvas', 'select', 'button', 'form']);

/** Elements that start a new paragraph of plain text. */
const BLOCK = new Set([
  'p', 'div', 'section', 'article', 'header', 'footer', 'aside', 'main', 'nav', 'blockquote', 'pre', 'address',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'table', 'tr', 'hr', 'br', 'body', 'html',
]);

/** Void elements never get a closing tag, so they must not open a hidden span. */
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

// C0/C1 controls (other than whitespace) and the Unicode bidi overrides have no place in a headline or paragraph.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function tidy(text: string): string {
  return text.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
}

/**
 * The readable paragraphs of an HTML fragment, as plain text: tags removed, entities decoded, scripts,
 * styles and embedded media dropped, one string per block (paragraph, heading, list item). A real HTML
 * parser (htmlparser2) rather than regular expressions, so `<scr<script>ipt>` and unclosed tags cannot
 * smuggle markup through.
 *
 * @example
 * htmlToParagraphs('<p>One &amp; two</p><script>x()</script><p>Three</p>'); // ['One & two', 'Three']
 */
export function htmlToParagraphs(html: string): string[] {
  const paragraphs: string[] = [];
  let current = '';
  let hidden = 0;
  const flush = () => {
    const text = tidy(current);
    if (text !== '') paragraphs.push(text);
    current = '';
  };
  const parser = new Parser(
    {
      onopentag(name) {
        if (HIDDEN.has(name)) {
          if (!VOID.has(name)) hidden++;
          return;
        }
        if (BLOCK.has(name)) flush();
      },
      ontext(text) {
        if (hidden === 0) current += text;
      },
      onclosetag(name) {
        if (HIDDEN.has(name)) {
          if (!VOID.has(name)) hidden = Math.max(0, hidden - 1);
          return;
        }
        if (BLOCK.has(name)) flush();
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  flush();
  return paragraphs;
}

/**
 * An HTML fragment (a title, an excerpt) as one line of plain text.
 *
 * @example
 * htmlToText('Council &amp; mayor <b>agree</b>'); // 'Council & mayor agree'
 */
export function htmlToText(html: string): string {
  return htmlToParagraphs(html).join(' ');
}

/**
 * Plain text cut at the end of a sentence so it fits in `max` characters: as many whole sentences as fit,
 * or, when even the first is longer, the first at a word boundary with an ellipsis. Trailing "[…]" and
 * "Continue reading" links that CMS excerpts append are removed first.
 *
 * @example
 * cutAtSentence('One. Two is longer. Three.', 12); // 'One.'
 */
export function cutAtSentence(text: string, max = 280): string {
  const clean = tidy(text)
    .replace(/\s*(Continue reading|Read more)\b.*$/iu, '')
    .replace(/\s*(\[(…|\.\.\.)\]|…|\.\.\.)\s*$/u, '')
    .trim();
  if (clean.length <= max) return clean;
  const sentences = clean.match(/[^.!?]+(?:[.!?]+["'”’)\]]*|$)\s*/gu) ?? [clean];
  let out = '';
  for (const sentence of sentences) {
    if ((out + sentence).trimEnd().length > max) break;
    out += sentence;
  }
  if (out.trim() !== '') return out.trim();
  const cut = clean.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:–—-]+$/u, '')}…`;
}
