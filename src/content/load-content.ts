import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DaybreakError } from '../errors.ts';
import { ArticleSchema, EditionFileSchema, type Article, type EditionFile } from './article-schema.ts';
import { formatIssues, formatPath, parseJson, readableErrors } from './format-issues.ts';

export interface ArticleRecord extends Article {
  /** The file the article came from, relative to the working directory (for messages). */
  file: string;
}

export interface Content {
  articles: ArticleRecord[];
  byId: Map<string, ArticleRecord>;
  /** Curated editions keyed by `<newsletter-id>/<YYYY-MM-DD>`. */
  editions: Map<string, EditionFile & { file: string }>;
}

const DATE_FILE = /^(\d{4}-\d{2}-\d{2})\.json$/;

function listJson(dir: string): string[] {
  if (!existsSync(dir)) return [];
  // statSync follows symlinks, so a linked file counts and a folder that happens to end in .json does not.
  // Dot files are not articles: editors' lock files (".#a.json"), macOS "._a.json" and `daybreak fetch`'s state.
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
    .sort()
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

/**
 * The article files: those in `articles/` and one folder down (`articles/<source>/`, where `daybreak fetch`
 * writes each source's items), in a stable order.
 */
function listArticleFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const folders = readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .sort()
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isDirectory());
  return [...listJson(dir), ...folders.flatMap(listJson)];
}

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

/**
 * loadContent for a config: naming the config's newsletters lets it report a misspelt
 * data/editions/<newsletter>/ folder instead of ignoring it. Every caller that has a config uses this.
 *
 * @example
 * const content = loadContentFor('data', config);
 */
export function loadContentFor(dir: string, config: { newsletters: readonly { id: string }[] }): Content {
  return loadContent(dir, { newsletters: config.newsletters.map((n) => n.id) });
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/**
 * Reads every article and edition file under `dir`, validating all of them and reporting every problem
 * in one error (one line each: `file: path: message`), so an editor fixes a folder in one pass.
 *
 * Pass `newsletters` (the config's ids) to also report an edition folder that names no newsletter.
 *
 * @example
 * const content = loadContent('data', { newsletters: config.newsletters.map((n) => n.id) });
 * content.byId.get('sessions-recusal-dinner');
 */
export function loadContent(dir: string, options: { newsletters?: readonly string[] } = {}): Content {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DaybreakError('EDATA', `${dir}: data folder not found`, { details: [`${dir}: data folder not found`] });
  }
  const problems: string[] = [];
  const articles: ArticleRecord[] = [];
  const byId = new Map<string, ArticleRecord>();
  /** Ids of articles that failed validation: already reported, so editions naming them are not "unknown". */
  const invalidIds = new Set<string>();
  /** The array index of each valid article that came from a file holding an array. */
  const idIndex = new Map<string, number>();

  for (const path of listArticleFiles(join(dir, 'articles'))) {
    const file = display(path);
    const json = parseJson(file, readFileSync(path, 'utf8'));
    if (!json.ok) {
      problems.push(json.message);
      continue;
    }
    // Each article is checked on its own, so one bad article neither hides the problems of the others
    // nor makes their ids "unknown" to the duplicate and edition checks below.
    const entries: [unknown, number[]][] = Array.isArray(json.value)
      ? json.value.map((value, i): [unknown, number[]] => [value, [i]])
      : [[json.value, []]];
    for (const [value, at] of entries) {
      const result = ArticleSchema.safeParse(value, { error: readableErrors });
      if (!result.success) {
        problems.push(...formatIssues(file, result.error, at));
        const id = (value as { id?: unknown } | null)?.id;
        if (typeof id === 'string') invalidIds.add(id);
        continue;
      }
      const article = result.data;
      const existing = byId.get(article.id);
      if (existing) {
        // Where the first one is: its index too when its file holds an array (two in one file differ only there).
        const where = idIndex.has(article.id) ? ` at ${formatPath([idIndex.get(article.id)!, 'id'])}` : '';
        problems.push(`${file}: ${formatPath([...at, 'id'])}: duplicate article id "${article.id}" (also in ${existing.file}${where})`);
        continue;
      }
      if (at.length > 0) idIndex.set(article.id, at[0]!);
      const record = { ...article, file };
      byId.set(article.id, record);
      articles.push(record);
    }
  }

  const editions = new Map<string, EditionFile & { file: string }>();
  const editionsDir = join(dir, 'editions');
  if (existsSync(editionsDir)) {
    for (const newsletterId of readdirSync(editionsDir).sort()) {
      const folder = join(editionsDir, newsletterId);
      if (!statSync(folder).isDirectory()) continue;
      // Given the config's ids, a misspelt folder is reported instead of its curation silently never applying.
      if (options.newsletters && !options.newsletters.includes(newsletterId)) {
        problems.push(`${display(folder)}: no newsletter "${newsletterId}" in the config (it has: ${options.newsletters.join(', ')})`);
        continue;
      }
      for (const path of listJson(folder)) {
        const file = display(path);
        const name = path.slice(folder.length + 1);
        const dateMatch = DATE_FILE.exec(name);
        if (!dateMatch || !isIsoDate(dateMatch[1]!)) {
          problems.push(`${file}: edition files must be named YYYY-MM-DD.json with a real date`);
          continue;
        }
        const json = parseJson(file, readFileSync(path, 'utf8'));
        if (!json.ok) {
          problems.push(json.message);
          continue;
        }
        const result = EditionFileSchema.safeParse(json.value, { error: readableErrors });
        if (!result.success) {
          problems.push(...formatIssues(file, result.error));
          continue;
        }
        editions.set(`${newsletterId}/${dateMatch[1]}`, { ...result.data, file });
      }
    }
  }

  // Unknown ids are checked after every article is read, so the order of files does not matter.
  for (const edition of editions.values()) {
    if (edition.lead !== undefined && !byId.has(edition.lead) && !invalidIds.has(edition.lead)) {
      problems.push(`${edition.file}: lead: unknown article id "${edition.lead}"`);
    }
    edition.articles?.forEach((id, i) => {
      if (!byId.has(id) && !invalidIds.has(id)) problems.push(`${edition.file}: articles[${i}]: unknown article id "${id}"`);
      // Listed twice, a story would appear twice in the email.
      const first = edition.articles!.indexOf(id);
      if (first < i) problems.push(`${edition.file}: articles[${i}]: "${id}" is already listed at articles[${first}]`);
    });
  }

  if (problems.length > 0) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    throw new DaybreakError('EDATA', `${count} in ${dir}:\n${problems.join('\n')}`, { details: problems });
  }
  return { articles, byId, editions };
}
