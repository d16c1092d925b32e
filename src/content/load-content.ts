import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { DaybreakError } from '../errors.ts';
import { ArticleSchema, EditionFileSchema, type Article, type EditionFile } from './article-schema.ts';
import { formatIssues, formatPath, parseJson, readableErrors } from './format-issues.ts';
import { plural } from '../plural.ts';

export interface ArticleRecord extends Article {
  /** The file the article came from, relative to the working directory (for messages). */
  file: string;
}

export interface Content {
  articles: ArticleRecord[];
  byId: Map<string, ArticleRecord>;
  /** Curated editions keyed by `<newsletter-id>/<YYYY-MM-DD>`. */
  editions: Map<string, EditionFile & { file: string }>;
  /**
   * Entries that look like content but were not read, one sentence each naming the file and why (a
   * folder named `x.json`, a FIFO, a broken link): commands print them as warnings.
   */
  skipped?: string[];
}

const DATE_FILE = /^(\d{4}-\d{2}-\d{2})\.json$/;

/** Node's word for what a non-file, non-folder entry is, for messages. */
function kindOf(stat: Stats): string {
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * What an entry of the data folder is, following a link only when it stays inside the folder (`root`,
 * its real path). A link that leaves it is refused before anything is read: a data folder is something
 * an editor fills, and a link must not make /etc/passwd or another project's file a story (nor quote
 * it in an error).
 */
function entry(path: string, root: string): { kind: 'file' | 'folder' } | { problem: string } | { skip: string } {
  let stat: Stats;
  try {
    stat = lstatSync(path);
    if (stat.isSymbolicLink()) {
      let target: string;
      try {
        target = realpathSync(path);
      } catch {
        return { skip: `${display(path)}: is a link to ${readlinkSync(path)}, which does not exist; skipped` };
      }
      if (target !== root && !target.startsWith(root + sep)) {
        return { problem: `${display(path)}: is a link to ${target}, outside the data folder ${display(root)}; refused (copy the file into the folder instead)` };
      }
      stat = statSync(target);
    }
  } catch (error) {
    return { problem: `${display(path)}: could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
  if (stat.isFile()) return { kind: 'file' };
  if (stat.isDirectory()) return { kind: 'folder' };
  return { skip: `${display(path)}: is ${kindOf(stat)}, not a file; skipped` };
}

/**
 * The .json files of a folder, in name order. A link out of the data folder is a problem; anything else
 * named .json that is not a file (a folder, a FIFO, a broken link) is skipped and named in `skipped`.
 */
function listJson(dir: string, root: string, problems: string[], skipped: string[]): string[] {
  if (!existsSync(dir)) return [];
  const folder = entry(dir, root);
  if ('problem' in folder || 'skip' in folder) {
    if ('problem' in folder) problems.push(folder.problem);
    else skipped.push(folder.skip);
    return [];
  }
  // Dot files are not articles: editors' lock files (".#a.json"), macOS "._a.json" and `daybreak fetch`'s state.
  const files: string[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
    const path = join(dir, name);
    const found = entry(path, root);
    if ('problem' in found) problems.push(found.problem);
    else if ('skip' in found) skipped.push(found.skip);
    else if (found.kind === 'folder') skipped.push(`${display(path)}: is a folder, not a JSON file; skipped (rename it, or move its files up a level)`);
    else files.push(path);
  }
  return files;
}

/**
 * The article files: those in `articles/` and one folder down (`articles/<source>/`, where `daybreak fetch`
 * writes each source's items), in a stable order.
 */
function listArticleFiles(dir: string, root: string, problems: string[], skipped: string[]): string[] {
  if (!existsSync(dir)) return [];
  // One level of folders too (`daybreak fetch` writes articles/<source>/); a linked folder is checked like a file.
  const folders = readdirSync(dir)
    .filter((name) => !name.startsWith('.') && !name.endsWith('.json'))
    .sort()
    .map((name) => join(dir, name))
    .filter((path) => {
      const found = entry(path, root);
      return !('problem' in found) && !('skip' in found) && found.kind === 'folder';
    });
  return [...listJson(dir, root, problems, skipped), ...folders.flatMap((folder) => listJson(folder, root, problems, skipped))];
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
    // Say where it looked: a command run outside the publisher's folder resolves `data/` against the wrong place.
    const message = `${dir}: data folder not found (looked for ${resolve(dir)}); run daybreak in the folder with daybreak.config.json, or pass --config or --data`;
    throw new DaybreakError('EDATA', message, { details: [message] });
  }
  const problems: string[] = [];
  const skipped: string[] = [];
  const root = realpathSync(dir);
  const articles: ArticleRecord[] = [];
  const byId = new Map<string, ArticleRecord>();
  /** Ids of articles that failed validation: already reported, so editions naming them are not "unknown". */
  const invalidIds = new Set<string>();
  /** The array index of each valid article that came from a file holding an array. */
  const idIndex = new Map<string, number>();

  for (const path of listArticleFiles(join(dir, 'articles'), root, problems, skipped)) {
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
      // An image shipped with the data must be there, or every copy would show a broken picture.
      if (article.image?.url.startsWith('/images/')) {
        const image = join(dir, article.image.url);
        const found = existsSync(image) ? entry(image, root) : null;
        if (!found || 'skip' in found || ('kind' in found && found.kind !== 'file')) {
          problems.push(`${file}: ${formatPath([...at, 'image', 'url'])}: ${display(image)} not found (images under /images/ are read from ${display(join(dir, 'images'))})`);
        } else if ('problem' in found) problems.push(found.problem);
      }
      if (at.length > 0) idIndex.set(article.id, at[0]!);
      const record = { ...article, file };
      byId.set(article.id, record);
      articles.push(record);
    }
  }

  const editions = new Map<string, EditionFile & { file: string }>();
  const editionsDir = join(dir, 'editions');
  const editionsEntry = existsSync(editionsDir) ? entry(editionsDir, root) : null;
  if (editionsEntry && 'problem' in editionsEntry) problems.push(editionsEntry.problem);
  else if (editionsEntry && 'skip' in editionsEntry) skipped.push(editionsEntry.skip);
  else if (editionsEntry) {
    for (const newsletterId of readdirSync(editionsDir).sort()) {
      const folder = join(editionsDir, newsletterId);
      // Hidden files (.DS_Store, .gitkeep) are not content; anything else is named if it cannot be read.
      if (newsletterId.startsWith('.')) continue;
      const found = entry(folder, root);
      if ('problem' in found) {
        problems.push(found.problem);
        continue;
      }
      if ('skip' in found || found.kind !== 'folder') {
        skipped.push('skip' in found ? found.skip : `${display(folder)}: is a file, not a folder; skipped (edition files go in editions/<newsletter>/YYYY-MM-DD.json)`);
        continue;
      }
      // Given the config's ids, a misspelt folder is reported instead of its curation silently never applying.
      if (options.newsletters && !options.newsletters.includes(newsletterId)) {
        problems.push(`${display(folder)}: no newsletter "${newsletterId}" in the config (it has: ${options.newsletters.join(', ')})`);
        continue;
      }
      for (const path of listJson(folder, root, problems, skipped)) {
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
    const count = plural(problems.length, 'problem');
    throw new DaybreakError('EDATA', `${count} in ${dir}:\n${problems.join('\n')}`, { details: problems });
  }
  return { articles, byId, editions, skipped };
}
