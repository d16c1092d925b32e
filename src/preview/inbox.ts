import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { readMaildir, readMaildirMessage, type Mailer } from '../delivery/index.ts';
import { escapeHtml as esc } from '../html/index.ts';
import { serveIndex } from '../web/index.ts';
import { plural } from '../plural.ts';


/** Framed email parts can show the email but never run script (no allow-scripts, here or on the iframe). */
export const EMAIL_CSP = "sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox; frame-ancestors 'self'";

/** Pages of the preview and the inbox load only their own files: no third-party assets, no calls out. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'";

export function page(title: string, stylesheet: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<link rel="stylesheet" href="${esc(stylesheet)}">
</head>
<body class="inbox-page">
${body}
</body>
</html>
`;
}

const ID = /^[A-Za-z0-9._-]+$/;

function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/**
 * `/inbox`: the local mail server's Maildir, like the mail catchers developers use (MailHog, Mailpit):
 * a list newest first and each message with its HTML (in a sandboxed frame), text and raw source. Only
 * when mail goes to the local mail server; with SMTP_URL set there is no local mailbox to show.
 *
 * @example
 * app.route('/inbox', createInboxApp({ mailer, stylesheet: '/preview/assets/preview.css', previewPath: '/preview', inboxPath: '/inbox' }));
 */
export function createInboxApp(options: {
  mailer: Mailer | null;
  stylesheet: string;
  previewPath: string;
  inboxPath?: string;
  /** Runs first (the preview's DNS-rebinding Host check: the Maildir holds confirm tokens). */
  hostCheck?: MiddlewareHandler;
}): Hono {
  const app = new Hono();
  if (options.hostCheck) app.use('*', options.hostCheck);
  const { mailer, stylesheet, previewPath } = options;
  // Links are absolute: a relative "./" from /inbox/<id> is /inbox/, which a mounted sub-app's '/' route
  // does not answer; /inbox/ is served below all the same.
  const inboxPath = options.inboxPath ?? '/inbox';
  const messageHref = (id: string, part = ''): string => `${inboxPath}/${encodeURIComponent(id)}${part}`;

  app.use('*', async (c, next) => {
    if (!mailer?.maildir) {
      const where = mailer ? mailer.describe() : 'no mailer is configured';
      return c.html(
        page(
          'No local mailbox',
          stylesheet,
          `<main class="inbox"><h1>No local mailbox</h1><p>The mailbox shows the messages of Daybreak's local mail server. Mail is not going there: it goes to ${esc(where)}. Unset <code>SMTP_URL</code> to use the local mail server (its Maildir is <code>var/mail/</code>).</p><p><a href="${esc(previewPath)}/">Back to the preview</a></p></main>`,
        ),
        404,
      );
    }
    await next();
    c.res.headers.set('Cache-Control', 'no-store');
    // The message's HTML part is framed by the message page (the main app denies framing by default).
    c.res.headers.set('X-Frame-Options', 'SAMEORIGIN');
    if (!c.res.headers.has('Content-Security-Policy')) c.res.headers.set('Content-Security-Policy', PAGE_CSP);
  });

  const list = async (c: Context): Promise<Response> => {
    const dir = mailer!.maildir!;
    const messages = await readMaildir(dir);
    if (c.req.query('format') === 'json' || (c.req.header('accept') ?? '').startsWith('application/json')) {
      return c.json({ maildir: dir, messages: messages.map(({ file: _file, ...m }) => m) });
    }
    const rows = messages
      .map(
        (m) =>
          `<tr><td class="time"><time datetime="${esc(m.date)}">${esc(formatTime(m.date))}</time></td><td>${esc(m.to)}</td><td><a href="${esc(messageHref(m.id))}">${esc(m.subject || '(no subject)')}</a></td></tr>`,
      )
      .join('\n');
    const body = `<main class="inbox">
<header class="inbox-head"><h1>Mailbox</h1><p>${plural(messages.length, 'message')} in <code>${esc(dir)}</code>, newest first. <a href="${esc(previewPath)}/">Back to the preview</a></p></header>
${messages.length === 0 ? '<p class="empty">No messages yet. Send a test from the preview.</p>' : `<table class="messages"><thead><tr><th>Time</th><th>To</th><th>Subject</th></tr></thead><tbody>\n${rows}\n</tbody></table>`}
</main>`;
    return c.html(page('Mailbox', stylesheet, body));
  };
  serveIndex(app, inboxPath, list);

  app.get('/:id/html', async (c) => {
    const message = await find(c.req.param('id'));
    if (!message) return c.text('No such message', 404);
    c.header('Content-Security-Policy', EMAIL_CSP);
    return c.html(message.html ?? '<p>This message has no HTML part.</p>');
  });

  app.get('/:id/raw', async (c) => {
    const message = await find(c.req.param('id'));
    if (!message) return c.text('No such message', 404);
    return c.text(message.raw);
  });

  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    const message = await find(id);
    if (!message) {
      return c.html(page('No such message', stylesheet, `<main class="inbox"><h1>No such message</h1><p><a href="${esc(inboxPath)}/">Back to the mailbox</a></p></main>`), 404);
    }
    const header = (name: string): string => message.headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value ?? '';
    const shown = ['Date', 'From', 'To', 'Subject', 'Reply-To', 'List-Unsubscribe', 'List-Unsubscribe-Post', 'Message-ID'];
    const headerRows = shown
      .filter((name) => header(name) !== '')
      .map((name) => `<tr><th>${esc(name)}</th><td>${esc(header(name))}</td></tr>`)
      .join('');
    const body = `<main class="inbox message">
<p><a href="${esc(inboxPath)}/">← Mailbox</a></p>
<h1>${esc(header('Subject') || '(no subject)')}</h1>
<table class="headers">${headerRows}</table>
<section class="part"><h2 id="html">HTML</h2>
${message.html ? `<iframe class="email" title="HTML part" sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox" src="${esc(messageHref(id, '/html'))}"></iframe>` : '<p class="empty">This message has no HTML part.</p>'}
</section>
<section class="part"><h2 id="text">Text</h2><pre class="text-part">${esc(message.text ?? '(no text part)')}</pre></section>
<section class="part"><h2 id="raw">Raw source</h2><p><a href="${esc(messageHref(id, '/raw'))}">Open as a file</a></p><pre class="raw">${esc(message.raw)}</pre></section>
</main>`;
    return c.html(page(header('Subject') || 'Message', stylesheet, body));
  });

  async function find(id: string) {
    if (!ID.test(id)) return null;
    try {
      return await readMaildirMessage(mailer!.maildir!, id);
    } catch {
      return null;
    }
  }

  return app;
}
