import { createHash } from 'node:crypto';

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

/**
 * A short, stable fingerprint of text (the first 8 hex digits of its SHA-256).
 *
 * @example
 * shortHash('https://ledger.example/?p=48211'); // 8 hex digits, the same every time
 */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/**
 * The article id of a source's item: `<source>-<the item's own id>` when that is already a safe id
 * (WordPress and Ghost ids, most RSS guids), else `<source>-<readable slug>-<hash of the id>` so two ids
 * that slug alike ("a/b", "a-b") stay apart. Without an id the link, else the title and date, is hashed.
 * The source prefix keeps two sources' ids from colliding.
 *
 * @example
 * articleIdFor('ledger', 'https://ledger.example/2026/11/30/council-vote/'); // 'ledger-council-vote-3f2a9c1e'
 */
export function articleIdFor(sourceId: string, itemId: string | undefined, fallback: string): string {
  const raw = itemId?.trim() || '';
  if (raw !== '' && SAFE.test(raw)) return `${sourceId}-${raw}`;
  const key = raw !== '' ? raw : fallback;
  let readable = key;
  try {
    // For a URL-shaped id, its last path segment is the part a person recognises.
    const url = new URL(key);
    readable = url.pathname.split('/').filter(Boolean).pop() ?? (url.search.slice(1) || url.hostname);
  } catch {
    // not a URL: slug the whole id
  }
  const slug = readable
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
    .slice(0, 50)
    .replace(/-+$/, '');
  return slug === '' ? `${sourceId}-${shortHash(key)}` : `${sourceId}-${slug}-${shortHash(key)}`;
}
