// Compiles the CLI (and its worker threads: the ledger writer, the DKIM signer) from src/ into dist/cli/ with esbuild, and tells
// whether an earlier build is still current. bin/daybreak.js calls ensureBuild() on every start, so the
// sources stay the only truth: an edited file makes the next run rebuild (about a tenth of a second).
//
// Why compile at all: run through tsx, every process carries tsx's loader thread (a second V8 heap) and
// its transform caches: tens of MB of resident memory and about a second of CPU per start, which a
// sender that must stay small on a long list cannot spare. Tests and the preview's template reload still
// run the TypeScript sources through tsx.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT_DIR = join(ROOT, 'dist', 'cli');
const META = join(OUT_DIR, 'build.json');
/** Output name → source entry. Workers are their own entry points (a thread loads a file). */
const ENTRIES = { daybreak: 'src/cli/index.ts', 'dkim-worker': 'src/delivery/dkim-worker.ts', 'send-store-worker': 'src/storage/send-store-worker.ts' };
/** Files that change the output without being bundled into it. */
const ALSO = ['package.json', 'package-lock.json', 'tsconfig.json', 'bin/build.js'];

/** The compiled CLI entry, as a file URL. */
export const CLI_ENTRY = new URL('../dist/cli/daybreak.mjs', import.meta.url);

function mtime(file) {
  try {
    return statSync(join(ROOT, file)).mtimeMs;
  } catch {
    return Infinity;
  }
}

/** True when dist/cli/ was built from the sources as they are now. */
export function isFresh() {
  let meta;
  try {
    meta = JSON.parse(readFileSync(META, 'utf8'));
  } catch {
    return false;
  }
  if (!Object.keys(ENTRIES).every((name) => existsSync(join(OUT_DIR, `${name}.mjs`)))) return false;
  return [...meta.inputs, ...ALSO].every((file) => mtime(file) <= meta.builtAt);
}

/**
 * Builds dist/cli/ unless it is current. Safe to run from several processes at once: each builds into
 * its own temporary folder and renames finished files into place, the build record last.
 *
 * @example
 * await ensureBuild();
 * await import(CLI_ENTRY.href);
 */
export async function ensureBuild() {
  if (isFresh()) return;
  const { buildSync } = await import('esbuild');
  // Taken before reading the sources: a file saved during the build marks this build stale.
  const builtAt = Date.now();
  mkdirSync(OUT_DIR, { recursive: true });
  const tmp = mkdtempSync(join(OUT_DIR, '.build-'));
  try {
    const result = buildSync({
      absWorkingDir: ROOT,
      entryPoints: ENTRIES,
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Dependencies stay in node_modules and load as they do from the sources.
      packages: 'external',
      tsconfig: join(ROOT, 'tsconfig.json'),
      metafile: true,
      logLevel: 'silent',
    });
    for (const name of Object.keys(ENTRIES)) renameSync(join(tmp, `${name}.mjs`), join(OUT_DIR, `${name}.mjs`));
    const record = join(tmp, 'build.json');
    writeFileSync(record, JSON.stringify({ builtAt, inputs: Object.keys(result.metafile.inputs) }));
    renameSync(record, META);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// `node bin/build.js` (npm run build): build now, even if current.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  rmSync(META, { force: true });
  await ensureBuild();
  process.stdout.write(`Built ${Object.keys(ENTRIES).map((name) => `dist/cli/${name}.mjs`).join(', ')}\n`);
}
