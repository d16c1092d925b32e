import { relative, resolve, sep } from 'node:path';
import type { Config } from '../content/index.ts';

/** Where an article came from: a configured source (by its folder) or a file written by hand. */
export type ArticleOrigin = { kind: 'source'; source: string; url: string; file: string } | { kind: 'file'; file: string };

/**
 * The origin of an article from its file: a file in `articles/<id>/` where `<id>` is a configured source
 * was written by `daybreak fetch` from that source; anything else was written by hand.
 *
 * @example
 * articleOrigin('data/articles/ledger/ledger-4411.json', 'data', config); // { kind: 'source', source: 'ledger', … }
 */
export function articleOrigin(file: string, dataDir: string, config: Pick<Config, 'sources'>): ArticleOrigin {
  const rel = relative(resolve(dataDir, 'articles'), resolve(file));
  const parts = rel.split(sep);
  if (parts.length === 2 && !rel.startsWith('..')) {
    const source = config.sources.find((s) => s.id === parts[0]);
    if (source) return { kind: 'source', source: source.id, url: source.url, file };
  }
  return { kind: 'file', file };
}
