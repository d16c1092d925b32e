import type { Config, Edition, Newsletter } from '../content/index.ts';

/** XML 1.0 text and attribute escaping, dropping characters XML 1.0 cannot carry at all. */
export function escapeXml(value: string): string {
  return value
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * RSS 2.0 (https://www.rssboard.org/rss-specification) of a newsletter's sent editions, newest first:
 * one item per edition, titled with its subject, linking to its archive page, with the lead's summary and
 * every headline as the description. pubDate is RFC 822 (RFC 1123 form, as `toUTCString()` writes it).
 */
export function archiveFeed(config: Config, newsletter: Newsletter, entries: { edition: Edition; sentAt: Date }[]): string {
  const base = config.baseUrl.replace(/\/+$/, '');
  const archiveUrl = `${base}/archive`;
  const selfUrl = `${base}/archive/${newsletter.id}/feed.xml`;
  const items = entries.map(({ edition, sentAt }) => {
    const link = `${base}/archive/${newsletter.id}/${edition.date}`;
    const headlines = [edition.lead, ...edition.items].map((a) => `<li><a href="${escapeXml(a.url)}">${escapeXml(a.headline)}</a></li>`);
    // The description is HTML carried as escaped text (RSS 2.0's convention), so it is escaped twice.
    const description = `<p>${escapeXml(edition.lead.dek)}</p><ul>${headlines.join('')}</ul>`;
    return [
      '    <item>',
      `      <title>${escapeXml(edition.subject)}</title>`,
      `      <link>${escapeXml(link)}</link>`,
      `      <guid isPermaLink="true">${escapeXml(link)}</guid>`,
      `      <pubDate>${sentAt.toUTCString()}</pubDate>`,
      `      <description>${escapeXml(description)}</description>`,
      '    </item>',
    ].join('\n');
  });
  const latest = entries[0]?.sentAt;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
    '  <channel>',
    `    <title>${escapeXml(newsletter.name)}</title>`,
    `    <link>${escapeXml(archiveUrl)}</link>`,
    `    <description>${escapeXml(newsletter.description || `${newsletter.name} from ${config.publisher.name}`)}</description>`,
    `    <language>${escapeXml(newsletter.locale)}</language>`,
    `    <atom:link href="${escapeXml(selfUrl)}" rel="self" type="application/rss+xml"/>`,
    ...(latest ? [`    <lastBuildDate>${latest.toUTCString()}</lastBuildDate>`] : []),
    ...items,
    '  </channel>',
    '</rss>',
    '',
  ].join('\n');
}
