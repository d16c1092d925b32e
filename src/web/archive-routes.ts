import { Hono } from 'hono';
import { assembleEdition, isSkipped, type Config, type Content, type Edition } from '../content/index.ts';
import { longDate, renderEdition } from '../designs/index.ts';
import { archiveCopy, type ArchivedEdition } from './archive-copy.ts';
import { archiveFeed } from './archive-feed.ts';
import { html } from '../html/index.ts';
import { layout } from './pages.ts';

/**
 * What the archive needs from storage, declared here; src/storage implements it.
 */
export interface ArchiveIndex {
  /**
   * The editions that were sent, newest first: runs the scheduler finished (`done`) and editions with at
   * least one copy sent by hand (`daybreak send`), so the archive never shows an edition before it went out.
   */
  listSent(options?: { newsletter?: string; limit?: number }): Promise<SentEdition[]>;
  /** True when an edition may be shown: it was sent, or its run is sending right now (early clickers). */
  isPublished(newsletter: string, date: string): Promise<boolean>;
  /** Keeps an edition's web copy as it goes out; the first one kept for an edition stays. */
  keep(copy: ArchivedEdition): Promise<void>;
  /** The web copy kept when the edition went out, if it was kept. */
  kept(newsletter: string, date: string): Promise<ArchivedEdition | null>;
}

export interface ArchiveOptions {
  config: Config;
  archive: ArchiveIndex;
  /** Reads the articles (main.ts: loadContent(dataDir), fresh per request so new editions appear). */
  loadContent: () => Content | Promise<Content>;
  /** How many editions per newsletter the index and the feed list. Default 60. */
  limit?: number;
}

export interface SentEdition {
  newsletter: string;
  date: string;
  /** When it went out (the run's scheduled time, else its first sent copy). */
  sentAt: string;
}

// The edition page is email HTML: it needs inline styles and remote images, and nothing else; no script.
const EDITION_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The web archive as a Hono sub-app, mounted at `/archive` by main.ts:
 * - `GET /archive`: the sent editions, newest first, per newsletter;
 * - `GET /archive/<newsletter>/<date>`: the edition as readers got it, with no personal data (the
 *   emails' "View in your browser" link);
 * - `GET /archive/<newsletter>/feed.xml`: an RSS 2.0 feed of the sent editions.
 *
 * @example
 * app.route('/archive', createArchiveApp({ config, archive, loadContent: () => loadContent('data') }));
 */
export function createArchiveApp(options: ArchiveOptions): Hono {
  const { config, archive } = options;
  const limit = options.limit ?? 60;
  const app = new Hono();
  const newsletterById = (id: string) => config.newsletters.find((n) => n.id === id);

  async function edition(newsletter: string, date: string): Promise<Edition | null> {
    const content = await options.loadContent();
    try {
      const e = assembleEdition({ config, content, newsletterId: newsletter, date });
      return isSkipped(e) ? null : e;
    } catch {
      return null;
    }
  }

  app.use('*', async (c, next) => {
    await next();
    if (!c.res.headers.has('content-security-policy')) c.res.headers.set('Content-Security-Policy', PAGE_CSP);
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    c.res.headers.set('Referrer-Policy', 'no-referrer');
  });

  app.get('/', async (c) => {
    const content = await options.loadContent();
    const sections = await Promise.all(config.newsletters.map(async (n) => {
      const sent = await archive.listSent({ newsletter: n.id, limit });
      const items = sent.map((s) => {
        let subject = s.date;
        try {
          const e = assembleEdition({ config, content, newsletterId: n.id, date: s.date });
          if (!isSkipped(e)) subject = e.subject;
        } catch {
          // An edition whose data is gone still gets its line, under its date.
        }
        const when = longDate(new Date(`${s.date}T12:00:00Z`), 'UTC', n.locale);
        return html`<li><a href="/archive/${n.id}/${s.date}">${subject}</a> <span class="muted">${when}</span></li>`;
      });
      return html`<section class="archive-letter" aria-labelledby="h-${n.id}">
<h2 id="h-${n.id}">${n.name}</h2>
${n.description ? html`<p>${n.description}</p>` : ''}
${items.length ? html`<ul class="archive-list">${items}</ul>` : html`<p class="muted">No editions have gone out yet.</p>`}
<p><a href="/archive/${n.id}/feed.xml">RSS feed</a> · <a href="/">Sign up to get it by email</a></p>
</section>`;
    }));
    c.header('Cache-Control', 'no-cache');
    return c.html(layout(config, 'Archive', html`<h1>The archive</h1>
<p>Every edition we have sent, newest first.</p>
${sections}`));
  });

  app.get('/:newsletter/feed.xml', async (c) => {
    const newsletter = newsletterById(c.req.param('newsletter'));
    if (!newsletter) return c.notFound();
    const content = await options.loadContent();
    const entries = (await archive.listSent({ newsletter: newsletter.id, limit })).flatMap((s) => {
      try {
        const e = assembleEdition({ config, content, newsletterId: newsletter.id, date: s.date });
        return isSkipped(e) ? [] : [{ edition: e, sentAt: new Date(s.sentAt) }];
      } catch {
        return [];
      }
    });
    c.header('Content-Type', 'application/rss+xml; charset=utf-8');
    c.header('Cache-Control', 'no-cache');
    return c.body(archiveFeed(config, newsletter, entries));
  });

  app.get('/:newsletter/:date', async (c) => {
    const newsletter = newsletterById(c.req.param('newsletter'));
    const date = c.req.param('date');
    if (!newsletter || !DATE.test(date) || !(await archive.isPublished(newsletter.id, date))) return c.notFound();
    // The copy kept when the edition went out; editions sent before copies were kept are rendered again.
    let page = (await archive.kept(newsletter.id, date))?.html;
    if (!page) {
      const e = await edition(newsletter.id, date);
      if (!e) return c.notFound();
      page = archiveCopy(await renderEdition(e, config), newsletter, config, date, new Date()).html;
    }
    c.header('Content-Security-Policy', EDITION_CSP);
    c.header('Cache-Control', 'no-cache');
    return c.html(page);
  });

  // A newsletter's own address lands on its part of the index; a trailing slash on the path without one.
  app.get('/:newsletter', (c) => {
    const newsletter = newsletterById(c.req.param('newsletter'));
    return newsletter ? c.redirect(`${c.req.path.replace(/\/[^/]*\/?$/, '')}#h-${newsletter.id}`, 302) : c.notFound();
  });
  app.get('*', (c) => (c.req.path.length > 1 && c.req.path.endsWith('/') ? c.redirect(c.req.path.replace(/\/+$/, ''), 301) : c.notFound()));

  return app;
}
