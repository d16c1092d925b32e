import { z } from 'zod';
import { httpUrl } from './http-url.ts';
import { OffsetDateTime } from './offset-date-time.ts';


export const AuthorSchema = z.strictObject({
  name: z.string().min(1),
  bio: z.string().optional(),
  url: httpUrl.optional(),
});

/** An image shipped in the data folder: `data/images/<file>`, served by Daybreak at `{baseUrl}/images/<file>`. */
export const SHIPPED_IMAGE = /^\/images\/[A-Za-z0-9][A-Za-z0-9._-]*\.(?:jpe?g|png|gif|webp)$/;

/** An image's address: absolute http(s), or `/images/<file>` for one in data/images (resolved against baseUrl). */
const imageUrl = z.string().check((ctx) => {
  if (ctx.value.startsWith('/')) {
    if (!SHIPPED_IMAGE.test(ctx.value)) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: 'Invalid image path: expected /images/<file>.jpg (or .jpeg, .png, .gif, .webp) for a file in data/images' });
    }
    return;
  }
  const url = httpUrl.safeParse(ctx.value);
  if (!url.success) ctx.issues.push({ code: 'custom', input: ctx.value, message: 'Invalid URL: expected an absolute http(s) URL, or /images/<file> for a file in data/images' });
}).meta({ pattern: '^(?:[Hh][Tt][Tt][Pp][Ss]?://|/images/)' });

export const ImageSchema = z.strictObject({
  url: imageUrl,
  alt: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

export const ArticleSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'Expected letters, digits, dots, dashes or underscores' }),
  kicker: z.string().min(1),
  headline: z.string().min(1),
  dek: z.string().min(1),
  url: httpUrl,
  publishedAt: OffsetDateTime,
  section: z.string().optional(),
  tags: z.array(z.string()).optional(),
  priority: z.number().int().default(0),
  body: z.array(z.string()).optional(),
  /** One line on why the story matters, shown under its summary ("Why it matters: …"). */
  why: z.string().min(1).optional(),
  author: AuthorSchema.optional(),
  image: ImageSchema.optional(),
  /** Ignored; lets an editor attach schemas/article.schema.json to a one-article file. */
  $schema: z.string().optional(),
});

/** A file under data/articles holds one article or an array of them. */
export const ArticleFileSchema = z.union([ArticleSchema, z.array(ArticleSchema)]);

/** The quote of the day. */
export const QuoteSchema = z.strictObject({
  text: z.string().min(1),
  /** Who said it, with whatever context the reader needs ("Senate Majority Leader, on Sunday"). */
  by: z.string().min(1).optional(),
});

/** One paid slot, shown after the third story and labelled so it never passes for journalism. */
export const SponsorSchema = z.strictObject({
  label: z.string().min(1).default('Sponsored'),
  headline: z.string().min(1),
  text: z.string().min(1),
  url: httpUrl,
  image: ImageSchema.optional(),
});

/** One line of "By the numbers": a figure and what it counts. */
export const NumberSchema = z.strictObject({
  figure: z.string().min(1),
  text: z.string().min(1),
});

export const EditionFileSchema = z.strictObject({
  lead: z.string().min(1).optional(),
  articles: z.array(z.string().min(1)).optional(),
  intro: z.string().optional(),
  subject: z.string().min(1).optional(),
  quote: QuoteSchema.optional(),
  sponsor: SponsorSchema.optional(),
  numbers: z.array(NumberSchema).min(1).max(6).optional(),
  /** Ignored; lets an editor attach schemas/edition.schema.json. */
  $schema: z.string().optional(),
});

export type Article = z.infer<typeof ArticleSchema>;
export type EditionFile = z.infer<typeof EditionFileSchema>;
export type Quote = z.infer<typeof QuoteSchema>;
export type Sponsor = z.infer<typeof SponsorSchema>;
export type EditionNumber = z.infer<typeof NumberSchema>;
