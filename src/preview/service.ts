import { resolve } from 'node:path';
import {
  assembleEdition,
  isSkipped,
  loadConfig,
  loadContentFor,
  localDate,
  type Config,
  type Content,
  type Edition,
  type Newsletter,
  windowEdgeNotes,
} from '../content/index.ts';
import { GMAIL_CLIP_BYTES, lintEmail, type LintFinding, type Reader, type RenderedEmail } from '../render/index.ts';
import { compileEditionMessage, editionMessageOptions, readerCopy, runPreSendGate, type GateCheck } from '../delivery/index.ts';
import { createImageProbe } from '../web/index.ts';
import { darkModeHtml } from './dark-mode.ts';
import { checksHeadline, type ChecksHeadline } from './checks-headline.ts';
import { previewImages, type PreviewedImage } from './local-images.ts';
import { availableEditions, type AvailableEdition } from './editions.ts';
import { createRenderLoader, type RenderLoader, type RenderModule } from './render-loader.ts';
import { watchSources, type ChangeBatch } from './watch.ts';
import { zoneLabel } from './zone-label.ts';
import { projectUrl } from '../project-root.ts';
import { articleOrigin, type ArticleOrigin } from '../sources/index.ts';
import { insecureLinksAllowedFrom, smtpUrlFrom } from '../settings/index.ts';

/** The reader switch: who the copy is personalized for. */
export const READER_CHOICES = ['sample', 'no-name', 'awkward'] as const;
export type ReaderChoice = (typeof READER_CHOICES)[number];

export interface PreviewServiceOptions {
  /** The config file; undefined means `daybreak.config.json` if present, else the defaults. */
  configFile?: string;
  dataDir: string;
  /** Default: the project's templates/ folder. */
  templatesDir?: string;
  /** Watch data, templates and config and push changes to the page (default true). */
  watch?: boolean;
  /** Where the render module comes from (default: createRenderLoader(), reloading on template changes). */
  loader?: RenderLoader;
  /** Says which images of a copy do not load (default: createImageProbe(), fetching each one). */
  probeImages?: (html: string) => Promise<string[]>;
  /**
   * Set when the app around the preview serves the data folder's `/images/<file>` and the brand logos
   * itself, as `daybreak start` does under baseUrl (`daybreak preview` does): says whether it has the
   * image at this path. The displayed copy then shows the images under baseUrl from there, and the
   * checks say which ones.
   */
  servesImages?: (path: string) => Promise<boolean>;
  /** For the pre-send checks: SMTP_URL (links must then be https), DAYBREAK_SPAM_CHECK and PATH. Default process.env (read by src/settings). */
  env?: NodeJS.ProcessEnv;
}

export interface ViewQuery {
  newsletter?: string;
  date?: string;
  template?: string;
  reader?: ReaderChoice;
}

/** A view that could not be rendered, with everything the page needs to explain why. */
export interface Problem {
  ok: false;
  status: 404 | 422 | 500;
  kind: 'invalid' | 'not-found' | 'no-edition' | 'no-articles' | 'template-error' | 'render-error';
  title: string;
  /** One line each; for bad data `file: path: message`. */
  errors: string[];
  newsletter?: string;
  date?: string;
  template?: string;
  /** For a quiet day: the window that was searched. */
  window?: { from: string; to: string; fromLocal: string; toLocal: string; timezone: string };
  /** For a quiet day: which edition the articles near the window (or dated that day) fall in. */
  windowNotes?: string[];
  /** When an earlier render of the same newsletter, date and template worked. */
  lastGood?: { renderedAt: string; generation: number };
}

export interface Checks {
  lint: LintFinding[];
  size: { bytes: number; limit: number; percent: number; clipped: boolean };
  imagesWithoutAlt: string[];
  /** Images that did not load when fetched (`src: why`): a blank box in every inbox. */
  imagesNotLoading: string[];
  /**
   * The images under baseUrl at paths the preview serves itself (`/images/…`, `/assets/brand/…`), and
   * whether it has each: the displayed frame shows those it has from the preview's own server and leaves
   * the others at their address (the copy that is sent keeps baseUrl). Empty inside `npm start`.
   */
  imagesShownByPreview: (PreviewedImage & { loads: boolean })[];
  /** The panel's first line: the gate's verdict, with the images that do not load counted. */
  headline: ChecksHeadline;
  nonAbsoluteLinks: string[];
  articles: number;
  /**
   * `local` ends with Intl's short zone name ("EST"); the panel writes `wallClock` over `zone`, the zone as
   * configured with its offset at the send ("America/New_York, UTC-5"), as the sidebar does.
   */
  sendAt: { iso: string; local: string; timezone: string; wallClock: string; zone: string };
  window: { from: string; to: string; fromLocal: string; toLocal: string };
  /** Which edition the articles near the window's edges fall in, one sentence each. */
  windowNotes: string[];
  /** How many `prefers-color-scheme: dark` rules the design carries (0: clients show it as is or repaint it). */
  darkModeRules: number;
  curatedBy: string | null;
  /** Where each article in the edition came from, in edition order: a configured source, or a file written by hand. */
  origins: (ArticleOrigin & { id: string; headline: string })[];
  /** The pre-send gate, exactly as `daybreak check` and a scheduled send run it. */
  gate: { ok: boolean; checks: GateCheck[] };
}

export interface View {
  ok: true;
  generation: number;
  renderedAt: string;
  newsletter: string;
  date: string;
  template: string;
  engine: string;
  reader: ReaderChoice;
  subject: string;
  preheader: string;
  headers: { name: string; value: string }[];
  text: string;
  checks: Checks;
}

export interface Sidebar {
  generation: number;
  newsletters: {
    id: string;
    name: string;
    template: string;
    /** `localTime` only when set: each reader gets the edition at that time in their own zone. */
    schedule: { cron: string; timezone: string; localTime?: string };
    editions: AvailableEdition[];
  }[];
  templates: { name: string; engine: string; description: string }[];
  /** Set when the config or the data does not validate (the lists are then the last good ones). */
  errors: string[] | null;
  defaultView: { newsletter: string; date: string; template: string } | null;
}

export type PreviewEvent = { type: 'change'; generation: number; kinds: string[]; files: string[] };

interface Rendered {
  render: RenderModule;
  edition: Edition;
  config: Config;
  rendered: Awaited<ReturnType<RenderModule['renderEdition']>>;
  renderedAt: string;
  generation: number;
  /** Which edition the articles near this edition's window fall in, one sentence each. */
  windowNotes: string[];
}

interface SourceState {
  config: Config & { file: string | null };
  content: Content;
}

const DEFAULT_TEMPLATES_DIR = projectUrl('templates/').pathname;

/** Errors thrown by a freshly imported render module are not `instanceof` this module's DaybreakError. */
function errorInfo(error: unknown): { code: string | null; message: string; details: string[] } {
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; message?: unknown; details?: unknown; name?: unknown };
    const details = Array.isArray(e.details) ? e.details.map(String) : [];
    const code = e.name === 'DaybreakError' && typeof e.code === 'string' ? e.code : null;
    return { code, message: String(e.message ?? error), details };
  }
  return { code: null, message: String(error), details: [] };
}

/** The preview's formatting of an instant: "Monday, November 30, 2026, 6:00 AM EST". */
export function formatLocal(instant: Date, timezone: string, locale: string): string {
  const zone = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'short' })
    .formatToParts(instant)
    .find((p) => p.type === 'timeZoneName')?.value;
  return `${wallClock(instant, timezone, locale)}${zone ? ` ${zone}` : ''}`;
}

/** An instant's date and time in `timezone`, in the newsletter's locale, with no zone: "Monday, November 30, 2026 at 6:00 AM". */
function wallClock(instant: Date, timezone: string, locale: string): string {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat(locale, { timeZone: timezone, dateStyle: 'full', timeStyle: 'short' });
  } catch {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, dateStyle: 'full', timeStyle: 'short' });
  }
  return format.format(instant);
}

/**
 * The checks of one rendered copy that depend on its HTML only: the email-client lint (src/render's
 * lintEmail), the size against Gmail's clipping limit, images without alt and links that are not
 * absolute (both read from the lint's findings), and how many dark-mode rules the design carries.
 *
 * @example
 * htmlChecks(copy.html).size.clipped; // false under 102 KB
 */
export function htmlChecks(html: string): Pick<Checks, 'lint' | 'size' | 'imagesWithoutAlt' | 'nonAbsoluteLinks' | 'darkModeRules'> {
  const lint = lintEmail(html);
  const bytes = Buffer.byteLength(html, 'utf8');
  const darkModeRules = [...html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style\s*>/gi)].reduce(
    (n, m) => n + (m[1]!.match(/prefers-color-scheme\s*:\s*dark/gi)?.length ?? 0),
    0,
  );
  return {
    lint,
    size: { bytes, limit: GMAIL_CLIP_BYTES, percent: Math.round((bytes / GMAIL_CLIP_BYTES) * 1000) / 10, clipped: bytes >= GMAIL_CLIP_BYTES },
    imagesWithoutAlt: lint.filter((f) => f.rule === 'img-attributes' && /\balt\b/.test(f.message)).map((f) => f.where ?? f.message),
    nonAbsoluteLinks: lint.filter((f) => f.rule === 'absolute-links').map((f) => `${f.message}${f.where ? ` (${f.where})` : ''}`),
    darkModeRules,
  };
}

/**
 * The preview's model: reads config and data, renders views through the render module that `daybreak
 * send` uses (renderEdition, then personalize for the chosen reader), keeps the last good render of each
 * view, and tells subscribers when sources change.
 *
 * @example
 * const service = createPreviewService({ dataDir: 'data' });
 * const view = await service.view({ newsletter: 'morning' });
 */
export function createPreviewService(options: PreviewServiceOptions) {
  const templatesDir = options.templatesDir ?? DEFAULT_TEMPLATES_DIR;
  const loader: RenderLoader = options.loader ?? createRenderLoader();
  const probeImages = options.probeImages ?? createImageProbe();
  const listeners = new Set<(event: PreviewEvent) => void>();
  const cache = new Map<string, Rendered>();
  const lastGood = new Map<string, Rendered>();
  let lastGoodSidebar: Sidebar | null = null;
  let generation = 0;
  let state: { generation: number; value: SourceState } | null = null;
  const watching = options.watch !== false;

  const onChange = (batch: ChangeBatch): void => {
    if (batch.kinds.includes('templates')) loader.reload();
    generation += 1;
    cache.clear();
    state = null;
    const event: PreviewEvent = { type: 'change', generation, kinds: batch.kinds, files: batch.files };
    for (const listener of listeners) listener(event);
  };

  const stopWatching = watching
    ? watchSources(
        { dataDir: options.dataDir, templatesDir, configFile: options.configFile ?? 'daybreak.config.json' },
        onChange,
      )
    : () => {};

  /**
   * The config of the sources last loaded, and the generation it was last asked for at (a config that
   * does not load leaves the previous one here).
   */
  let held: { generation: number; config: Config | null } = { generation: -1, config: null };

  /** Config and content, cached until a watched file changes (read fresh every time when not watching). */
  function sources(): SourceState {
    if (watching && state && state.generation === generation) return state.value;
    const config = loadConfig({ file: options.configFile });
    held = { generation, config };
    const content = loadContentFor(options.dataDir, config);
    const value = { config, content };
    state = { generation, value };
    return value;
  }

  /**
   * The config the service renders with, for what the renders name (the brand logos): loaded again only
   * when a source changed since it was last loaded (the watcher, or notify), not on every call. When the
   * changed config does not load, the one before it stays: the last good renders were made with it.
   */
  function heldConfig(): Config | null {
    if (held.generation !== generation) {
      try {
        held = { generation, config: loadConfig({ file: options.configFile }) };
      } catch {
        held = { generation, config: held.config };
      }
    }
    return held.config;
  }

  function readerFor(render: RenderModule, choice: ReaderChoice, baseUrl: string): Reader {
    const readers = render.sampleReaders(baseUrl);
    if (choice === 'no-name') return readers.noName;
    if (choice === 'awkward') return readers.awkward;
    return readers.sample;
  }

  function lastGoodInfo(key: string): Problem['lastGood'] {
    const good = lastGood.get(key);
    return good ? { renderedAt: good.renderedAt, generation: good.generation } : undefined;
  }

  async function sidebar(): Promise<Sidebar> {
    let src: SourceState;
    try {
      src = sources();
    } catch (error) {
      const info = errorInfo(error);
      const errors = info.details.length > 0 ? info.details : [info.message];
      if (lastGoodSidebar) return { ...lastGoodSidebar, generation, errors };
      // Nothing rendered yet: list the newsletters if the config alone is readable, without dates.
      let newsletters: Sidebar['newsletters'] = [];
      try {
        newsletters = loadConfig({ file: options.configFile }).newsletters.map((n) => ({
          id: n.id,
          name: n.name,
          template: n.template,
          schedule: scheduleOf(n),
          editions: [],
        }));
      } catch {
        // the config is the problem; the errors say so
      }
      return { generation, newsletters, templates: [], errors, defaultView: null };
    }
    let templates: Sidebar['templates'] = lastGoodSidebar?.templates ?? [];
    let templateError: string | null = null;
    try {
      const render = await loader.current();
      templates = render
        .listTemplates()
        .filter((t) => t.kind === 'edition')
        .map((t) => ({ name: t.name, engine: t.engine, description: t.description }));
    } catch (error) {
      templateError = `templates: ${errorInfo(error).message}`;
    }
    const newsletters = src.config.newsletters.map((n) => ({
      id: n.id,
      name: n.name,
      template: n.template,
      schedule: scheduleOf(n),
      editions: availableEditions(src.config, src.content, n),
    }));
    const first = newsletters[0];
    const result: Sidebar = {
      generation,
      newsletters,
      templates,
      errors: templateError ? [templateError] : null,
      defaultView: first
        ? { newsletter: first.id, date: first.editions[0]?.date ?? today(src.config.newsletters[0]!), template: first.template }
        : null,
    };
    if (!templateError) lastGoodSidebar = result;
    return result;
  }

  function today(newsletter: Newsletter): string {
    return localDate(new Date(), newsletter.schedule.timezone);
  }

  /** Resolves the query and renders (once per generation), or explains why not. */
  async function renderQuery(query: ViewQuery): Promise<Rendered | Problem> {
    let src: SourceState;
    try {
      src = sources();
    } catch (error) {
      const info = errorInfo(error);
      const key = query.newsletter && query.date && query.template ? `${query.newsletter}|${query.date}|${query.template}` : '';
      return {
        ok: false,
        status: 422,
        kind: 'invalid',
        title: info.code === 'ECONFIG' ? 'The config does not validate' : 'The data does not validate',
        errors: info.details.length > 0 ? info.details : [info.message],
        ...pick(query),
        ...(key && lastGood.has(key) ? { lastGood: lastGoodInfo(key) } : {}),
      };
    }
    const { config, content } = src;
    const newsletter = query.newsletter ? config.newsletters.find((n) => n.id === query.newsletter) : config.newsletters[0];
    if (!newsletter) {
      return {
        ok: false,
        status: 404,
        kind: 'not-found',
        title: 'Unknown newsletter',
        errors: [`No newsletter "${query.newsletter}" in the config (it has: ${config.newsletters.map((n) => n.id).join(', ')})`],
        ...pick(query),
      };
    }
    const templateName = query.template ?? newsletter.template;
    const date = query.date ?? availableEditions(config, content, newsletter)[0]?.date ?? today(newsletter);
    const key = `${newsletter.id}|${date}|${templateName}`;
    const where = { newsletter: newsletter.id, date, template: templateName };

    let render: RenderModule;
    try {
      render = await loader.current();
    } catch (error) {
      return {
        ok: false,
        status: 500,
        kind: 'template-error',
        title: 'The templates failed to load',
        errors: [errorInfo(error).message],
        ...where,
        ...(lastGood.has(key) ? { lastGood: lastGoodInfo(key) } : {}),
      };
    }
    const known = render.listTemplates().filter((t) => t.kind === 'edition');
    if (!known.some((t) => t.name === templateName)) {
      return {
        ok: false,
        status: 404,
        kind: 'not-found',
        title: 'Unknown design',
        errors: [`No edition template "${templateName}" (edition templates: ${known.map((t) => t.name).join(', ')})`],
        ...where,
      };
    }

    // Renders are cached until a watched file changes; without the watcher nothing says when, so no cache.
    const cached = watching ? cache.get(key) : undefined;
    if (cached) return cached;

    let edition: ReturnType<typeof assembleEdition>;
    try {
      edition = assembleEdition({ config, content, newsletterId: newsletter.id, date });
    } catch (error) {
      const info = errorInfo(error);
      return { ok: false, status: 404, kind: 'no-edition', title: 'No edition on this date', errors: [info.message], ...where };
    }
    if (isSkipped(edition)) {
      const tz = newsletter.schedule.timezone;
      const filter = newsletter.include ? ` matching ${JSON.stringify(newsletter.include)}` : '';
      const fromLocal = formatLocal(edition.window.from, tz, newsletter.locale);
      const toLocal = formatLocal(edition.window.to, tz, newsletter.locale);
      return {
        ok: false,
        status: 404,
        kind: 'no-articles',
        title: 'No articles for this edition',
        errors: [
          `${newsletter.id} on ${date} would have no articles: none${filter} was published after ${fromLocal} and up to ${toLocal} (the previous send and this one), and there is no curated edition file. daybreak send skips such a day.`,
          ...nearestEditions(availableEditions(config, content, newsletter), date),
        ],
        window: { from: edition.window.from.toISOString(), to: edition.window.to.toISOString(), fromLocal, toLocal, timezone: tz },
        windowNotes: windowEdgeNotes(edition, content).map((n) => n.message),
        ...where,
      };
    }
    try {
      const rendered = await render.renderEdition(edition, config, templateName);
      const windowNotes = windowEdgeNotes(edition, content).map((n) => n.message);
      const entry: Rendered = { render, edition, config, rendered, renderedAt: new Date().toISOString(), generation, windowNotes };
      if (watching) cache.set(key, entry);
      lastGood.set(key, entry);
      return entry;
    } catch (error) {
      const info = errorInfo(error);
      return {
        ok: false,
        status: 500,
        kind: 'render-error',
        title: `The ${templateName} template failed to render`,
        errors: info.details.length > 0 ? info.details : [info.message],
        ...where,
        ...(lastGood.has(key) ? { lastGood: lastGoodInfo(key) } : {}),
      };
    }
  }

  /**
   * The headers `daybreak send` puts on this reader's copy, read from the copy the sender's own builder
   * makes (src/delivery/edition-message.ts), with the preheader shown after the Subject.
   */
  function headersOf(entry: Rendered, copy: RenderedEmail, reader: Reader): View['headers'] {
    const preheader = { name: 'Preheader', value: copy.preheader ?? entry.rendered.preheader };
    try {
      const message = compileEditionMessage(editionMessageOptions(entry.config, entry.edition.newsletter, entry.rendered));
      const domain = entry.config.inbound?.domain;
      const raw = readerCopy(message, {
        address: reader.email,
        name: reader.firstName ?? null,
        unsubscribeUrl: reader.unsubscribeUrl,
        messageId: `${entry.edition.newsletter.id}.${entry.edition.date}.preview@${message.domain}`,
        ...(domain ? { unsubscribeMailto: `unsubscribe+sample@${domain}` } : {}),
      }).toString('utf8');
      const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
      const fields = head.split('\r\n').map((line) => ({ name: line.slice(0, line.indexOf(':')), value: line.slice(line.indexOf(':') + 1).trim() }));
      const subject = fields.findIndex((f) => f.name === 'Subject');
      // The Subject as the reader sees it (decoded), not its RFC 2047 form.
      if (subject >= 0) fields.splice(subject, 1, { name: 'Subject', value: copy.subject }, preheader);
      return fields;
    } catch (error) {
      return [{ name: 'Subject', value: copy.subject }, preheader, { name: 'Not sendable', value: (error as Error).message }];
    }
  }

  const gates = new Map<string, Promise<{ ok: boolean; checks: GateCheck[] }>>();
  /** The gate for this render (it looks at the sample reader's copy, so one run per render is enough). */
  function gateOf(entry: Rendered): Promise<{ ok: boolean; checks: GateCheck[] }> {
    const key = `${entry.generation}\0${entry.edition.newsletter.id}\0${entry.edition.date}\0${entry.rendered.template}`;
    let gate = gates.get(key);
    if (!gate) {
      const { env } = options;
      gate = runPreSendGate({ config: entry.config, newsletter: entry.edition.newsletter, date: entry.edition.date, rendered: entry.rendered, realMail: smtpUrlFrom(env) !== undefined && !insecureLinksAllowedFrom(env), ...(env ? { env } : {}) })
        .then((r) => ({ ok: r.ok, checks: r.checks }))
        .catch((error: unknown) => ({ ok: false, checks: [{ id: 'headers' as const, title: 'Pre-send checks', status: 'fail' as const, details: [(error as Error).message] }] }));
      if (gates.size > 50) gates.clear();
      gates.set(key, gate);
    }
    return gate;
  }

  /**
   * The copy as the frame displays it, and the images under baseUrl at paths the preview serves, each
   * with whether the preview has it: only those it has point at it (see previewImages).
   */
  async function framed(html: string, config: Config): Promise<{ html: string; shown: Checks['imagesShownByPreview'] }> {
    const serves = options.servesImages;
    if (!serves) return { html, shown: [] };
    const candidates = previewImages(html, config).shown;
    const shown = await Promise.all(candidates.map(async (image) => ({ ...image, loads: await serves(image.path) })));
    const loads = new Set(shown.filter((image) => image.loads).map((image) => image.src));
    return { html: previewImages(html, config, (image) => loads.has(image.src)).html, shown };
  }

  /** The images under baseUrl the frame could show from the preview's own server, and whether it has each one. */
  async function imagesShownByPreview(entry: Rendered, copy: RenderedEmail): Promise<Checks['imagesShownByPreview']> {
    return (await framed(copy.html, entry.config)).shown;
  }

  async function checksOf(entry: Rendered, copy: RenderedEmail): Promise<Checks> {
    const { edition } = entry;
    const tz = edition.newsletter.schedule.timezone;
    const locale = edition.newsletter.locale;
    const [imagesNotLoading, shownByPreview, gate] = await Promise.all([probeImages(copy.html), imagesShownByPreview(entry, copy), gateOf(entry)]);
    return {
      ...htmlChecks(copy.html),
      imagesNotLoading,
      imagesShownByPreview: shownByPreview,
      headline: checksHeadline(gate.ok, imagesNotLoading.length),
      articles: 1 + edition.items.length,
      sendAt: {
        iso: edition.sendAt.toISOString(),
        local: formatLocal(edition.sendAt, tz, locale),
        timezone: tz,
        wallClock: wallClock(edition.sendAt, tz, locale),
        zone: zoneLabel(tz, edition.sendAt),
      },
      window: {
        from: edition.window.from.toISOString(),
        to: edition.window.to.toISOString(),
        fromLocal: formatLocal(edition.window.from, tz, locale),
        toLocal: formatLocal(edition.window.to, tz, locale),
      },
      windowNotes: entry.windowNotes,
      curatedBy: edition.curatedBy ?? null,
      origins: [edition.lead, ...edition.items].map((a) => ({ id: a.id, headline: a.headline, ...articleOrigin(a.file, options.dataDir, entry.config) })),
      gate,
    };
  }

  async function view(query: ViewQuery): Promise<View | Problem> {
    const result = await renderQuery(query);
    if (!('rendered' in result)) return result;
    const choice = query.reader ?? 'sample';
    const reader = readerFor(result.render, choice, result.config.baseUrl);
    const copy = result.rendered.personalize(reader);
    return {
      ok: true,
      generation: result.generation,
      renderedAt: result.renderedAt,
      newsletter: result.edition.newsletter.id,
      date: result.edition.date,
      template: result.rendered.template,
      engine: result.rendered.engine,
      reader: choice,
      subject: copy.subject,
      preheader: copy.preheader ?? result.rendered.preheader,
      headers: headersOf(result, copy, reader),
      text: copy.text,
      checks: await checksOf(result, copy),
    };
  }

  /**
   * One reader's copy as the raw files `daybreak build` writes. `lastGood` serves the last render that
   * worked for this newsletter, date and template; `dark` rewrites it for the dark-mode preview.
   */
  async function copy(
    query: Required<Pick<ViewQuery, 'newsletter' | 'date' | 'template'>> & { reader?: ReaderChoice; lastGood?: boolean; to?: string },
  ): Promise<{ ok: true; copy: RenderedEmail; entry: Rendered; reader: Reader } | Problem> {
    let entry: Rendered | Problem;
    if (query.lastGood) {
      const good = lastGood.get(`${query.newsletter}|${query.date}|${query.template}`);
      entry = good ?? {
        ok: false,
        status: 404,
        kind: 'not-found',
        title: 'No earlier render',
        errors: ['This view has not rendered successfully since the preview started'],
        ...pick(query),
      };
    } else {
      entry = await renderQuery(query);
    }
    if (!('rendered' in entry)) return entry;
    const base = readerFor(entry.render, query.reader ?? 'sample', entry.config.baseUrl);
    const reader = query.to ? { ...base, email: query.to } : base;
    return { ok: true, copy: entry.rendered.personalize(reader), entry, reader };
  }

  return {
    sidebar,
    view,
    copy,
    headersOf,
    darkModeHtml,
    /**
     * The copy as the frame displays it: with `servesImages`, the images under baseUrl that the preview
     * has point at it (see previewImages), the others keep their address; otherwise the copy unchanged.
     */
    async displayHtml(html: string, config: Config): Promise<string> {
      return (await framed(html, config)).html;
    },
    heldConfig,
    /** The number of source changes seen so far. */
    get generation() {
      return generation;
    },
    /** Subscribes to change events; returns the unsubscribe function. */
    subscribe(listener: (event: PreviewEvent) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Reacts as if the watcher had reported these changes (used when watching is off, and by tests). */
    notify(batch: ChangeBatch): void {
      onChange(batch);
    },
    close(): void {
      stopWatching();
      listeners.clear();
    },
    dataDir: resolve(options.dataDir),
  };
}

export type PreviewService = ReturnType<typeof createPreviewService>;

/** A newsletter's schedule as the sidebar lists it. */
function scheduleOf(n: Newsletter): Sidebar['newsletters'][number]['schedule'] {
  return { cron: n.schedule.cron, timezone: n.schedule.timezone, ...(n.schedule.localTime ? { localTime: n.schedule.localTime } : {}) };
}

function pick(query: ViewQuery): Partial<Pick<Problem, 'newsletter' | 'date' | 'template'>> {
  return {
    ...(query.newsletter ? { newsletter: query.newsletter } : {}),
    ...(query.date ? { date: query.date } : {}),
    ...(query.template ? { template: query.template } : {}),
  };
}

/** "Nearest editions with articles: 2026-11-30 (before), 2026-12-02 (after)", or nothing at all. */
function nearestEditions(editions: AvailableEdition[], date: string): string[] {
  const before = editions.find((e) => e.date < date);
  const after = [...editions].reverse().find((e) => e.date > date);
  const parts = [...(before ? [`${before.date} (before)`] : []), ...(after ? [`${after.date} (after)`] : [])];
  return parts.length > 0 ? [`Nearest editions with articles: ${parts.join(', ')}`] : [];
}
