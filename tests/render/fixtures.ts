import { ConfigSchema, type ArticleRecord, type Config, type Edition } from '../../src/content/index.ts';

/** A config as `daybreak.config.json` would give it, with the defaults filled in. */
export function testConfig(overrides: Record<string, unknown> = {}): Config {
  return ConfigSchema.parse({
    baseUrl: 'https://daybreak.example',
    publisher: { name: 'The Daybreak Post', postalAddress: '120 Harbor Street, Portland, ME 04101, USA' },
    newsletters: [
      { id: 'morning', name: 'The Morning Briefing', description: 'The day, explained.', schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } },
    ],
    ...overrides,
  });
}

const KICKERS = ['Speed read', 'The explainer', 'Under the radar', 'In the spotlight'];
const SECTIONS = ['Politics', 'Business', 'Science', 'Culture', 'World'];

/** The i-th article of a long-ish realistic edition (lengths like real briefing items). */
export function article(i: number, overrides: Partial<ArticleRecord> = {}): ArticleRecord {
  return {
    id: `story-${i}`,
    kicker: KICKERS[i % KICKERS.length]!,
    headline: `City council weighs a plan to reopen the harbor ferry line after ${i + 2} years of delays`,
    dek: `Supporters say the route would cut commutes by half; opponents point to a budget gap of $${i + 4} million and ask who pays for the new docks.`,
    url: `https://news.example.com/2026/11/30/story-${i}-harbor-ferry-plan`,
    publishedAt: `2026-11-30T0${i % 5}:${String(i % 60).padStart(2, '0')}:00-05:00`,
    section: SECTIONS[i % SECTIONS.length]!,
    priority: 0,
    file: 'data/articles/fixture.json',
    ...overrides,
  };
}

export function leadArticle(overrides: Partial<ArticleRecord> = {}): ArticleRecord {
  return article(0, {
    id: 'lead-story',
    kicker: 'The big story',
    headline: 'Inside the overnight deal that kept the river bridge open',
    dek: 'Negotiators worked until 3 a.m. to avoid a shutdown that would have stranded 40,000 commuters.',
    url: 'https://news.example.com/2026/11/30/river-bridge-deal',
    body: [
      'The lights in the transit authority’s fourth-floor conference room stayed on until just before 3 a.m., when the two sides finally shook hands on a deal to keep the river bridge open through the winter.',
      'Under the agreement, the state will cover two-thirds of the emergency repairs, and the city will pay the rest from its reserve fund, a compromise that neither side wanted but both could live with.',
      'Engineers had warned last month that corrosion in the bridge’s steel supports had advanced faster than expected, and that without repairs the span would need to close to heavy traffic by January.',
      'The deal now goes to the city council, which is expected to approve it on Thursday.',
    ],
    author: { name: 'Maya Okafor', bio: 'Maya Okafor covers transportation and infrastructure for The Daybreak Post.', url: 'https://news.example.com/authors/maya-okafor' },
    image: { url: 'https://images.example.com/river-bridge.jpg', alt: 'The river bridge at dawn, with traffic crossing', width: 600, height: 338 },
    priority: 10,
    ...overrides,
  });
}

/** An edition of `count` articles (lead included) for 2026-11-30, as assembleEdition would return it. */
export function testEdition(count = 25, config: Config = testConfig(), overrides: Partial<Edition> = {}): Edition {
  const lead = leadArticle();
  const items = Array.from({ length: count - 1 }, (_, i) => article(i + 1));
  return {
    newsletter: config.newsletters[0]!,
    date: '2026-11-30',
    sendAt: new Date('2026-11-30T11:00:00Z'),
    window: { from: new Date('2026-11-29T11:00:00Z'), to: new Date('2026-11-30T11:00:00Z') },
    lead,
    items,
    subject: `The Morning Briefing: ${lead.headline}`,
    ...overrides,
  };
}
