import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { DaybreakError, isDaybreakError } from '../../errors.ts';
import {
  findNewsletter,
  isSkipped,
  localDate,
  type Config,
  type Newsletter,
} from '../../content/index.ts';
import { sampleCopy } from '../../delivery/index.ts';
import { getEditionTemplate, lintEmail, renderEdition, sampleReader, sampleReaders, type Reader, type Segmented } from '../../designs/index.ts';
import { DATA_OPTION_HELP, describeDatesWithArticles, loadConfigFrom, requestedEdition, resolveDataDir } from '../context.ts';
import { parseMailbox } from '../../content/index.ts';
import { plural } from '../../plural.ts';
import { DateFlag } from '../date-flag.ts';
import { parseFlags } from '../parse-flags.ts';

const BuildFlags = z.strictObject({
  newsletter: z.string().min(1).optional(),
  date: DateFlag.optional(),
  data: z.string().min(1).optional(),
  out: z.string().min(1).default('out'),
  template: z.string().min(1).optional(),
  config: z.string().min(1).optional(),
  json: z.boolean().default(false),
});
export type BuildFlags = z.input<typeof BuildFlags>;

export interface BuildResult {
  newsletter: string;
  date: string;
  template: string;
  subject: string;
  sendAt: string;
  articles: Array<{ id: string; headline: string; url: string }>;
  files: { html: string; text: string; eml: string };
  htmlBytes: number;
}
export interface BuildSkipped {
  newsletter: string;
  date: string;
  skipped: 'no articles';
  /** The dates whose edition has articles, so the next try is not a guess. */
  datesWithArticles: string[];
}

/**
 * The sample reader's copy as `send` would send it: the sender's own compiled message and builder
 * (CRLF line ends, List-Id, List-Unsubscribe with its mailto form, Feedback-ID, the Message-ID scheme).
 */
export function composeEml(options: {
  config: Config;
  newsletter: Newsletter;
  date: string;
  rendered: { subject: string; html: Segmented; text: Segmented };
  sendAt: Date;
}): Buffer {
  return sampleCopy({ config: options.config, newsletter: options.newsletter, date: options.date, rendered: options.rendered, now: options.sendAt }).bytes;
}

/**
 * Creates `dir` and writes every file under a temporary name first; only when all are written are they
 * renamed into place (renames in one folder do not fail for want of space), so a full disk or a bad path
 * never leaves a half-written set. On failure the temporaries, and a folder this call created, are
 * removed, and the error is an EIO DaybreakError naming the path (exit 1), not a stack trace.
 */
function writeAll(dir: string, files: Array<{ path: string; data: string | Buffer }>): void {
  const temps: string[] = [];
  let created: string | undefined;
  let current = dir;
  try {
    created = mkdirSync(dir, { recursive: true });
    for (const file of files) {
      current = file.path;
      const temp = `${file.path}.tmp-${process.pid}`;
      writeFileSync(temp, file.data);
      temps.push(temp);
    }
    files.forEach((file, i) => {
      current = file.path;
      renameSync(temps[i]!, file.path);
    });
  } catch (error) {
    for (const temp of temps) rmSync(temp, { force: true });
    if (created !== undefined) rmSync(created, { recursive: true, force: true });
    throw new DaybreakError('EIO', `Cannot write ${current}: ${(error as Error).message}`, { cause: error });
  }
}


/**
 * `daybreak build`: assembles one edition, renders it once and writes OUT/<newsletter>/<date>/<template>
 * .html, .txt and .eml (the sample reader's copy). Throws DaybreakError: EUSAGE for bad flags, an unknown
 * newsletter or template, or a date the newsletter does not go out on; ECONFIG/EDATA for bad files.
 */
export async function build(
  rawFlags: BuildFlags,
  now: Date = new Date(),
  warn: (line: string) => void = () => {},
  note: (line: string) => void = () => {},
): Promise<BuildResult | BuildSkipped> {
  const flags = parseFlags(BuildFlags, rawFlags);
  const config = loadConfigFrom({ ...(flags.config !== undefined ? { config: flags.config } : {}) });
  const newsletter = findNewsletter(config, flags.newsletter);
  let templateName = flags.template ?? newsletter.template;
  try {
    templateName = getEditionTemplate(templateName).name;
  } catch (error) {
    // A bad --template is the caller's mistake; a bad "template" in the config is the config's.
    if (flags.template === undefined && isDaybreakError(error)) {
      const where = `${config.file ?? 'config'}: newsletters[${config.newsletters.indexOf(newsletter)}].template`;
      throw new DaybreakError('ECONFIG', `${where}: ${error.message}`, { cause: error });
    }
    throw error;
  }
  const date = flags.date ?? localDate(now, newsletter.schedule.timezone);
  const dataDir = resolveDataDir({ ...(flags.data !== undefined ? { data: flags.data } : {}) }, process.env, config);
    // Told once the build has an answer, so a failed build prints its error alone.
  const notes: string[] = [];
  const edition = requestedEdition({ config, newsletter, date, dataDir, warn, note: (line) => notes.push(line) });
  if (isSkipped(edition)) {
    notes.forEach(note);
    return { newsletter: newsletter.id, date, skipped: 'no articles', datesWithArticles: edition.datesWithArticles ?? [] };
  }

  const rendered = await renderEdition(edition, config, templateName);
  // The sample reader's unsubscribe link is on the config's baseUrl (see sampleUnsubscribeUrl for why unsigned).
  const reader = sampleReaders(config.baseUrl).sample;
  const copy = rendered.personalize(reader);
  const eml = composeEml({ config, newsletter, date, rendered, sendAt: edition.sendAt });

  const dir = join(flags.out, newsletter.id, date);
  const files = {
    html: join(dir, `${templateName}.html`),
    text: join(dir, `${templateName}.txt`),
    eml: join(dir, `${templateName}.eml`),
  };
  writeAll(dir, [
    { path: files.html, data: copy.html },
    { path: files.text, data: copy.text },
    { path: files.eml, data: eml },
  ]);
  notes.forEach(note);
  return {
    newsletter: newsletter.id,
    date,
    template: templateName,
    subject: copy.subject,
    sendAt: edition.sendAt.toISOString(),
    articles: [edition.lead, ...edition.items].map(({ id, headline, url }) => ({ id, headline, url })),
    files,
    htmlBytes: Buffer.byteLength(copy.html, 'utf8'),
  };
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

export function registerBuild(
  program: Command,
  io: { stdout: Pick<NodeJS.WritableStream, 'write'>; stderr: Pick<NodeJS.WritableStream, 'write'> } = process,
): void {
  program
    .command('build')
    .description('Render one edition to OUT/<newsletter>/<date>/<template>.html, .txt and .eml')
    .option('--newsletter <id>', 'newsletter id (default: the first in the config)')
    .option('--date <YYYY-MM-DD>', "edition date (default: today in the newsletter's timezone)")
    .option('--data <dir>', DATA_OPTION_HELP)
    .option('--out <dir>', 'output folder (default: out/)')
    .option('--template <name>', "template (default: the newsletter's)")
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--json', 'print the result as one JSON object')
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) })
    .action(async (flags: BuildFlags) => {
      const result = await build(
        flags,
        new Date(),
        (line) => io.stderr.write(`warning: ${line}\n`),
        // Which edition an article near the window's edges is in: stderr, so --json stays one object.
        (line) => io.stderr.write(`note: ${line}\n`),
      );
      // Email-client lint: warnings on stderr, so --json output stays one object.
      if (!('skipped' in result)) {
        for (const f of lintEmail(readFileSync(result.files.html, 'utf8'))) {
          io.stderr.write(`warning: ${f.rule}: ${f.message}${f.where ? ` (${f.where})` : ''}\n`);
        }
      }
      if (flags.json) {
        io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      if ('skipped' in result) {
        io.stdout.write(`${result.newsletter} ${result.date}: no articles in this edition's window; nothing written.\n${describeDatesWithArticles(result.datesWithArticles, result.date)}\n`);
        return;
      }
      const lines = [
        `${result.newsletter} ${result.date} (${result.template}): ${plural(result.articles.length, 'article')}`,
        `  subject  ${result.subject}`,
        `  send at  ${result.sendAt}`,
        `  html     ${result.files.html}  ${kb(result.htmlBytes)}`,
        `  text     ${result.files.text}`,
        `  eml      ${result.files.eml}  (the copy for ${sampleReader.email})`,
      ];
      io.stdout.write(`${lines.join('\n')}\n`);
    });
}
