/**
 * npm run bench:render — render once, personalize many (issue 2), for every edition template in the
 * registry (so an MJML design added to templates/index.ts gets its own row, issue 3).
 *
 * For each template: the once-per-edition render (renderEdition), the per-copy personalization for
 * 100,000 readers, and the naive way (a full template render per reader) for 1,000 readers. Prints
 * per-copy microseconds, their ratio and peak RSS. Not a test: figures vary by machine; compare the
 * ratio within one run. Usage: npm run bench:render [-- --readers N --naive N --naive-mjml N --template NAME]
 */
import { parseArgs } from 'node:util';
import { testConfig, testEdition } from '../tests/render/fixtures.ts';
import { buildEditionView, listTemplates, renderEdition, type EditionTemplate, type Reader } from '../src/render/index.ts';

const { values: args } = parseArgs({
  options: {
    readers: { type: 'string', default: '100000' },
    naive: { type: 'string', default: '1000' },
    // A full MJML compile costs ~100× a React render (~0.2 s), so its naive row samples fewer readers.
    'naive-mjml': { type: 'string', default: '100' },
    template: { type: 'string' },
    'render-runs': { type: 'string', default: '20' },
  },
});
const READERS = Number(args.readers);
const NAIVE = Number(args.naive);
const NAIVE_MJML = Number(args['naive-mjml']);
const RENDER_RUNS = Number(args['render-runs']);

const config = testConfig();
const edition = testEdition(25, config);
const view = buildEditionView(edition, config);

// Mostly ordinary readers, with the awkward cases mixed in so escaping is exercised, not skipped.
const NAMES = ['Ana', 'Bo', null, 'Zoë "Z" <O\'Brien> & 🦊', 'Marie-Claire', 'Jo & Sam', 'Łukasz', ''];
function reader(i: number): Reader {
  return {
    email: `reader${i}@example.com`,
    firstName: NAMES[i % NAMES.length]!,
    unsubscribeUrl: `https://daybreak.example/unsubscribe?s=${i}&n=morning&t=${(i * 2654435761 >>> 0).toString(36)}`,
  };
}

const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const maxRss = () => process.resourceUsage().maxRSS; // kilobytes
const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

interface Row {
  template: string;
  engine: string;
  htmlBytes: number;
  renderOnceMs: number;
  personalizeUs: number;
  personalizeTotalS: number;
  encodeUs: number;
  naiveUs: number;
  naiveCount: number;
}

async function benchTemplate(template: EditionTemplate): Promise<Row> {
  // Warm up: module loading and JIT are not what we measure.
  let rendered = await renderEdition(edition, config, template.name);
  await template.render({ view, reader: reader(0) });

  if (process.env.BENCH_DEBUG) console.log('rss after warm-up', mb(maxRss()));
  let t = performance.now();
  for (let i = 0; i < RENDER_RUNS; i++) rendered = await renderEdition(edition, config, template.name);
  const renderOnceMs = (performance.now() - t) / RENDER_RUNS;
  if (process.env.BENCH_DEBUG) console.log('rss after render once', mb(maxRss()));

  // Personalize: build every reader's HTML and text copy. The checksum keeps the work observable.
  let checksum = 0;
  t = performance.now();
  // Readers are made on the fly, as a sender streams them from the database (not held in one array).
  for (let i = 0; i < READERS; i++) {
    const copy = rendered.personalize(reader(i));
    checksum += copy.html.length + copy.text.length;
  }
  const personalizeMs = performance.now() - t;
  if (process.env.BENCH_DEBUG) console.log('rss after personalize', mb(maxRss()));

  // The same, also encoding each copy to UTF-8 bytes as a transport must (shown for honesty).
  const encodeN = Math.min(READERS, 20_000);
  t = performance.now();
  for (let i = 0; i < encodeN; i++) {
    const copy = rendered.personalize(reader(i));
    checksum += Buffer.from(copy.html).length + Buffer.from(copy.text).length;
  }
  const encodeUs = ((performance.now() - t) * 1000) / encodeN;
  if (process.env.BENCH_DEBUG) console.log('rss after encode', mb(maxRss()));

  // Naive: a full template render for each reader.
  const naiveCount = Math.min(template.engine === 'mjml' ? NAIVE_MJML : NAIVE, READERS);
  t = performance.now();
  for (let i = 0; i < naiveCount; i++) {
    const copy = await template.render({ view, reader: reader(i) });
    checksum += copy.html.length + copy.text.length;
  }
  const naiveMs = performance.now() - t;
  if (checksum === 0) throw new Error('nothing was rendered');

  return {
    template: template.name,
    engine: template.engine,
    htmlBytes: rendered.htmlBytes,
    renderOnceMs,
    personalizeUs: (personalizeMs * 1000) / READERS,
    personalizeTotalS: personalizeMs / 1000,
    encodeUs,
    naiveUs: (naiveMs * 1000) / naiveCount,
    naiveCount,
  };
}

const templates = listTemplates().filter(
  (t): t is EditionTemplate => t.kind === 'edition' && (args.template === undefined || t.name === args.template),
);
if (templates.length === 0) throw new Error(`No edition template named ${args.template}`);

console.log(`bench:render — ${edition.items.length + 1}-article edition, ${fmt(READERS, 0)} personalized copies, ${fmt(NAIVE, 0)} naive renders; Node ${process.version}`);
const rows: Row[] = [];
for (const template of templates) {
  const row = await benchTemplate(template);
  rows.push(row);
  console.log(
    [
      `\n${row.template} (${row.engine}), HTML ${fmt(row.htmlBytes / 1024)} KB`,
      `  render once per edition     ${fmt(row.renderOnceMs)} ms`,
      `  personalize, per copy       ${fmt(row.personalizeUs, 2)} µs  (${fmt(READERS, 0)} copies in ${fmt(row.personalizeTotalS, 2)} s)`,
      `  personalize + UTF-8 encode  ${fmt(row.encodeUs, 2)} µs per copy`,
      `  naive full render, per copy ${fmt(row.naiveUs, 0)} µs  (${fmt(row.naiveCount, 0)} renders)`,
      `  ratio naive / personalize   ${fmt(row.naiveUs / row.personalizeUs, 0)}×`,
      `  peak RSS so far             ${mb(maxRss())}`,
    ].join('\n'),
  );
}

const rss = maxRss();
const ok = (b: boolean) => (b ? 'met' : 'MISSED');
console.log(`\npeak RSS ${mb(rss)}`);
for (const row of rows) {
  const ratio = row.naiveUs / row.personalizeUs;
  const projected = (row.personalizeUs * 100_000) / 1e6;
  console.log(
    `targets ${row.template}: ratio ${fmt(ratio, 0)}× ≥ 100× ${ok(ratio >= 100)}; 100,000 copies ${fmt(projected, 2)} s < 2 s ${ok(projected < 2)}; RSS ${mb(rss)} < 300 MB ${ok(rss < 300 * 1024)}`,
  );
}
