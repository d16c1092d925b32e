/** Query parameters that only say where a click came from; the same story carries different ones per feed. */
const TRACKING = /^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|mkt_tok|ref_src)$/i;

/**
 * The canonical form of an article link, used to write the article's `url` and to recognise the same story
 * from two sources: http(s) only, host lower-cased (URL does that), default port and fragment dropped,
 * click-tracking parameters removed. Null when the link is not an absolute http(s) URL.
 *
 * @example
 * canonicalUrl('https://News.example/a?utm_source=rss#top'); // 'https://news.example/a'
 */
export function canonicalUrl(link: string | undefined, base?: string): string | null {
  if (!link) return null;
  let url: URL;
  try {
    url = new URL(link.trim(), base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.hash = '';
  url.username = '';
  url.password = '';
  for (const key of [...url.searchParams.keys()]) if (TRACKING.test(key)) url.searchParams.delete(key);
  if ([...url.searchParams.keys()].length === 0) url.search = '';
  return url.href;
}

/**
 * The key two links are compared by: the canonical URL without its scheme and with no trailing slash, so
 * `http://x/a/` and `https://x/a` are one story.
 *
 * @example
 * sameStoryKey('http://news.example/a/'); // 'news.example/a'
 */
export function sameStoryKey(url: string): string {
  const canonical = canonicalUrl(url) ?? url;
  return canonical.replace(/^https?:\/\//, '').replace(/\/+(?=$|\?)/, '');
}
