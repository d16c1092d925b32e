import { readFileSync } from 'node:fs';
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import {
  createAudience,
  maskAddresses,
  type Audience,
  type ConfirmationMailer,
  type OutboxStore,
  type SubscriberStore,
  type Tokens,
  type TransactionalTemplates,
} from '../audience/index.ts';
import { resolveBrand, type Config } from '../content/index.ts';
import { isDaybreakError } from '../errors.ts';
import { clientIp, rateLimitKey } from './client-ip.ts';
import { HttpError } from './http-error.ts';
import {
  confirmedPage,
  confirmPage,
  errorPage,
  managePage,
  signUpPage,
  TIMEZONE_SCRIPT,
  thanksPage,
  unsubscribedPage,
  unsubscribePage,
  type SignUpFormState,
} from './pages.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { readBody } from './read-body.ts';
import { honeypotFilled, parseSignUp, signUpCandidate } from './signup-body.ts';
import { parseManageBody } from './manage-body.ts';
import { siteCss } from './site-css.ts';
import { brandAssets } from './brand-assets.ts';
import { registryTemplates } from './transactional-templates.ts';
import { projectUrl } from '../project-root.ts';
import { plural } from '../plural.ts';

/** The storage the web app needs (src/storage's Store satisfies it). */
export interface AppStorage {
  subscribers: SubscriberStore;
  outbox: OutboxStore;
  /** A trivial read for /healthz. */
  ping(): Promise<void>;
}

export interface CreateAppOptions {
  config: Config;
  store: AppStorage;
  /** Sends the confirmation, welcome and unsubscribed mails (the delivery Mailer). */
  mailer: ConfirmationMailer;
  tokens: Tokens;
  now?: () => Date;
  /** Sub-apps mounted under a path: the archive, the preview. */
  mount?: { path: string; app: Hono<any> }[];
  /** The transactional designs; default: the template registry's. */
  templates?: TransactionalTemplates;
  /** How often the outbox is polled for mail other processes queued (default 5 s). */
  outboxPollMs?: number;
  /** Overrides web.signupRatePerMinute (the benchmark raises it). */
  signupRatePerMinute?: number;
  /** Where errors worth a human's attention go (mail failures, 5xx). Default: console.error. */
  log?: (message: string, error?: unknown) => void;
  /** Reported by /healthz; default: package.json's version. */
  version?: string;
  /** Extra fields for /healthz (per newsletter, the next send time and the last run). */
  health?: () => Record<string, unknown> | Promise<Record<string, unknown>>;
}

export type DaybreakApp = Hono & { audience: Audience };

type Vars = { Variables: { json: boolean; form?: SignUpFormState } };

const PACKAGE_VERSION = (() => {
  try {
    return (JSON.parse(readFileSync(projectUrl('package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

// No third-party anything; forms post only to us; nobody frames us; links leak no token (no-referrer).
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const TOKEN_ERROR_TITLE = 'This link has expired or is invalid';

/** Storage failures a reader can simply retry: the transaction never committed, so nothing was saved. */
const UNAVAILABLE = {
  // Another process held the database's lock past our wait.
  EBUSY: { title: 'Busy', message: 'We are busy right now and nothing was saved. Please try again in a few seconds.', retryAfter: 5 },
  // The database cannot be reached or written (a restart, a full disk).
  ESTORAGE: { title: 'Unavailable', message: 'We cannot save anything right now and nothing was saved. Please try again in a minute.', retryAfter: 30 },
} as const;

/**
 * The readers' web app: sign-up page and API, double opt-in, one-click unsubscribe, health.
 * One error handler maps HttpError and DaybreakError codes to pages or JSON.
 *
 * @example
 * const app = createApp({ config, db, mailer, tokens });
 * const server = await startServer(app, { port: 3000 });
 */
export function createApp(options: CreateAppOptions): DaybreakApp {
  const { config, store, tokens } = options;
  const sink = options.log ?? ((message: string, error?: unknown) => console.error(`daybreak: ${message}`, error ?? ''));
  // A mail server's error quotes the recipient; a failing request's error may quote a reader's input.
  const log = (message: string, error?: unknown) => sink(maskAddresses(message), error === undefined ? undefined : maskedError(error));
  const audience = createAudience({
    config,
    subscribers: store.subscribers,
    outbox: store.outbox,
    tokens,
    mailer: options.mailer,
    templates: options.templates ?? registryTemplates(config),
    ...(options.now ? { now: options.now } : {}),
    ...(options.outboxPollMs !== undefined ? { outboxPollMs: options.outboxPollMs } : {}),
    // By subscriber id: a log is no place for readers' addresses.
    onMailError: (error, item, final) =>
      log(
        item
          ? `could not send the ${item.kind} email to subscriber #${item.subscriberId} (attempt ${item.attempts}${final ? ', giving up' : ', will retry'}): ${(error as Error)?.message ?? error}`
          : `could not read the outbox (queued confirmation and welcome emails wait there; trying again at the next poll): ${(error as Error)?.message ?? error}`,
      ),
  });
  const limiter = createRateLimiter({ limit: options.signupRatePerMinute ?? config.web.signupRatePerMinute, windowMs: 60_000 });
  const manageLimiter = createRateLimiter({ limit: config.web.manageRatePerMinute, windowMs: 60_000 });
  const allowedOrigins = new Set(config.web.allowedOrigins);
  const version = options.version ?? PACKAGE_VERSION;
  const brand = resolveBrand(config);
  const css = siteCss(brand);
  const signUpHtml = signUpPage(config);
  const thanksHtml = thanksPage(config);

  const app = new Hono<Vars>();

  app.use('*', async (c, next) => {
    c.set('json', false);
    await next();
    const h = c.res.headers;
    // Sub-apps (archive, preview) may set their own CSP (email HTML needs inline styles); ours is the default.
    if (!h.has('content-security-policy')) {
      h.set('Content-Security-Policy', CSP);
      // Old browsers' frame-ancestors; only with our CSP, as the preview frames its own pages.
      if (!h.has('x-frame-options')) h.set('X-Frame-Options', 'DENY');
    }
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('Referrer-Policy', 'no-referrer');
  });

  // JSON sign-ups from the publisher's own sites (web.allowedOrigins), preflight included. A plain form
  // POST needs no CORS and works from anywhere: double opt-in is the protection, not the origin.
  app.use(
    '/subscribe',
    cors({
      origin: (origin) => (allowedOrigins.has(origin) ? origin : null),
      allowMethods: ['POST'],
      allowHeaders: ['Content-Type'],
      maxAge: 600,
    }),
  );

  app.get('/', (c) => c.html(signUpHtml));
  // Browsers ask every site for this; an empty answer, kept for a day, instead of a 404 in every console.
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'Cache-Control': 'public, max-age=86400' }));
  app.get('/assets/daybreak.css', (c) => {
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(css, 200, { 'Content-Type': 'text/css; charset=utf-8' });
  });
  app.get('/assets/timezone.js', (c) => {
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(TIMEZONE_SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
  });
  // The logo files, at the stable URLs the emails reference under baseUrl.
  app.route('/', brandAssets(brand));

  app.post('/subscribe', async (c) => {
    c.set('json', prefersJson(c));
    const retryAfter = limiter.hit(rateLimitKey(clientIp(c, config.web.trustProxy)));
    if (retryAfter > 0) {
      throw new HttpError(429, `Too many sign-ups from your network. Please try again in ${plural(retryAfter, 'second')}.`, {
        headers: { 'Retry-After': String(retryAfter) },
      });
    }
    const body = await readBody(c.req.raw, { incoming: nodeBody(c) });
    c.set('json', body.kind === 'json');
    const candidate = signUpCandidate(body);
    const answer = () => (body.kind === 'json' ? c.json({ ok: true }) : c.html(thanksHtml));
    // Before validation: a bot gets "check your inbox" whatever else it sent, and nothing is stored.
    if (honeypotFilled(candidate)) return answer();
    if (body.kind === 'form') {
      c.set('form', {
        email: typeof candidate.email === 'string' ? candidate.email : undefined,
        name: typeof candidate.name === 'string' ? candidate.name : undefined,
        newsletters: Array.isArray(candidate.newsletters) ? (candidate.newsletters as string[]) : candidate.choose ? [] : undefined,
      });
    }
    const input = parseSignUp(candidate);
    const newsletters =
      input.newsletters ?? (input.choose !== undefined ? [] : [config.newsletters[0]!.id]);
    await audience.signUp({
      email: input.email,
      name: input.name ?? null,
      timezone: input.timezone ?? null,
      newsletters: [...new Set(newsletters)],
      consent: {
        ip: clientIp(c, config.web.trustProxy),
        userAgent: c.req.header('user-agent')?.slice(0, 500) ?? null,
        source: input.source ?? c.req.header('origin') ?? c.req.header('referer')?.slice(0, 500) ?? null,
      },
    });
    return answer();
  });

  // RFC 9110 §15.5.6: the resource exists, only POST is allowed; say so rather than 404. A person who
  // lands here (a bookmarked thank-you page, a typed URL) gets a link to the sign-up form.
  app.all('/subscribe', () => {
    throw new HttpError(405, 'Sign up with the form on our sign-up page: this address only takes the form\'s POST.', { headers: { Allow: 'POST' } });
  });

  app.get('/confirm', async (c) => {
    const token = c.req.query('token') ?? '';
    const { newsletters } = await audience.inspectConfirm(token);
    return c.html(confirmPage(config, token, newsletters));
  });

  app.post('/confirm', async (c) => {
    const body = await readBody(c.req.raw, { allowEmpty: true });
    const token = (body.kind === 'form' ? body.fields.get('token')?.[0] : undefined) ?? c.req.query('token') ?? '';
    const { newsletters } = await audience.confirm(token);
    return c.html(confirmedPage(config, newsletters));
  });

  app.get('/unsubscribe', async (c) => {
    const token = c.req.query('token') ?? '';
    const { newsletters, all, allToken } = await audience.inspectUnsubscribe(token);
    return c.html(unsubscribePage(config, token, allToken, newsletters, all));
  });

  // RFC 8058 §3.2: a bare POST with List-Unsubscribe=One-Click, no cookie, no CSRF token; we answer 200
  // with the page itself, never a redirect, and a repeat changes nothing.
  // The token is in the URL, so the body is read only when it is not: an opt-out never fails on a
  // sender's odd content type.
  app.post('/unsubscribe', async (c) => {
    let token = c.req.query('token');
    let oneClick = false;
    if (token === undefined) {
      const body = await readBody(c.req.raw, { multipart: true, allowEmpty: true });
      token = (body.kind === 'form' ? body.fields.get('token')?.[0] : undefined) ?? '';
    } else {
      // RFC 8058 §3.1: a one-click POST carries List-Unsubscribe=One-Click. An unreadable body still
      // unsubscribes; it only means we cannot tell it was one-click.
      const body = await readBody(c.req.raw, { multipart: true, allowEmpty: true }).catch(() => null);
      oneClick = body?.kind === 'form' && body.fields.get('List-Unsubscribe')?.[0] === 'One-Click';
    }
    const { newsletters, all } = await audience.unsubscribe(token, { oneClick });
    return c.html(unsubscribedPage(config, newsletters, all));
  });

  // The preference page: one signed, never-expiring link per reader. A bad or removed reader's link is
  // the same 400 as any bad token, so the page tells a prober nothing about who exists.
  const limitManage = (c: Context) => {
    const retryAfter = manageLimiter.hit(rateLimitKey(clientIp(c, config.web.trustProxy)));
    if (retryAfter > 0) {
      throw new HttpError(429, `Too many requests from your network. Please try again in ${plural(retryAfter, 'second')}.`, {
        headers: { 'Retry-After': String(retryAfter) },
      });
    }
  };

  app.get('/manage', async (c) => {
    limitManage(c);
    c.header('Cache-Control', 'no-store');
    const token = c.req.query('token') ?? '';
    const prefs = await audience.inspectManage(token);
    if (prefersJson(c)) return c.json({ ok: true, ...prefs });
    return c.html(managePage(config, token, prefs));
  });

  app.post('/manage', async (c) => {
    c.set('json', prefersJson(c));
    limitManage(c);
    c.header('Cache-Control', 'no-store');
    const body = await readBody(c.req.raw, { incoming: nodeBody(c) });
    c.set('json', body.kind === 'json');
    const { token, form } = parseManageBody(body, c.req.query('token'));
    try {
      const outcome = await audience.updateManage(token, form);
      const { subscribed, unsubscribed, ...prefs } = outcome;
      if (body.kind === 'json') return c.json({ ok: true, subscribed, unsubscribed, ...prefs });
      const saved = form.newsletters.length === 0 ? "Saved. You're unsubscribed from everything; tick a newsletter to come back." : 'Your choices are saved.';
      return c.html(managePage(config, token, prefs, { saved }));
    } catch (error) {
      // The form again, as it is stored (nothing changed), with what was wrong.
      if (body.kind === 'form' && isDaybreakError(error, 'EINPUT')) {
        return c.html(managePage(config, token, await audience.inspectManage(token), { error: error.message }), 400);
      }
      throw error;
    }
  });

  app.get('/healthz', async (c) => {
    c.header('Cache-Control', 'no-store');
    try {
      await store.ping();
      return c.json({ ok: true, database: 'reachable', version, ...(await options.health?.()) });
    } catch {
      return c.json({ ok: false, database: 'unreachable', version }, 503);
    }
  });

  for (const { path, app: sub } of options.mount ?? []) app.route(path, sub);

  app.notFound((c) => {
    if (prefersJson(c)) return c.json({ ok: false, error: 'Not found.' }, 404);
    return c.html(errorPage(config, 'Page not found', "There's nothing at this address."), 404);
  });

  // The one place errors become HTTP answers.
  app.onError((error, c) => {
    let status: HttpError['status'] = 500;
    let message = 'Something went wrong on our side. Please try again in a minute.';
    let headers: Record<string, string> = {};
    let title = 'Something went wrong';
    if (error instanceof HttpError) {
      status = error.status;
      message = error.message;
      headers = error.headers;
      title = status === 429 ? 'Too many requests' : status === 413 ? 'Too large' : "That didn't work";
    } else if (isDaybreakError(error, 'ETOKEN')) {
      status = 400;
      title = TOKEN_ERROR_TITLE;
      message = 'This link is invalid, was already used, or has expired. You can sign up again from our sign-up page.';
    } else if (isDaybreakError(error, 'EINPUT')) {
      status = 400;
      message = error.message;
      title = "That didn't work";
    } else if (isDaybreakError(error) && (error.code === 'EBUSY' || error.code === 'ESTORAGE')) {
      // The database did not take the write (nothing was stored): say so, and when to try again.
      const unavailable = UNAVAILABLE[error.code];
      status = 503;
      title = unavailable.title;
      message = unavailable.message;
      headers = { 'Retry-After': String(unavailable.retryAfter) };
      log(`${c.req.method} ${c.req.path}: ${error.message}`);
    } else if (isDaybreakError(error, 'ENOTFOUND')) {
      status = 404;
      message = error.message;
      title = 'Not found';
    } else {
      log(`${c.req.method} ${c.req.path} failed`, error);
    }
    for (const [k, v] of Object.entries(headers)) c.header(k, v);
    if (c.get('json') || prefersJson(c)) return c.json({ ok: false, error: message }, status);
    const form = c.get('form');
    if (form && status === 400) return c.html(signUpPage(config, { ...form, error: message }), status);
    return c.html(errorPage(config, title, message), status);
  });

  return Object.assign(app as unknown as Hono, { audience });
}

/** The error with every address in its message and stack masked (maskAddresses). */
function maskedError(error: unknown): unknown {
  if (!(error instanceof Error)) return maskAddresses(String(error));
  const masked = new Error(maskAddresses(error.message));
  masked.name = error.name;
  masked.stack = error.stack === undefined ? undefined : maskAddresses(error.stack);
  return masked;
}

/** Node's request stream when served by @hono/node-server and nobody has read the body yet. */
function nodeBody(c: Context): NodeJS.ReadableStream | undefined {
  const incoming = (c.env as { incoming?: NodeJS.ReadableStream & { readableEnded?: boolean; readableDidRead?: boolean } } | undefined)?.incoming;
  if (!incoming || incoming.readableDidRead || incoming.readableEnded) return undefined;
  return incoming;
}

function prefersJson(c: Context): boolean {
  const type = c.req.header('content-type') ?? '';
  if (type.toLowerCase().startsWith('application/json')) return true;
  const accept = c.req.header('accept') ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}
