/**
 * Rewrites an email so that it renders as under `prefers-color-scheme: dark`, for the preview's dark-mode
 * switch. Chromium does not pass an iframe element's `color-scheme` into the framed document's media
 * queries (checked in Chromium 150: `matchMedia('(prefers-color-scheme: dark)')` stays false inside the
 * frame), and the switch must not flip the editor's whole browser, so the preview serves a copy whose
 * `<style>` blocks have the dark queries turned on and the light ones off, and whose declared
 * `color-scheme: light dark` (meta or CSS) is narrowed to `dark`, as Apple Mail and iOS Mail do when the
 * reader's device is dark. Clients that repaint emails on their own (the Gmail apps) are not emulated.
 *
 * @example
 * const dark = darkModeHtml(html); // `@media (prefers-color-scheme: dark) {…}` now always applies
 */
export function darkModeHtml(html: string): string {
  const styled = html.replace(/(<style\b[^>]*>)([\s\S]*?)(<\/style\s*>)/gi, (_all, open: string, css: string, close: string) => {
    return open + darkCss(css) + close;
  });
  return styled.replace(/<meta\b[^>]*>/gi, (tag) => {
    if (!/name\s*=\s*["']?(supported-)?color-schemes?\b/i.test(tag)) return tag;
    if (!/content\s*=\s*["']?[^"'>]*\bdark\b/i.test(tag)) return tag; // a light-only email stays light
    return tag.replace(/content\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/i, 'content="dark"');
  });
}

/** The CSS of one `<style>` block with the scheme queries decided for dark. */
export function darkCss(css: string): string {
  return (
    css
      // A feature that always holds / never holds, so `screen and (prefers-color-scheme: dark)` keeps working.
      .replace(/\(\s*prefers-color-scheme\s*:\s*dark\s*\)/gi, '(min-width: 0px)')
      .replace(/\(\s*prefers-color-scheme\s*:\s*light\s*\)/gi, '(max-width: -1px)')
      // `light dark` means "I support both": the client picks dark. `light` alone opts out and is kept.
      .replace(/(color-scheme\s*:\s*)(?:light\s+dark|dark\s+light)\b/gi, '$1dark')
  );
}
