/** How much of a preheader inbox lists show at most; longer text is cut mid-word by the client. */
export const PREHEADER_MAX_CHARS = 140;

/**
 * Invisible filler after the preheader, so an inbox list that shows more than the preheader shows
 * nothing rather than the first words of the masthead ("View in your browser"). Pairs of a combining
 * grapheme joiner and a no-break space: no client collapses them, and none renders them.
 */
export const PREHEADER_PADDING = '\u034f\u00a0'.repeat(90);

const SENTENCE = /[^.!?]+[.!?]+["”’)\]]*(\s+|$)/g;

/**
 * A preheader that ends on a whole sentence: as many of the summary's sentences as fit in `max`
 * characters (the first cut at a word, with an ellipsis, when even it is too long), then "Also: <the next
 * headline>" when that fits too.
 *
 * @example
 * preheaderText('Lawmakers return. They are $38 billion apart, and a deal is far off.', 'Storms hit the coast');
 */
export function preheaderText(summary: string, also: string | null, max = PREHEADER_MAX_CHARS): string {
  const text = summary.replace(/\s+/g, ' ').trim();
  let out = '';
  for (const match of text.matchAll(SENTENCE)) {
    const next = (out + match[0]).trim();
    if (next.length > max) break;
    out = `${next} `;
  }
  out = out.trim();
  if (!out) {
    // No whole sentence fits: the first one cut at a word boundary.
    const cut = text.length <= max ? text : text.slice(0, max - 1).replace(/\s+\S*$/, '');
    out = text.length <= max ? cut : `${cut}…`;
  }
  if (also) {
    const withAlso = `${out} Also: ${also}`;
    if (withAlso.length <= max) out = withAlso;
  }
  return out;
}
