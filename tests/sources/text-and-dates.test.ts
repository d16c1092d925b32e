import { describe, expect, it } from 'vitest';
import { canonicalUrl, cutAtSentence, htmlToParagraphs, toOffsetDateTime } from '../../src/sources/index.ts';

describe('feed dates', () => {
  it('keeps the offset an RFC 822 or RFC 3339 date was written with', () => {
    expect(toOffsetDateTime('Mon, 30 Nov 2026 04:12:00 -0500', 'UTC')).toBe('2026-11-30T04:12:00-05:00');
    expect(toOffsetDateTime('Mon, 30 Nov 2026 04:12:00 GMT', 'America/New_York')).toBe('2026-11-30T04:12:00+00:00');
    expect(toOffsetDateTime('30 Nov 26 04:12 PST', 'UTC')).toBe('2026-11-30T04:12:00-08:00');
    expect(toOffsetDateTime('2026-11-30T09:00:00.250+01:00', 'UTC')).toBe('2026-11-30T09:00:00+01:00');
  });

  it('reads a date without an offset in the given timezone, winter and summer', () => {
    expect(toOffsetDateTime('2026-11-30T06:00:00', 'America/New_York')).toBe('2026-11-30T06:00:00-05:00');
    expect(toOffsetDateTime('2026-07-01 06:00', 'America/New_York')).toBe('2026-07-01T06:00:00-04:00');
    expect(toOffsetDateTime('Wed, 01 Jul 2026 06:00:00', 'Asia/Kolkata')).toBe('2026-07-01T06:00:00+05:30');
  });

  it('refuses what is not a date', () => {
    expect(toOffsetDateTime('2026-02-31T00:00:00Z', 'UTC')).toBeNull();
    expect(toOffsetDateTime('yesterday', 'UTC')).toBeNull();
    expect(toOffsetDateTime('Mon, 30 Foo 2026 04:12:00 GMT', 'UTC')).toBeNull();
  });
});

describe('plain text from HTML', () => {
  it('keeps text and drops scripts, styles, embeds and figures, one paragraph per block', () => {
    expect(htmlToParagraphs('<style>p{}</style><p>One &amp; <i>two</i></p><iframe src="x">fallback</iframe><p>Three<br>four</p><figure><img src=a><figcaption>Cap</figcaption></figure><script>evil()</script>tail'))
      .toEqual(['One & two', 'Three', 'four', 'tail']);
  });

  it('cuts a long text after the last whole sentence that fits, or at a word with an ellipsis', () => {
    expect(cutAtSentence('One sentence here. Two is longer than that. Three.', 30)).toBe('One sentence here.');
    expect(cutAtSentence('A very long first sentence without any stop that goes on', 30)).toBe('A very long first sentence…');
    expect(cutAtSentence('An excerpt that WordPress cut […]')).toBe('An excerpt that WordPress cut');
  });
});

describe('canonical URLs', () => {
  it('drops tracking parameters, the fragment and credentials, and refuses other schemes', () => {
    expect(canonicalUrl('https://News.Example:443/a?id=3&utm_source=rss&fbclid=x#top')).toBe('https://news.example/a?id=3');
    expect(canonicalUrl('/relative/path', 'https://news.example/feed/')).toBe('https://news.example/relative/path');
    expect(canonicalUrl('javascript:alert(1)')).toBeNull();
    expect(canonicalUrl('https://user:pw@news.example/a')).toBe('https://news.example/a');
  });
});
