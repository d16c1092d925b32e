import { fileURLToPath } from 'node:url';
import { projectUrl } from './project-root.ts';

/**
 * A page of Daybreak's docs as a path on this machine, for messages to point at: a publisher runs
 * Daybreak from their own folder, where a bare `docs/feeds.md` names nothing. The docs sit in the
 * Daybreak folder the command runs from (its package root), whether it runs compiled or from source.
 *
 * @example
 * `add a "sources" list (see ${docPath('feeds.md')})` // → … (see /opt/daybreak/docs/feeds.md)
 */
export function docPath(page: string): string {
  return fileURLToPath(projectUrl(`docs/${page}`));
}
