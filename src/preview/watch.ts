import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';

export type ChangeKind = 'data' | 'templates' | 'config';

export interface ChangeBatch {
  kinds: ChangeKind[];
  /** Changed paths relative to the working directory, as editors name them. */
  files: string[];
}

export interface WatchTargets {
  dataDir: string;
  templatesDir: string;
  /** The config file; it may not exist yet (every key has a default). */
  configFile: string;
}

/**
 * Watches the data folder and the templates folder recursively and the config file, and reports changes
 * in batches: editors save with several events (write, rename of a temp file, chmod), so events are
 * collected until `debounceMs` pass without a new one. Node 20 supports `recursive` on Linux (checked on
 * 20.20: new subfolders are picked up). The config file is watched through its folder, because editors
 * that save by renaming a temp file over it would leave a watcher on the old file deaf.
 *
 * @example
 * const stop = watchSources({ dataDir: 'data', templatesDir: 'templates', configFile: 'daybreak.config.json' },
 *   (batch) => console.log(batch.files));
 * stop();
 */
export function watchSources(targets: WatchTargets, onChange: (batch: ChangeBatch) => void, debounceMs = 60): () => void {
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | null = null;
  const kinds = new Set<ChangeKind>();
  const files = new Set<string>();

  const record = (kind: ChangeKind, path: string): void => {
    kinds.add(kind);
    const rel = relative(process.cwd(), path);
    files.add(rel.startsWith('..') ? path : rel);
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      const batch: ChangeBatch = { kinds: [...kinds], files: [...files].sort() };
      kinds.clear();
      files.clear();
      onChange(batch);
    }, debounceMs);
  };

  const watchDir = (dir: string, kind: ChangeKind, accept: (name: string) => boolean): void => {
    if (!existsSync(dir)) return;
    try {
      const watcher = watch(dir, { recursive: true }, (_event, name) => {
        const file = name ? String(name) : '';
        if (!accept(file)) return;
        record(kind, join(dir, file));
      });
      watcher.on('error', () => {}); // a folder removed while watched: nothing left to report
      watchers.push(watcher);
    } catch {
      // An unreadable folder: the preview still works, only without live reload for it.
    }
  };

  // Swap files, backups and editor droppings are not sources.
  const isSource = (name: string): boolean => name !== '' && !/(^|\/)(\.|#)|~$|\.sw[a-p]$/.test(name);
  watchDir(resolve(targets.dataDir), 'data', (name) => isSource(name) && (name.endsWith('.json') || !name.includes('.')));
  watchDir(resolve(targets.templatesDir), 'templates', isSource);

  const configPath = resolve(targets.configFile);
  const configName = basename(configPath);
  const configDir = dirname(configPath);
  if (existsSync(configDir)) {
    try {
      const watcher = watch(configDir, (_event, name) => {
        if (name && String(name) === configName) record('config', configPath);
      });
      watcher.on('error', () => {});
      watchers.push(watcher);
    } catch {
      // as above
    }
  }

  return () => {
    if (timer) clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
