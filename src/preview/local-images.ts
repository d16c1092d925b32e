import { resolveBrand, type Config } from '../content/index.ts';
import { escapeHtml, imageSources } from '../html/index.ts';

/** An image of the copy that the standalone preview shows from its own server. */
export interface PreviewedImage {
  /** The address in the copy as sent, under baseUrl. */
  src: string;
  /** The path the preview serves it at, the same path the public app serves it at under baseUrl. */
  path: string;
}

/**
 * The copy as the standalone preview displays it: each `<img>` whose address is one the public app
 * serves from the data folder under baseUrl (`{baseUrl}/images/<file>`, and the brand logos at
 * `{baseUrl}/assets/brand/…`) points at the same path on the preview's own server instead (a
 * root-relative address, so whatever port the preview listens on), when `has` says the preview has it:
 * an image the preview does not have keeps its real address, where it may well exist (the live site),
 * rather than showing broken in the frame. `shown` lists every such candidate, pointed or not.
 * Everything else is left byte for byte. This is for the displayed frame only: the copy that is sent,
 * built and checked keeps baseUrl.
 *
 * @example
 * previewImages('<img src="http://localhost:3000/images/a.jpg" alt="">', config);
 * // { html: '<img src="/images/a.jpg" alt="">', shown: [{ src: 'http://localhost:3000/images/a.jpg', path: '/images/a.jpg' }] }
 * previewImages(html, config, (image) => image.path !== '/images/a.jpg').html; // a.jpg keeps its baseUrl address
 */
export function previewImages(
  html: string,
  config: Pick<Config, 'baseUrl' | 'publisher'>,
  has: (image: PreviewedImage) => boolean = () => true,
): { html: string; shown: PreviewedImage[] } {
  const base = config.baseUrl.replace(/\/+$/, '');
  const logos = new Map<string, string>();
  try {
    const brand = resolveBrand(config);
    for (const logo of [brand.logo, brand.logoDark]) if (logo) logos.set(logo.url, logo.path);
  } catch {
    // A logo file that is missing fails the render itself, with the config key named; nothing to point.
  }
  const pathOf = (src: string): string | null => {
    if (logos.has(src)) return logos.get(src)!;
    return src.startsWith(`${base}/images/`) ? src.slice(base.length) : null;
  };
  let out = '';
  let at = 0;
  const shown = new Map<string, PreviewedImage>();
  for (const image of imageSources(html)) {
    const path = pathOf(image.src);
    if (path === null) continue;
    const candidate = { src: image.src, path };
    shown.set(image.src, candidate);
    if (!has(candidate)) continue;
    out += html.slice(at, image.start) + escapeHtml(path);
    at = image.end;
  }
  return { html: out + html.slice(at), shown: [...shown.values()] };
}
