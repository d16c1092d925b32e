/**
 * npm run bench:render — render once, personalize many, for every edition template in the
 * registry, so an MJML design listed in templates/index.ts gets its own rows.
 *
 * For each template, in separate child processes so each figure's peak RSS belongs to that work alone:
 *   1. render once per edition (renderEdition, mean of several runs), then personalize for 100,000 readers;
 *   2. the naive way: a full template render per reader, for 1,000 readers.
 * Prints per-copy microseconds, their ratio and peak RSS (process.resourceUsage().maxRSS). Not a test:
 * figures vary by machine and load; compare the ratio within one run.
 *
 * Usage: npm run bench:render [-- --readers N --naive N --naive-mjml N --template NAME --render-runs N]
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { testConfig, testEdition } from '../tests/render/fixtures.ts';
import { buildEditionView, getEditionTemplate, listTemplates, renderEdition, type Reader } from '../src/designs/index.ts';

const { values: args } = parseArgs({
  options: {
    readers: { type: 'string', default: '100000' },
    naive: { type: 'string', default: '1000' },
    // A full MJML compile costs ~10× a React render, so MJML designs sample fewer naive renders.
    'naive-mjml': { type: 'string', default: '100' },
    template: { type: 'string' },
    'render-runs': { type: 'string', default: '20' },
    child: { type: 'string' },
  },
});
const READERS = Number(args.readers);
const NAIVE = Number(args.naive);
const NAIVE_MJML = Number(args['naive-mjml']);
const RENDER_RUNS = Number(args['render-runs']);

const config = testConfig();
const edition = testEdition(25, config);

// Mostly ordinary readers, with the awkward cases mixed in so escaping is exercised, not skipped.
// Made on the fly, as a sender streams them from the database, rather than held in one big array.
const NAMES = ['Ana', 'Bo', null, 'Zoë "Z" <O\'Brien> & 🦊', 'Marie-Claire', 'Jo & Sam', 'Łukasz', ''];
function reader(i: number): Reader {
  return {
    email: `reader${i}@example.com`,
    firstName: NAMES[i % NAMES.length]!,
    unsubscribeUrl: `https://daybreak.example/unsubscribe?s=${i}&n=morning&t=${((i * 2654435761) >>> 0).toString(36)}`,
  };
}

const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

interface PersonalizeFigures {
  template: string;
  engine: string;
  htmlBytes: number;
  renderOnceMs: number;
  personalizeUs: number;
  personalizeTotalS: number;
  bytesUs: number;
  bytesTotalS: number;
  encodeUs: number;
  rssMb: number;
}
interface NaiveFigures {
  naiveUs: number;
  naiveCount: number;
  rssMb: number;
}

async function personalizePhase(name: string): Promise<PersonalizeFigures> {
  // Warm-up: module loading and JIT are not what we measure.
  let rendered = await renderEdition(edition, config, name);
  let t = performance.now();
  for (let i = 0; i < RENDER_RUNS; i++) rendered = await renderEdition(edition, config, name);
  const renderOnceMs = (performance.now() - t) / RENDER_RUNS;

  // Every reader's HTML and text copy as a string. V8 builds `a + b` lazily (a rope): reading `.length`
  // alone would never copy the 40 KB, so the last char code of each part is read, which flattens the rope
  // into one real string. The checksum keeps the work observable.
  let checksum = 0;
  t = performance.now();
  for (let i = 0; i < READERS; i++) {
    const copy = rendered.personalize(reader(i));
    checksum += copy.html.charCodeAt(copy.html.length - 1) + copy.text.charCodeAt(copy.text.length - 1);
  }
  const personalizeMs = performance.now() - t;

  // Every copy as UTF-8 bytes, what a transport or a file needs: personalizeBytes concatenates the
  // pre-encoded static parts with the reader's encoded values (one allocation and memcpy per copy).
  t = performance.now();
  for (let i = 0; i < READERS; i++) {
    const copy = rendered.personalizeBytes(reader(i));
    checksum += copy.html[copy.html.length - 1]! + copy.text[copy.text.length - 1]!;
  }
  const bytesMs = performance.now() - t;

  // The string copy then encoded to UTF-8 (what personalizeBytes avoids), on a sample of readers.
  const encodeN = Math.min(READERS, 10_000);
  t = performance.now();
  for (let i = 0; i < encodeN; i++) {
    const copy = rendered.personalize(reader(i));
    checksum += Buffer.from(copy.html).length + Buffer.from(copy.text).length;
  }
  const encodeUs = ((performance.now() - t) * 1000) / encodeN;
  if (checksum === 0) throw new Error('nothing was personalized');
  return {
    template: rendered.template,
    engine: rendered.engine,
    htmlBytes: rendered.htmlBytes,
    renderOnceMs,
    personalizeUs: (personalizeMs * 1000) / READERS,
    personalizeTotalS: personalizeMs / 1000,
    bytesUs: (bytesMs * 1000) / READERS,
    bytesTotalS: bytesMs / 1000,
    encodeUs,
    rssMb: maxRssMb(),
  };
}

async function naivePhase(name: string): Promise<NaiveFigures> {
  const template = getEditionTemplate(name);
  const view = buildEditionView(edition, config);
  await template.render({ view, reader: reader(0) });
  const count = template.engine === 'mjml' ? Math.min(NAIVE, NAIVE_MJML) : NAIVE;
  let checksum = 0;
  const t = performance.now();
  for (let i = 0; i < count; i++) {
    const copy = await template.render({ view, reader: reader(i) });
    checksum += copy.html.length + copy.text.length;
  }
  const naiveMs = performance.now() - t;
  if (checksum === 0) throw new Error('nothing was rendered');
  return { naiveUs: (naiveMs * 1000) / count, naiveCount: count, rssMb: maxRssMb() };
}

async function child<T>(phase: string, name: string): Promise<T> {
  const script = fileURLToPath(import.meta.url);
  const argv = ['--import', 'tsx', script, '--child', phase, '--template', name, '--readers', String(READERS), '--naive', String(NAIVE), '--naive-mjml', String(NAIVE_MJML), '--render-runs', String(RENDER_RUNS)];
  const { stdout } = await promisify(execFile)(process.execPath, argv, { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

if (args.child) {
  const name = args.template!;
  const result = args.child === 'naive' ? await naivePhase(name) : await personalizePhase(name);
  console.log(JSON.stringify(result));
} else {
  const chosen = listTemplates().filter((t) => t.kind === 'edition' && (args.template === undefined || t.name === args.template));
  const names = chosen.map((t) => t.name);
  if (names.length === 0) throw new Error(`No edition template named ${args.template}`);
  // The naive count each template really gets (MJML designs are capped by --naive-mjml).
  const naiveCounts = chosen.map((t) => `${t.name} ${fmt(t.engine === 'mjml' ? Math.min(NAIVE, NAIVE_MJML) : NAIVE, 0)}`).join(', ');
  console.log(
    `bench:render: ${edition.items.length + 1}-article edition; ${fmt(READERS, 0)} personalized copies per template; naive renders: ${naiveCounts}; render once: mean of ${RENDER_RUNS} runs; Node ${process.version}`,
  );
  const verdicts: string[] = [];
  for (const name of names) {
    // One after the other, never in parallel: the machine has two cores.
    const p = await child<PersonalizeFigures>('personalize', name);
    const n = await child<NaiveFigures>('naive', name);
    const ratio = n.naiveUs / p.personalizeUs;
    console.log(
      [
        `\n${p.template} (${p.engine}), HTML ${fmt(p.htmlBytes / 1024)} KB`,
        `  render once per edition        ${fmt(p.renderOnceMs)} ms`,
        `  personalize (string), per copy ${fmt(p.personalizeUs, 2)} µs  (${fmt(READERS, 0)} copies in ${fmt(p.personalizeTotalS, 2)} s, each flattened)`,
        `  personalizeBytes, per copy     ${fmt(p.bytesUs, 2)} µs  (${fmt(READERS, 0)} copies in ${fmt(p.bytesTotalS, 2)} s, UTF-8 Buffers)`,
        `  personalize + Buffer.from      ${fmt(p.encodeUs, 2)} µs per copy (string then encoded, for comparison)`,
        `  naive full render, per copy    ${fmt(n.naiveUs, 0)} µs  (${fmt(n.naiveCount, 0)} renders)`,
        `  ratio naive / personalize      ${fmt(ratio, 0)}× (string), ${fmt(n.naiveUs / p.bytesUs, 0)}× (bytes)`,
        `  peak RSS, render + personalize ${fmt(p.rssMb, 0)} MB`,
        `  peak RSS, naive renders        ${fmt(n.rssMb, 0)} MB`,
      ].join('\n'),
    );
    const ok = (b: boolean) => (b ? 'met' : 'MISSED');
    for (const [label, us] of [['string', p.personalizeUs], ['bytes', p.bytesUs]] as const) {
      const r = n.naiveUs / us;
      const projected = (us * 100_000) / 1e6;
      verdicts.push(
        `${p.template} (${label}): ratio ${fmt(r, 0)}× (≥ 100×: ${ok(r >= 100)}); 100,000 copies ${fmt(projected, 2)} s (< 2 s: ${ok(projected < 2)}); personalizing RSS ${fmt(p.rssMb, 0)} MB (< 300 MB: ${ok(p.rssMb < 300)})`,
      );
    }
  }
  console.log(`\ntargets\n  ${verdicts.join('\n  ')}`);
}
