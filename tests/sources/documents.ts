/**
 * Feed and API documents in the shapes publishers' systems produce, written for these tests: a WordPress
 * site's RSS 2.0 feed (content:encoded, media:content, dc:creator), an Atom feed with XHTML content, a
 * JSON Feed 1.1, a WordPress REST posts answer with `_embed`, and a Ghost Content API posts answer.
 */

/** RSS 2.0 as WordPress and most newspaper CMSs write it. `base` is the site the links point to. */
export function rssFeed(base = 'https://ledger.example', extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:atom="http://www.w3.org/2005/Atom"
  xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
  xmlns:media="http://search.yahoo.com/mrss/">
<channel>
  <title>The Springfield Ledger</title>
  <atom:link href="${base}/feed/" rel="self" type="application/rss+xml" />
  <link>${base}</link>
  <description>Local news for Springfield and the valley</description>
  <lastBuildDate>Mon, 30 Nov 2026 09:40:12 +0000</lastBuildDate>
  <language>en-US</language>
  <sy:updatePeriod>hourly</sy:updatePeriod>
  <sy:updateFrequency>1</sy:updateFrequency>
  <generator>https://wordpress.org/?v=6.7</generator>
  <item>
    <title>Council approves harbor ferry plan after late-night session</title>
    <link>${base}/2026/11/30/council-approves-harbor-ferry/?utm_source=rss&amp;utm_medium=rss</link>
    <dc:creator><![CDATA[Maria Okafor]]></dc:creator>
    <pubDate>Mon, 30 Nov 2026 04:12:00 -0500</pubDate>
    <category><![CDATA[City Hall]]></category>
    <category><![CDATA[Transport]]></category>
    <guid isPermaLink="false">${base}/?p=48211</guid>
    <description><![CDATA[<p>The vote was 7 to 2. Service starts in the spring, with three boats and a fare of $2.50. Opponents said the money should go to buses.</p>
<p>The post <a href="${base}/2026/11/30/council-approves-harbor-ferry/">Council approves harbor ferry plan</a> appeared first on <a href="${base}">The Springfield Ledger</a>.</p>]]></description>
    <content:encoded><![CDATA[<p>The city council voted 7 to 2 early Monday to approve the harbor ferry plan.</p>
<figure class="wp-block-image"><img src="${base}/wp-content/uploads/2026/11/ferry.jpg" alt="" /><figcaption>The ferry terminal.</figcaption></figure>
<p>Service starts in the spring with three boats &amp; a fare of $2.50.</p>
<h2>What comes next</h2>
<ul><li>Bids open in January.</li><li>Hearings in February.</li></ul>
<script type="text/javascript">window.__ads = true;</script>]]></content:encoded>
    <media:content url="${base}/wp-content/uploads/2026/11/ferry-1200x800.jpg" medium="image" width="1200" height="800">
      <media:title type="plain">ferry</media:title>
      <media:description type="plain">The ferry terminal at dawn</media:description>
    </media:content>
  </item>
  <item>
    <title>Breaking: &lt;script&gt;alert(1)&lt;/script&gt;Fire closes &lt;b&gt;Main Street&lt;/b&gt;</title>
    <link>${base}/2026/11/30/fire-main-street/</link>
    <dc:creator><![CDATA[Sam Lee]]></dc:creator>
    <pubDate>Mon, 30 Nov 2026 02:30:00 -0500</pubDate>
    <category><![CDATA[Public Safety]]></category>
    <guid isPermaLink="false">${base}/?p=48207</guid>
    <description><![CDATA[<p onclick="steal()">Crews fought the blaze for three hours. <img src=x onerror="alert(2)">No one was hurt.</p>]]></description>
  </item>
  <item>
    <title>Library extends weekend hours</title>
    <link>${base}/2026/11/29/library-hours/</link>
    <pubDate>Sun, 29 Nov 2026 07:00:00 -0500</pubDate>
    <description>The main branch will open at 9 on Saturdays and Sundays.</description>
  </item>${extra}
</channel>
</rss>
`;
}

/** Atom 1.0 with XHTML content, as static site generators and Blogger write it. */
export function atomFeed(base = 'https://valley.example'): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" xml:lang="en">
  <title type="text">Valley Science Desk</title>
  <subtitle>Research from the valley's labs</subtitle>
  <id>tag:valley.example,2026:feed</id>
  <link rel="alternate" type="text/html" href="${base}/"/>
  <link rel="self" type="application/atom+xml" href="${base}/feed.atom"/>
  <updated>2026-11-30T09:00:00+01:00</updated>
  <entry>
    <title type="html">Telescope finds &lt;em&gt;three&lt;/em&gt; new comets</title>
    <id>tag:valley.example,2026:/science/comets</id>
    <link rel="alternate" type="text/html" href="${base}/science/comets"/>
    <link rel="replies" type="text/html" href="${base}/science/comets#comments"/>
    <published>2026-11-30T08:15:00+01:00</published>
    <updated>2026-11-30T09:00:00+01:00</updated>
    <author><name>Dr. Ines Varga</name><uri>${base}/people/varga</uri></author>
    <category term="astronomy" label="Astronomy"/>
    <category term="space"/>
    <summary type="text">The survey's first month turned up more than expected. Two are visible with binoculars.</summary>
    <content type="xhtml" xml:base="${base}/science/comets">
      <div xmlns="http://www.w3.org/1999/xhtml">
        <p>The survey's first month turned up <strong>three</strong> comets.</p>
        <p>Two will be visible with binoculars in <a href="/sky">January</a>.</p>
      </div>
    </content>
    <media:thumbnail url="${base}/img/comets.jpg" width="640" height="360"/>
  </entry>
</feed>
`;
}

/** JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/). */
export function jsonFeed(base = 'https://wire.example'): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: 'Wire Briefs',
    home_page_url: `${base}/`,
    feed_url: `${base}/feed.json`,
    language: 'en-US',
    authors: [{ name: 'Wire Desk' }],
    items: [
      {
        id: '2026-11-30-markets',
        url: `${base}/briefs/markets-open-higher`,
        title: 'Markets open higher after jobs report',
        summary: 'Stocks rose 1% in early trading. Bond yields fell.',
        content_html: '<p>Stocks rose 1% in early trading.</p><p>Bond yields fell for a third day.</p>',
        date_published: '2026-11-30T14:35:00Z',
        authors: [{ name: 'Priya Natarajan', url: `${base}/staff/priya` }],
        tags: ['Markets', 'Economy'],
        image: `${base}/img/markets.jpg`,
      },
      {
        id: '2026-11-30-weather',
        url: `${base}/briefs/snow-watch`,
        content_text: 'A snow watch is in effect from Tuesday night.\n\nUp to 20 cm is possible in the hills.',
        date_published: '2026-11-30T06:00:00',
        tags: ['Weather'],
      },
    ],
  });
}

/** The WordPress REST API's `/wp-json/wp/v2/posts?_embed` answer (trimmed to the fields a post carries). */
export function wordpressPosts(base = 'https://city.example'): string {
  const post = (id: number, slug: string, title: string, date: string, dateGmt: string, extra: Record<string, unknown> = {}) => ({
    id,
    date,
    date_gmt: dateGmt,
    guid: { rendered: `${base}/?p=${id}` },
    modified: date,
    modified_gmt: dateGmt,
    slug,
    status: 'publish',
    type: 'post',
    link: `${base}/${date.slice(0, 10).replace(/-/g, '/')}/${slug}/`,
    title: { rendered: title },
    content: { rendered: '<p>Paragraph one.</p>\n<p>Paragraph two &#8211; with a dash.</p>\n', protected: false },
    excerpt: { rendered: '<p>The mayor&#8217;s budget adds 40 teachers. It also cuts road repairs by a third &hellip; <a class="more-link" href="#">Continue reading</a></p>\n', protected: false },
    author: 7,
    featured_media: 900 + id,
    categories: [3],
    tags: [11],
    _links: { self: [{ href: `${base}/wp-json/wp/v2/posts/${id}` }] },
    _embedded: {
      author: [{ id: 7, name: 'Jordan Blake', url: '', description: 'Jordan covers City Hall.', link: `${base}/author/jblake/`, slug: 'jblake' }],
      'wp:featuredmedia': [
        {
          id: 900 + id,
          source_url: `${base}/wp-content/uploads/2026/11/${slug}.jpg`,
          alt_text: 'The mayor at the podium',
          media_type: 'image',
          mime_type: 'image/jpeg',
          media_details: { width: 1600, height: 900, file: `2026/11/${slug}.jpg`, sizes: {} },
        },
      ],
      'wp:term': [
        [{ id: 3, link: `${base}/category/politics/`, name: 'Politics', slug: 'politics', taxonomy: 'category' }],
        [{ id: 11, link: `${base}/tag/budget/`, name: 'Budget &amp; Taxes', slug: 'budget', taxonomy: 'post_tag' }],
      ],
    },
    ...extra,
  });
  return JSON.stringify([
    post(501, 'mayor-budget', 'Mayor&#8217;s budget adds 40 teachers', '2026-11-30T05:30:00', '2026-11-30T10:30:00'),
    post(498, 'summer-festival', 'Summer festival dates set', '2026-07-01T09:00:00', '2026-07-01T13:00:00', { _embedded: undefined }),
  ]);
}

/** The Ghost Content API's `/ghost/api/content/posts/?include=tags,authors` answer. */
export function ghostPosts(base = 'https://letters.example'): string {
  return JSON.stringify({
    posts: [
      {
        id: '6754a1f0c2b3a40001e2d3f4',
        uuid: '2b1f6a1e-7c2a-4c33-9d1f-0f5c0a6b7e21',
        title: 'Why the river is rising <faster> than forecast',
        slug: 'river-rising',
        html: '<p>Hydrologists say the snowpack melted early.</p><!--kg-card-begin: html--><div class="kg-card"><p>Levels rose 30 cm overnight.</p></div><!--kg-card-end: html-->',
        comment_id: '6754a1f0c2b3a40001e2d3f4',
        feature_image: `${base}/content/images/2026/11/river.jpg`,
        feature_image_alt: 'The river at the old mill',
        feature_image_caption: null,
        featured: false,
        visibility: 'public',
        created_at: '2026-11-29T18:02:11.000+00:00',
        updated_at: '2026-11-30T07:45:00.000+00:00',
        published_at: '2026-11-30T07:00:00.000+00:00',
        custom_excerpt: null,
        url: `${base}/river-rising/`,
        excerpt: 'Hydrologists say the snowpack melted early. Levels rose 30 cm overnight.',
        reading_time: 2,
        authors: [{ id: 'a1', name: 'Noor Haddad', slug: 'noor', bio: 'Noor writes about water.', url: `${base}/author/noor/` }],
        primary_author: { id: 'a1', name: 'Noor Haddad', slug: 'noor', bio: 'Noor writes about water.', url: `${base}/author/noor/` },
        tags: [
          { id: 't1', name: 'Environment', slug: 'environment', visibility: 'public' },
          { id: 't2', name: '#newsletter', slug: 'hash-newsletter', visibility: 'internal' },
        ],
        primary_tag: { id: 't1', name: 'Environment', slug: 'environment', visibility: 'public' },
      },
    ],
    meta: { pagination: { page: 1, limit: 50, pages: 1, total: 1, next: null, prev: null } },
  });
}
