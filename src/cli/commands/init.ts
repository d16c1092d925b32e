import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { parseFlags } from '../parse-flags.ts';
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { z } from 'zod';
import { DaybreakError } from '../../errors.ts';
import { ConfigSchema, PLACEHOLDER_POSTAL_ADDRESSES, localDate, nextFiring, previousFiring, sendTimeOn, type Newsletter } from '../../content/index.ts';
import { projectUrl } from '../../project-root.ts';
import { formatLocal } from '../../schedule/index.ts';
import { DEFAULT_DB_FILE } from '../../settings/index.ts';
import { daybreakCommand } from '../context.ts';
import { DateFlag } from '../date-flag.ts';

const InitFlags = z.strictObject({
  timezone: z.string().min(1).optional(),
  date: DateFlag.optional(),
  json: z.boolean().default(false),
});
export type InitFlags = z.input<typeof InitFlags>;

export interface InitResult {
  /** The folder that was set up, as given (or `.`). */
  dir: string;
  /** Every file written, relative to `dir`. */
  files: string[];
  /** The edition the sample articles belong to. */
  edition: { newsletter: string; date: string; sendAt: string; timezone: string };
}

/** Where the folder keeps its database and mail: ignored by git (readers' addresses must not be committed). */
const GITIGNORE = `# Daybreak's database, token keys and local mailbox: readers' data, never commit it.
var/
# What \`daybreak build\` writes.
out/
`;

/** A name for the publisher from the folder's name: "acme-news" → "Acme News". */
function publisherName(dir: string): string {
  // Letters and digits only: the name goes into the From header, where quotes or brackets would need care.
  const words = basename(resolve(dir)).split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  if (words.length === 0) return 'My Newsletter';
  return words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ');
}

/** `$schema` values are relative to the file that holds them, so an editor finds the schema from any checkout. */
function schemaRef(fromDir: string, schema: string): string {
  return relative(resolve(fromDir), fileURLToPath(projectUrl(`schemas/${schema}`))).split('\\').join('/');
}

/** An instant written in the newsletter's timezone with its offset, as article files carry it. */
function isoInZone(instant: Date, timezone: string): string {
  return format(new TZDate(instant.getTime(), timezone), "yyyy-MM-dd'T'HH:mm:ssXXX");
}

/**
 * The edition a new folder's sample articles go in: `date`'s edition when given, else the next edition to go
 * out after `now` (the first firing after `now` that is the first firing of its day).
 */
function sampleEdition(newsletter: Newsletter, now: Date, date: string | undefined): { date: string; sendAt: Date } {
  const tz = newsletter.schedule.timezone;
  if (date !== undefined) {
    const time = sendTimeOn(newsletter, date);
    if (time.sendAt === null) {
      throw new DaybreakError('EUSAGE', `--date: ${newsletter.id} does not go out on ${date}${time.nextDate ? `; the next edition is on ${time.nextDate}` : ''}`);
    }
    return { date, sendAt: time.sendAt };
  }
  for (let firing = nextFiring(newsletter, now); firing; firing = nextFiring(newsletter, firing)) {
    const day = localDate(firing, tz);
    const first = sendTimeOn(newsletter, day);
    if (first.sendAt?.getTime() === firing.getTime()) return { date: day, sendAt: firing };
  }
  // The default schedule fires every day; only a hand-edited one could get here.
  throw new DaybreakError('EUSAGE', `${newsletter.id}: its schedule never fires`);
}

/**
 * `daybreak init [DIR]`: sets up a publisher's folder, a config whose `dataDir` and `database` make every
 * command run there work without flags, two sample articles in the next edition's window, an editions
 * folder and a `.gitignore`. Never overwrites: if any file it would write exists, it writes nothing and
 * says which (EUSAGE, exit 2).
 *
 * @example
 * const result = init('acme-news', { timezone: 'Europe/Paris' });
 * console.log(result.edition.date); // the edition the sample articles belong to
 */
export function init(dir: string, rawFlags: InitFlags = {}, now: Date = new Date()): InitResult {
  const flags = parseFlags(InitFlags, rawFlags);
  const timezone = flags.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  const name = publisherName(dir);
  const configJson = {
    $schema: schemaRef(dir, 'config.schema.json'),
    dataDir: 'data',
    database: DEFAULT_DB_FILE,
    baseUrl: 'http://localhost:3000',
    publisher: {
      name,
      postalAddress: PLACEHOLDER_POSTAL_ADDRESSES[1],
      from: `${name} <newsletter@example.com>`,
    },
    newsletters: [
      {
        id: 'morning',
        name: `The ${name} Morning Briefing`,
        description: 'The day’s essential news, before breakfast.',
        template: 'briefing',
        schedule: { cron: '0 6 * * *', timezone },
        subject: '{newsletter}: {leadHeadline}',
        locale: 'en-US',
      },
    ],
  };
  // The config is checked by the same schema every command uses, so a bad --timezone is refused here.
  const checked = ConfigSchema.safeParse(configJson);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const key = issue.path.at(-1);
    throw new DaybreakError('EUSAGE', `--${key === 'timezone' ? 'timezone' : String(key)}: ${issue.message}`);
  }
  const newsletter = checked.data.newsletters[0]!;
  const edition = sampleEdition(newsletter, now, flags.date);
  const opens = previousFiring(newsletter, edition.sendAt)?.getTime() ?? 0;
  const span = edition.sendAt.getTime() - opens;
  // Inside the window, clear of both edges: an hour and two before the send on a daily letter.
  const at = (hours: number) => isoInZone(new Date(edition.sendAt.getTime() - Math.min(hours * 3_600_000, (span * hours) / 3)), timezone);

  const articlesDir = join('data', 'articles');
  const articleSchema = schemaRef(join(dir, articlesDir), 'article.schema.json');
  const files: Array<{ path: string; text: string }> = [
    { path: 'daybreak.config.json', text: json(configJson) },
    {
      path: join(articlesDir, `${edition.date}-welcome.json`),
      text: json({
        $schema: articleSchema,
        id: `${edition.date}-welcome`,
        kicker: 'In the spotlight',
        headline: `Welcome to ${newsletter.name}`,
        dek: 'This is a sample lead story. Replace it with your own: one JSON file per article, or an array of them in one file.',
        url: 'https://example.com/welcome',
        publishedAt: at(2),
        section: 'News',
        priority: 1,
        body: [
          'Every article needs an id, a kicker, a headline, a dek (a one- or two-sentence summary), a url and publishedAt, the time it was published with its UTC offset.',
          // Not `npx daybreak`: that finds the command only inside Daybreak's own folder tree. The commands
          // that work from this folder are the ones init prints, whichever form they take there.
          'publishedAt decides the edition: an article belongs to the first send after it was published. To see this edition, run the `daybreak build` command that `daybreak init` printed; its `daybreak preview` command shows the edition as you edit.',
        ],
        author: { name: 'The editors' },
      }),
    },
    {
      path: join(articlesDir, `${edition.date}-how-it-works.json`),
      text: json({
        $schema: articleSchema,
        id: `${edition.date}-how-it-works`,
        kicker: 'The explainer',
        headline: 'How an edition is put together',
        dek: 'The story with the highest priority leads; the rest follow by priority, then newest first. A file in data/editions/<newsletter>/<date>.json can choose the lead and the order by hand.',
        url: 'https://example.com/how-it-works',
        publishedAt: at(1),
        section: 'News',
      }),
    },
    {
      path: join('data', 'editions', newsletter.id, 'README.md'),
      text: `# Curated editions of ${newsletter.name}

An edition file here, named for its date (\`${edition.date}.json\`), picks the lead story and the order by
hand, and can add an intro, a subject, a quote, a sponsor and "By the numbers". Every key is optional:

\`\`\`json
{
  "$schema": "${schemaRef(join(dir, 'data', 'editions', newsletter.id), 'edition.schema.json')}",
  "lead": "${edition.date}-welcome",
  "articles": ["${edition.date}-how-it-works"],
  "intro": "Good morning."
}
\`\`\`

Without a file, the edition takes every article published since the previous send.
`,
    },
    { path: '.gitignore', text: GITIGNORE },
  ];

  const existing = files.map((f) => f.path).filter((path) => existsSync(join(dir, path)));
  if (existing.length > 0) {
    throw new DaybreakError(
      'EUSAGE',
      `${dir} already has ${existing.join(', ')}; init writes nothing over existing files (pick an empty folder, or move them aside)`,
    );
  }
  try {
    for (const file of files) {
      mkdirSync(dirname(join(dir, file.path)), { recursive: true });
      // 'wx' fails if the file appeared since the check: never overwrite, even in a race.
      writeFileSync(join(dir, file.path), file.text, { flag: 'wx' });
    }
  } catch (error) {
    throw new DaybreakError('EIO', `Cannot set up ${dir}: ${(error as Error).message}`, { cause: error });
  }
  return {
    dir,
    files: files.map((f) => f.path),
    edition: { newsletter: newsletter.id, date: edition.date, sendAt: edition.sendAt.toISOString(), timezone },
  };
}


/**
 * When the edition goes out, in the newsletter's own time, written as `start` and `send` write it:
 * "goes out Tue 2026-12-08 06:00 GMT+1 (Europe/Paris)".
 */
function sendTimeText(sendAt: Date, timezone: string, now: Date): string {
  return `${sendAt.getTime() > now.getTime() ? 'goes out' : 'was due'} ${formatLocal(sendAt, timezone)} (${timezone})`;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Registers `daybreak init [DIR] [--timezone IANA] [--date YYYY-MM-DD] [--json]`.
 *
 * @example
 * await runCli(['init', 'newsroom'], [registerInit]);
 */
export function registerInit(program: Command, io: { stdout: Pick<NodeJS.WritableStream, 'write'> } = process): void {
  program
    .command('init')
    .description("Set up a publisher's folder: a config, two sample articles for the next edition, an editions folder, a .gitignore")
    .argument('[dir]', 'the folder to set up (created if missing)', '.')
    .option('--timezone <iana>', "the newsletter's timezone (default: this machine's)")
    .option('--date <YYYY-MM-DD>', 'date the sample articles for this edition (default: the next edition to go out)')
    .option('--json', 'print { dir, files, edition } as JSON')
    .action((dir: string, flags: InitFlags) => {
      // One instant for the edition chosen and for what is said about it.
      const now = new Date();
      const result = init(dir, flags, now);
      if (flags.json) {
        io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const daybreak = daybreakCommand(dir);
      // `build` defaults to today's edition: name the date when the samples are in a later one.
      const dateFlag = result.edition.date === localDate(now, result.edition.timezone) ? '' : ` --date ${result.edition.date}`;
      const steps = [
        [`${daybreak} build${dateFlag}`, 'renders that edition to out/'],
        [`${daybreak} preview`, 'shows it in the browser as you edit'],
        [`${daybreak} start`, 'runs the sign-up page, the scheduler and a local mailbox'],
      ] as const;
      const width = Math.max(...steps.map(([command]) => command.length));
      io.stdout.write(
        [
          `Set up ${dir}:`,
          ...result.files.map((f) => `  ${f}`),
          '',
          `The sample articles are in the ${result.edition.newsletter} edition of ${result.edition.date}, which ${sendTimeText(new Date(result.edition.sendAt), result.edition.timezone, now)}.`,
          'Edit daybreak.config.json first: the publisher\'s name, postal address and From address appear in every email.',
          resolve(dir) === process.cwd() ? 'Then, in this folder:' : `Then, in ${dir}:`,
          ...steps.map(([command, what]) => `  ${command.padEnd(width)}  ${what}`),
          '',
        ].join('\n'),
      );
    });
}
