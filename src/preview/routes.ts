import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import { compileEditionMessage, editionMessageOptions, testSubject, type Mailer } from '../delivery/index.ts';
import { formatIssues, isIsoDate, loadConfig, resolveBrand, type Brand, type Config } from '../content/index.ts';
import { escapeHtml as esc } from '../html/index.ts';
import { brandAssets, createImageApp } from '../web/index.ts';
import { serveIndex } from '../web/index.ts';
import { createInboxApp, EMAIL_CSP, PAGE_CSP } from './inbox.ts';
import { previewHostCheck } from './host-check.ts';
import { previewCadence } from './cadence.ts';
import {
  createPreviewService,
  READER_CHOICES,
  type PreviewServiceOptions,
  type PreviewService,
  type Problem,
  type ReaderChoice,
} from './service.ts';
import { projectUrl } from '../project-root.ts';

export interface PreviewOptions extends PreviewServiceOptions {
  /** Sends the test copies and, when it is the local mail server, backs /inbox. */
  mailer?: Mailer | null;
  /** Test sends allowed per minute (default 5). */
  sendRatePerMinute?: number;
  /** Where the preview is mounted (default /preview). */
  previewPath?: string;
  /** Where the mailbox is mounted (default /inbox). */
  inboxPath?: string;
  /**
   * The config's baseUrl: its host is accepted besides loopback (DNS-rebinding check). Default: read
   * from the config file once at start (a later change needs a restart).
   */
  baseUrl?: string;
}

export interface Preview {
  /** For `createApp({ mount })`: the preview at /preview and the mailbox at /inbox. */
  mounts: { path: string; app: Hono }[];
  service: PreviewService;
  /** Stops the file watchers and ends the open event streams. */
  close(): void;
}

const ASSETS_DIR = projectUrl('preview/');
const ASSETS: Record<string, string> = {
  'preview.css': 'text/css; charset=utf-8',
  'preview.js': 'text/javascript; charset=utf-8',
};

const ReaderSchema = z.enum(READER_CHOICES);
const DateSchema = z.string().refine(isIsoDate, { error: 'Expected a date written YYYY-MM-DD' });

const ViewQuerySchema = z.strictObject({
  newsletter: z.string().min(1).optional(),
  date: DateSchema.optional(),
  template: z.string().min(1).optional(),
  reader: ReaderSchema.optional(),
});

export const SendTestSchema = z.strictObject({
  to: z.email({ error: 'Enter an email address' }),
  newsletter: z.string().min(1),
  date: DateSchema,
  template: z.string().min(1),
  reader: ReaderSchema.default('sample'),
});

/**
 * The preview's routes: the page and its assets, its JSON API, the event stream for live
 * reload, the raw renders `GET /preview/<newsletter>/<date>/<template>.html|.txt`, the test send, and the
 * mailbox at /inbox. Views are rendered by `renderEdition` + `personalize` from src/render, exactly as
 * `daybreak send` renders them.
 *
 * @example
 * const preview = createPreview({ dataDir: 'data', mailer });
 * const app = createApp({ ..., mount: preview.mounts });
 */
export function createPreview(options: PreviewOptions): Preview {
  const previewPath = options.previewPath ?? '/preview';
  const inboxPath = options.inboxPath ?? '/inbox';
  const mailer = options.mailer ?? null;
  const service = createPreviewService(options);
  const streams = new Set<() => void>();
  const sendLimit = options.sendRatePerMinute ?? 5;
  const sentAt: number[] = [];
  const hostCheck = previewHostCheck({ baseUrl: options.baseUrl ?? configuredBaseUrl(options.configFile) });

  const app = new Hono();
  app.use('*', hostCheck);
  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('Cache-Control', 'no-store');
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    // The page frames the raw renders; the main app denies all framing unless told otherwise.
    c.res.headers.set('X-Frame-Options', 'SAMEORIGIN');
    if (!c.res.headers.has('Content-Security-Policy')) c.res.headers.set('Content-Security-Policy', PAGE_CSP);
  });

  const servePage = async (c: Context): Promise<Response> => {
    const html = await readFile(new URL('index.html', ASSETS_DIR), 'utf8');
    c.header('Content-Security-Policy', PAGE_CSP);
    return c.html(html.replaceAll('%BASE%', esc(previewPath)).replaceAll('%INBOX_PATH%', esc(inboxPath)));
  };
  serveIndex(app, previewPath, servePage);

  app.get('/assets/:name', async (c) => {
    const name = c.req.param('name');
    const type = ASSETS[name];
    if (!type) return c.text('Not found', 404);
    return c.body(await readFile(new URL(name, ASSETS_DIR), 'utf8'), 200, { 'Content-Type': type });
  });

  app.get('/api/sidebar', async (c) => {
    const sidebar = await service.sidebar();
    return c.json({
      ...sidebar,
      // "Every day at 6:00 a.m. America/New_York, UTC-5": the sign-up page's sentence rather than the raw
      // cron, with the zone as the editor configured it.
      newsletters: sidebar.newsletters.map((n) => ({ ...n, cadence: previewCadence(n) })),
      mailbox: { local: Boolean(mailer?.maildir), url: inboxPath, describe: mailer ? mailer.describe() : null },
      sendRatePerMinute: sendLimit,
    });
  });

  app.get('/api/view', async (c) => {
    const parsed = ViewQuerySchema.safeParse(c.req.query(), { reportInput: true });
    if (!parsed.success) return c.json(badRequest(parsed.error), 400);
    const view = await service.view(parsed.data);
    return c.json(view, view.ok ? 200 : view.status);
  });

  app.get('/events', (c) =>
    streamSSE(c, async (stream) => {
      let finish = (): void => {};
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const unsubscribe = service.subscribe((event) => {
        void stream.writeSSE({ event: 'change', id: String(event.generation), data: JSON.stringify(event) });
      });
      const end = (): void => {
        unsubscribe();
        clearInterval(ping);
        streams.delete(end);
        finish();
      };
      streams.add(end);
      stream.onAbort(end);
      // Comments keep proxies and the browser from timing the stream out.
      const ping = setInterval(() => void stream.write(': ping\n\n'), 15_000);
      await stream.writeSSE({ event: 'hello', data: JSON.stringify({ generation: service.generation }) });
      await finished;
    }),
  );

  app.post('/api/send-test', async (c) => {
    // Only JSON: a cross-site form can post text/plain that looks like JSON, but not application/json
    // (that needs a CORS preflight, which this app never grants), so no other site can send through it.
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      return c.json({ ok: false, errors: ['Send JSON (Content-Type: application/json)'] }, 415);
    }
    const body = await c.req.json().catch(() => null);
    const parsed = SendTestSchema.safeParse(body ?? {}, { reportInput: true });
    if (!parsed.success) return c.json(badRequest(parsed.error), 400);
    if (!mailer) return c.json({ ok: false, errors: ['No mailer is configured for test sends'] }, 503);
    const now = Date.now();
    while (sentAt.length > 0 && sentAt[0]! <= now - 60_000) sentAt.shift();
    if (sentAt.length >= sendLimit) {
      const retryAfter = Math.max(1, Math.ceil((sentAt[0]! + 60_000 - now) / 1000));
      c.header('Retry-After', String(retryAfter));
      return c.json({ ok: false, errors: [`At most ${sendLimit} test sends a minute; try again in ${retryAfter} s`] }, 429);
    }
    const { to, reader, ...where } = parsed.data;
    const result = await service.copy({ ...where, reader, to });
    if (!result.ok) return c.json(result, result.status);
    sentAt.push(now);
    const { entry, reader: base } = result;
    const { config, edition, render } = entry;
    try {
      // Built exactly as `daybreak send` builds a reader's copy (compileEditionMessage over the render's
      // segments, then the Mailer's raw path), outside the ledger: no subscriber, no sends row, and the
      // subject marked as a test.
      const message = compileEditionMessage(
        editionMessageOptions(config, edition.newsletter, { ...entry.rendered, subject: testSubject(entry.rendered.subject) }),
      );
      const values = render.readerFieldValues({ ...base, email: to });
      const messageId = `test.${Date.now().toString(36)}.${randomBytes(6).toString('hex')}@${message.domain}`;
      const raw = message.build({
        to: { address: to, name: base.firstName },
        messageId,
        unsubscribeUrl: values.unsubscribeUrl,
        htmlValues: render.htmlValues(values),
        textValues: values,
      });
      const sent = await mailer.sendRaw({ from: message.envelopeFrom, to, raw, messageId });
      return c.json({
        ok: true,
        to,
        messageId: `<${messageId}>`,
        response: sent.response,
        via: mailer.describe(),
        inbox: mailer.maildir ? inboxPath : null,
      });
    } catch (error) {
      sentAt.pop(); // a refused message does not use up the allowance
      return c.json({ ok: false, errors: [`The test was not sent: ${(error as Error).message}`], via: mailer.describe() }, 502);
    }
  });

  app.get('/:newsletter/:date/:file', async (c) => {
    const { newsletter, date, file } = c.req.param();
    const match = /^(.+)\.(html|txt)$/.exec(file);
    if (!match || !isIsoDate(date)) return c.text('Not found: expected /preview/<newsletter>/<YYYY-MM-DD>/<template>.html or .txt', 404);
    const [, template, extension] = match as unknown as [string, string, 'html' | 'txt'];
    const reader = ReaderSchema.safeParse(c.req.query('reader') ?? 'sample');
    if (!reader.success) return c.text(`reader: expected one of ${READER_CHOICES.join(', ')}`, 400);
    const result = await service.copy({
      newsletter,
      date,
      template,
      reader: reader.data as ReaderChoice,
      lastGood: c.req.query('last-good') === '1',
    });
    if (!result.ok) {
      const again = new URL(c.req.url).searchParams;
      again.set('last-good', '1');
      return problemResponse(c, result, extension, `?${again}`);
    }
    if (extension === 'txt') return c.text(result.copy.text);
    c.header('Content-Security-Policy', EMAIL_CSP);
    const dark = c.req.query('scheme') === 'dark';
    // `images=preview` is the page's frame only: the raw link, the Source tab and scripts get the copy as sent.
    const html = c.req.query('images') === 'preview' ? await service.displayHtml(result.copy.html, result.entry.config) : result.copy.html;
    return c.html(dark ? service.darkModeHtml(html) : html);
  });

  const inbox = createInboxApp({ mailer, stylesheet: `${previewPath}/assets/preview.css`, previewPath, inboxPath, hostCheck });

  return {
    mounts: [
      { path: previewPath, app },
      { path: inboxPath, app: inbox },
    ],
    service,
    close() {
      for (const end of [...streams]) end();
      service.close();
    },
  };
}

/** A standalone app for `daybreak preview`: the preview, the mailbox, and / redirecting to the preview. */
export function createPreviewApp(options: PreviewOptions): { app: Hono; preview: Preview } {
  const app = new Hono();
  // The frame shows the images under baseUrl from here when this app has them (the copy that is sent
  // keeps baseUrl, and an image it does not have keeps its address), so the preview asks it for each one.
  const servesImages = async (path: string): Promise<boolean> => {
    const res = await app.request(path);
    await res.body?.cancel();
    return res.ok;
  };
  const preview = createPreview({ ...options, servesImages });
  for (const { path, app: sub } of preview.mounts) app.route(path, sub);
  // The data folder's pictures and the brand logos at the paths `daybreak start` serves them at under
  // baseUrl, by the same code: the preview's frame shows them from here whatever port baseUrl names.
  app.route('/images', createImageApp(join(options.dataDir, 'images')));
  // The logos of the config the preview renders with (reloaded when the preview reloads it, on a change),
  // resolved once per config. A logo file that is missing has nothing to serve, and is looked for again
  // on the next request (adding an image file is not a change the watcher reports).
  let logos: { config: Config; app: Hono } | null = null;
  app.get('/assets/brand/:file', (c) => {
    const config = preview.service.heldConfig();
    if (!config) return c.notFound();
    if (logos?.config !== config) {
      let brand: Brand;
      try {
        brand = resolveBrand(config);
      } catch {
        return c.notFound();
      }
      logos = { config, app: brandAssets(brand) };
    }
    return logos.app.fetch(c.req.raw);
  });
  app.get('/', (c) => c.redirect(`${options.previewPath ?? '/preview'}/`));
  // Browsers ask every site for this; an empty answer instead of a 404 in every console.
  app.get('/favicon.ico', (c) => c.body(null, 204));
  return { app, preview };
}

/** The config file's baseUrl, or null when the config does not load (the preview then shows its errors). */
function configuredBaseUrl(configFile: string | undefined): string | null {
  try {
    return loadConfig({ file: configFile }).baseUrl;
  } catch {
    return null;
  }
}

function badRequest(error: z.ZodError): { ok: false; status: 400; kind: 'bad-request'; title: string; errors: string[] } {
  return { ok: false, status: 400, kind: 'bad-request', title: 'Bad request', errors: formatIssues('request', error) };
}

/**
 * A raw render that failed still answers with a readable page (never a blank frame): the title and every
 * error line, and a link to the last good render when there is one.
 */
function problemResponse(c: Context, problem: Problem, extension: 'html' | 'txt', lastGoodHref: string): Response {
  if (extension === 'txt') return c.text(`${problem.title}\n\n${problem.errors.join('\n')}\n`, problem.status);
  const lastGood = problem.lastGood
    ? `<p><a href="${esc(lastGoodHref)}">Show the last good render</a> (from ${esc(problem.lastGood.renderedAt)})</p>`
    : '';
  c.header('Content-Security-Policy', EMAIL_CSP);
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(problem.title)}</title></head>` +
      `<body style="font:15px/1.5 system-ui,sans-serif;margin:24px;color:#1b1b1b;background:#fff">` +
      `<h1 style="font-size:20px;color:#a4262c">${esc(problem.title)}</h1>` +
      `<ul class="errors" style="font-family:ui-monospace,monospace;font-size:13px">${problem.errors.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>${lastGood}</body></html>`,
    problem.status,
  );
}
