import { z } from 'zod';
import { ArticleFileSchema, EditionFileSchema } from './article-schema.ts';
import { ConfigSchema } from './config-schema.ts';

type JsonSchema = Record<string, unknown>;

/**
 * What editors show on hover, by the key's path in the file (`newsletters[].schedule` is written
 * `newsletters.*.schedule`). Kept beside the generator rather than in the zod schemas, so the schemas stay
 * about validation and these texts about the reader of a config file.
 */
const CONFIG_DESCRIPTIONS: Record<string, string> = {
  '': "Daybreak's configuration: the publisher, its newsletters, delivery and the web app. Every key is optional.",
  $schema: 'The JSON Schema this file follows, for editors; Daybreak ignores it.',
  database: 'A SQLite file (relative to this file) or a postgres:// URL. --db, DATABASE_URL and DAYBREAK_DB win.',
  dataDir: 'The data folder (articles/, editions/, images/), relative to this file. --data and DAYBREAK_DATA win. Default: data/ in the working directory.',
  baseUrl: 'Public address of the web app; links in the emails are built on it.',
  publisher: 'Who sends the newsletters: shown in every footer and in the From header.',
  'publisher.name': 'Shown in the footer, {publisher} in subjects.',
  'publisher.postalAddress': 'The street address shown in every footer (CAN-SPAM), without the name.',
  'publisher.from': 'The From of every email, e.g. "The Daybreak Post <briefing@example.com>".',
  'publisher.replyTo': 'The Reply-To of every email.',
  'publisher.unsubscribeMailbox': 'A bare address for the mailto: form of List-Unsubscribe.',
  'publisher.brand': 'Logo, colours and fonts for every design, the transactional emails and the site pages.',
  newsletters: 'The newsletters this publisher runs; ids must be unique.',
  'newsletters.*.id': 'Lower-case letters, digits and dashes: used in URLs, folders (editions/<id>/) and the database.',
  'newsletters.*.name': 'The masthead, {newsletter} in subjects.',
  'newsletters.*.description': 'One line describing the newsletter: on the sign-up page, in the welcome email, and after "Forwarded this? Sign up" in every edition (the pitch to readers a copy was forwarded to).',
  'newsletters.*.template': 'The design that renders it (`daybreak templates` lists them).',
  'newsletters.*.schedule': "When editions go out, in the newsletter's timezone.",
  'newsletters.*.schedule.cron': 'Cron pattern (5 fields; 6 with seconds first). The first firing of a day is that day\'s edition.',
  'newsletters.*.schedule.timezone': 'IANA timezone name: of the cron pattern, of edition dates and of dates in the email.',
  'newsletters.*.schedule.graceMinutes': 'How late after a missed firing the scheduler still sends it.',
  'newsletters.*.subject': 'Subject pattern with {newsletter}, {leadHeadline}, {date} and {publisher}.',
  'newsletters.*.locale': 'BCP 47 tag for the dates written in the email.',
  'newsletters.*.include': 'Keep only matching articles; every filter given must match.',
  'newsletters.*.sections': 'The order of the section headings the short items are grouped under.',
  delivery: 'SMTP connections, rate, timeouts, retries and DKIM.',
  'delivery.maxInFlight': 'Copies between their sending commit and the commit of their outcome: the most a crash can send twice.',
  'delivery.dkim': 'DKIM signing: domain, selector and PEM key file.',
  web: 'The readers\' web app: port, CORS origins, proxy trust, sign-up rate.',
  sources: 'Feeds and CMS APIs that `daybreak fetch` turns into article files.',
};

const ARTICLE_DESCRIPTIONS: Record<string, string> = {
  '': 'A Daybreak article file under articles/: one article, or an array of them.',
  $schema: 'The JSON Schema this file follows, for editors; Daybreak ignores it.',
  id: 'Unique across all files: letters, digits, dots, dashes, underscores.',
  kicker: 'The small label above the headline ("Speed read", "The explainer").',
  headline: 'The headline.',
  dek: 'The one- or two-sentence summary under the headline.',
  url: 'Where the headline links: an absolute http(s) URL.',
  publishedAt: 'ISO 8601 date-time with an offset; decides which edition the article falls in (the first send after it).',
  section: 'Section heading the story is grouped under; used by include.sections.',
  tags: 'Used by include.tags.',
  priority: 'Higher comes first; the highest leads. Default 0.',
  body: 'Paragraphs; the lead story shows its first ones.',
  why: 'One line on why the story matters, shown under its summary.',
  author: 'Byline and bio of the lead.',
  image: 'Shown with the lead: an absolute http(s) URL or /images/<file> for a file in the data folder\'s images/.',
};

const EDITION_DESCRIPTIONS: Record<string, string> = {
  '': "An editor's choice for one edition: editions/<newsletter>/<YYYY-MM-DD>.json. Every key is optional.",
  $schema: 'The JSON Schema this file follows, for editors; Daybreak ignores it.',
  lead: 'The id of the lead story.',
  articles: 'The ids of the other stories, in order; when present it is the whole list.',
  intro: "An editor's note shown at the top.",
  subject: "Replaces the newsletter's subject pattern for this edition.",
  quote: 'The quote of the day.',
  sponsor: 'One paid slot, shown after the third story and labelled as sponsored.',
  numbers: '"By the numbers": one to six figures and what they count.',
};

/** Walks a generated schema and sets `description` on the nodes the map names. */
function describe(schema: JsonSchema, descriptions: Record<string, string>): JsonSchema {
  const visit = (node: unknown, path: string): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as JsonSchema;
    if (Object.hasOwn(descriptions, path) && n.description === undefined) n.description = descriptions[path];
    const join = (key: string) => (path === '' ? key : `${path}.${key}`);
    for (const [key, child] of Object.entries((n.properties as Record<string, unknown> | undefined) ?? {})) visit(child, join(key));
    if (n.items) visit(n.items, join('*'));
    for (const branch of [...((n.anyOf as unknown[]) ?? []), ...((n.oneOf as unknown[]) ?? [])]) visit(branch, path);
  };
  visit(schema, '');
  return schema;
}

function generate(schema: z.ZodType, title: string, descriptions: Record<string, string>): JsonSchema {
  // io 'input': what a person writes in the file (keys with defaults are optional), not what zod returns.
  const generated = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as JsonSchema;
  const { $schema, ...rest } = generated;
  return describe({ $schema, title, ...rest }, descriptions);
}

/**
 * The JSON Schemas of Daybreak's files, generated from the zod schemas that validate them: the config,
 * an article file, and a curated edition file. `npm run schemas` writes them to schemas/; editors use
 * them through each file's `$schema`. Checks zod cannot express in JSON Schema (a timezone Intl knows, a
 * cron that fires, unique ids) stay Daybreak's own: a file can pass the schema and still be refused.
 *
 * @example
 * writeFileSync('schemas/config.schema.json', JSON.stringify(jsonSchemas()['config.schema.json'], null, 2));
 */
export function jsonSchemas(): Record<'config.schema.json' | 'article.schema.json' | 'edition.schema.json', JsonSchema> {
  return {
    'config.schema.json': generate(ConfigSchema, 'Daybreak config (daybreak.config.json)', CONFIG_DESCRIPTIONS),
    'article.schema.json': generate(ArticleFileSchema, 'Daybreak article file', ARTICLE_DESCRIPTIONS),
    'edition.schema.json': generate(EditionFileSchema, 'Daybreak curated edition file', EDITION_DESCRIPTIONS),
  };
}

/**
 * A schema as the file holds it: two-space JSON and a final newline, so the generated and committed text
 * compare equal.
 *
 * @example
 * schemaFileText(jsonSchemas()['edition.schema.json']) === readFileSync('schemas/edition.schema.json', 'utf8')
 */
export function schemaFileText(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
