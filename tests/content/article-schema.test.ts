import { afterEach, describe, expect, it } from 'vitest';
import { ArticleSchema, loadContent, readableErrors } from '../../src/content/index.ts';
import { DaybreakError as ErrorClass } from '../../src/errors.ts';
import { articleJson, inDir, tempData } from './fixtures.ts';

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

/** Loads a data folder holding `files` from inside the temp folder and returns the problem lines (none if it loads). */
function problems(files: Record<string, unknown>): string[] {
  const data = tempData(files);
  cleanups.push(data.cleanup);
  return inDir(data.dir, () => {
    try {
      loadContent('data');
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(ErrorClass);
      expect((error as ErrorClass).code).toBe('EDATA');
      return (error as ErrorClass).details;
    }
  });
}

/** The problems of one article placed as the only element of an array file. */
function problemsOfArticle(article: Record<string, unknown>): string[] {
  return problems({ 'data/articles/a.json': [article] });
}

describe('article schema', () => {
  it('accepts an article with only the required fields and defaults its priority to 0', () => {
    const parsed = ArticleSchema.parse(articleJson());
    expect(parsed.priority).toBe(0);
    expect(problemsOfArticle(articleJson())).toEqual([]);
  });

  it('accepts every optional field in its documented shape', () => {
    const full = articleJson({
      section: 'Politics',
      tags: ['justice', 'courts'],
      priority: 3,
      body: ['One.', 'Two.'],
      author: { name: 'Maya Okafor', bio: 'Covers Congress.', url: 'https://news.example.com/authors/maya' },
      image: { url: 'https://img.example.com/a.jpg', alt: 'A bridge', width: 600, height: 338 },
    });
    expect(problemsOfArticle(full)).toEqual([]);
    expect(ArticleSchema.parse(full).author?.name).toBe('Maya Okafor');
  });

  for (const field of ['id', 'kicker', 'headline', 'dek', 'url', 'publishedAt']) {
    it(`reports a missing ${field} as Required, with the file and the JSON path`, () => {
      const article = articleJson();
      delete article[field];
      expect(problemsOfArticle(article)).toEqual([`data/articles/a.json: [0].${field}: Required`]);
    });
  }

  const wrongTypes: [string, Record<string, unknown>, string][] = [
    ['id', { id: 3 }, '[0].id: Expected a string, got the number 3'],
    ['kicker', { kicker: true }, '[0].kicker: Expected a string, got true'],
    ['headline', { headline: ['a'] }, '[0].headline: Expected a string, got an array'],
    ['dek', { dek: { text: 'x' } }, '[0].dek: Expected a string, got an object'],
    ['url', { url: 42 }, '[0].url: Expected a string, got the number 42'],
    ['publishedAt', { publishedAt: 1764493920000 }, '[0].publishedAt: Expected a string, got the number 1764493920000'],
    ['section', { section: 7 }, '[0].section: Expected a string, got the number 7'],
    ['tags', { tags: 'justice' }, '[0].tags: Expected an array, got the string "justice"'],
    ['tags[1]', { tags: ['ok', 5] }, '[0].tags[1]: Expected a string, got the number 5'],
    ['priority', { priority: '1' }, '[0].priority: Expected a number, got the string "1"'],
    ['priority (fraction)', { priority: 1.5 }, '[0].priority: Expected a whole number, got the number 1.5'],
    ['body', { body: 'One paragraph.' }, '[0].body: Expected an array, got the string "One paragraph."'],
    ['author', { author: 'Maya Okafor' }, '[0].author: Expected an object, got the string "Maya Okafor"'],
    ['author.name', { author: { name: null } }, '[0].author.name: Expected a string, got null'],
    ['image', { image: 'https://img.example.com/a.jpg' }, '[0].image: Expected an object, got the string "https://img.example.com/a.jpg"'],
    ['image.width', { image: { url: 'https://img.example.com/a.jpg', alt: '', width: '600', height: 338 } }, '[0].image.width: Expected a number, got the string "600"'],
  ];
  for (const [name, overrides, line] of wrongTypes) {
    it(`reports a wrong type for ${name}, naming the path, what was expected and what it got`, () => {
      expect(problemsOfArticle(articleJson(overrides))).toEqual([`data/articles/a.json: ${line}`]);
    });
  }

  it('reports an empty required text as empty, not as missing', () => {
    expect(problemsOfArticle(articleJson({ headline: '' }))).toEqual(['data/articles/a.json: [0].headline: Must not be empty']);
  });

  it('rejects an image with a zero or negative size', () => {
    const lines = problemsOfArticle(articleJson({ image: { url: 'https://img.example.com/a.jpg', alt: 'x', width: 0, height: -2 } }));
    expect(lines).toEqual([
      'data/articles/a.json: [0].image.width: Must be greater than 0, got the number 0',
      'data/articles/a.json: [0].image.height: Must be greater than 0, got the number -2',
    ]);
  });

  it('rejects an id with spaces or slashes, which could not be used in a URL or file name', () => {
    expect(problemsOfArticle(articleJson({ id: 'bad id/1' }))).toEqual([
      'data/articles/a.json: [0].id: Expected letters, digits, dots, dashes or underscores',
    ]);
  });

  it('names an unknown key and lists the allowed ones, at the top level and inside author and image', () => {
    const lines = problemsOfArticle(
      articleJson({ headine: 'typo', author: { name: 'A', twitter: '@a' }, image: { url: 'https://i.example.com/a.jpg', alt: '', width: 1, height: 1, caption: 'c' } }),
    );
    expect(lines).toHaveLength(3);
    expect(lines).toContain(
      'data/articles/a.json: [0]: Unknown key "headine" (allowed: id, kicker, headline, dek, url, publishedAt, section, tags, priority, body, why, author, image, $schema)',
    );
    expect(lines).toContain('data/articles/a.json: [0].author: Unknown key "twitter" (allowed: name, bio, url)');
    expect(lines).toContain('data/articles/a.json: [0].image: Unknown key "caption" (allowed: url, alt, width, height)');
  });

  for (const url of ['ftp://news.example.com/a', 'mailto:desk@news.example.com', '/2026/11/30/relative', 'news.example.com/a', 'https://', 'file:///etc/passwd']) {
    it(`rejects the non-http(s) or relative URL ${url}`, () => {
      expect(problemsOfArticle(articleJson({ url }))).toEqual([
        'data/articles/a.json: [0].url: Invalid URL: expected an absolute http(s) URL',
      ]);
    });
  }

  it('rejects a javascript: URL in the article, the author and the image, so no link can run script', () => {
    const js = 'javascript:alert(document.cookie)';
    const lines = problemsOfArticle(
      articleJson({ url: js, author: { name: 'A', url: js }, image: { url: js, alt: '', width: 1, height: 1 } }),
    );
    expect(lines).toEqual([
      'data/articles/a.json: [0].url: Invalid URL: expected an absolute http(s) URL',
      'data/articles/a.json: [0].author.url: Invalid URL: expected an absolute http(s) URL',
      'data/articles/a.json: [0].image.url: Invalid URL: expected an absolute http(s) URL, or /images/<file> for a file in data/images',
    ]);
  });

  it('accepts an image shipped in data/images as /images/<file>, and nothing else starting with a slash', () => {
    const image = (url: string) => problemsOfArticle(articleJson({ image: { url, alt: 'A picture', width: 600, height: 400 } }));
    const withFile = { 'data/articles/a.json': [articleJson({ image: { url: '/images/otters-600.jpg', alt: 'Otters', width: 600, height: 400 } })] };
    expect(problems({ ...withFile, 'data/images/otters-600.jpg': 'a picture' })).toEqual([]);
    // Named in the data folder but not there: every copy would show a broken picture.
    expect(problems(withFile)).toEqual([
      'data/articles/a.json: [0].image.url: data/images/otters-600.jpg not found (images under /images/ are read from data/images)',
    ]);
    for (const bad of ['/images/../secret.jpg', '/etc/passwd', '//evil.example/x.jpg', '/images/x.svg']) {
      expect(image(bad), bad).toEqual([
        'data/articles/a.json: [0].image.url: Invalid image path: expected /images/<file>.jpg (or .jpeg, .png, .gif, .webp) for a file in data/images',
      ]);
    }
  });

  it('accepts http and https URLs with paths, queries and fragments', () => {
    expect(problemsOfArticle(articleJson({ url: 'http://news.example.com/a?b=1#c' }))).toEqual([]);
    expect(problemsOfArticle(articleJson({ url: 'HTTPS://News.Example.com/A' }))).toEqual([]);
  });

  const publishedAtProblems: Array<[string, string, string]> = [
    ['a missing offset', '2026-11-30T04:12:00', '"2026-11-30T04:12:00" has no UTC offset; add one, e.g. 2026-11-30T04:12:00+01:00 (or Z for UTC)'],
    ['a missing offset and seconds', '2026-11-30T04:12', '"2026-11-30T04:12" has no UTC offset; add one, e.g. 2026-11-30T04:12:00+01:00 (or Z for UTC)'],
    ['30 February', '2026-02-30T05:00:00+01:00', '"2026-02-30T05:00:00+01:00" is not a real date: February 2026 has 28 days'],
    ['29 February of a common year', '2026-02-29T05:00:00Z', '"2026-02-29T05:00:00Z" is not a real date: February 2026 has 28 days'],
    ['day 00', '2026-11-00T05:00:00Z', '"2026-11-00T05:00:00Z" is not a real date: day 00 does not exist (days start at 01)'],
    ['a lower-case t and z', '2026-11-30t04:12:00z', '"2026-11-30t04:12:00z" writes T or Z in lower case; write 2026-11-30T04:12:00Z'],
    ['31 November', '2026-11-31T04:12:00-05:00', '"2026-11-31T04:12:00-05:00" is not a real date: November 2026 has 30 days'],
    ['month 13', '2026-13-01T04:12:00Z', '"2026-13-01T04:12:00Z" is not a real date: month 13 does not exist (01–12)'],
    ['hour 25', '2026-12-08T25:00:00Z', '"2026-12-08T25:00:00Z" is not a real time: hour 25 is out of range (00–23)'],
    ['minute 61', '2026-12-08T05:61:00Z', '"2026-12-08T05:61:00Z" is not a real time: minute 61 is out of range (00–59)'],
    ['an offset of 25 hours', '2026-12-08T05:00:00+25:00', '"2026-12-08T05:00:00+25:00" is not a real UTC offset: +25:00 is out of range (-23:59 to +23:59)'],
    ['no seconds', '2026-12-08T05:00+01:00', '"2026-12-08T05:00+01:00" has no seconds; write 2026-12-08T05:00:00+01:00'],
    ['an offset without a colon', '2026-12-08T05:00:00+0100', '"2026-12-08T05:00:00+0100" has its UTC offset without a colon; write 2026-12-08T05:00:00+01:00'],
    ['a date alone', '2026-11-30', '"2026-11-30" is not an ISO 8601 date-time with an offset; write e.g. 2026-11-30T04:12:00-05:00'],
    ['another order', '30/11/2026 04:12', '"30/11/2026 04:12" is not an ISO 8601 date-time with an offset; write e.g. 2026-11-30T04:12:00-05:00'],
    ['a word', 'yesterday', '"yesterday" is not an ISO 8601 date-time with an offset; write e.g. 2026-11-30T04:12:00-05:00'],
  ];
  for (const [what, publishedAt, message] of publishedAtProblems) {
    it(`rejects a publishedAt with ${what}, naming the value and what is wrong with it`, () => {
      expect(problemsOfArticle(articleJson({ publishedAt }))).toEqual([`data/articles/a.json: [0].publishedAt: ${message}`]);
    });
  }

  it('still says a publishedAt that is not text is the wrong type', () => {
    expect(problemsOfArticle(articleJson({ publishedAt: 5 }))).toEqual(['data/articles/a.json: [0].publishedAt: Expected a string, got the number 5']);
  });

  it('accepts publishedAt with a negative, a positive or a Z offset', () => {
    for (const publishedAt of ['2026-11-30T04:12:00-05:00', '2026-11-30T10:12:00+01:00', '2026-11-30T09:12:00Z', '2026-11-30T09:12:00.250Z', '2028-02-29T09:12:00Z']) {
      expect(problemsOfArticle(articleJson({ publishedAt }))).toEqual([]);
    }
  });

  it('reports a single-object file without an array index in the path', () => {
    expect(problems({ 'data/articles/one.json': articleJson({ url: 'javascript:void(0)' }) })).toEqual([
      'data/articles/one.json: url: Invalid URL: expected an absolute http(s) URL',
    ]);
  });

  it('says what a file must hold when it holds neither an article nor an array', () => {
    expect(problems({ 'data/articles/s.json': '"just a string"' })).toEqual([
      'data/articles/s.json: Expected an object, got the string "just a string"',
    ]);
    expect(problems({ 'data/articles/n.json': 'null' })).toEqual(['data/articles/n.json: Expected an object, got null']);
    expect(problems({ 'data/articles/x.json': [articleJson(), 5] })).toEqual([
      'data/articles/x.json: [1]: Expected an object, got the number 5',
    ]);
  });

  it('keeps HTML in texts as plain text: the schema neither strips nor rejects it', () => {
    const parsed = ArticleSchema.parse(articleJson({ headline: '<b>Bold</b> & "quoted"' }), { error: readableErrors });
    expect(parsed.headline).toBe('<b>Bold</b> & "quoted"');
  });

});
