import type { Config } from '../content/index.ts';
import { describeSchedule, resolveBrand } from '../content/index.ts';
import type { NewsletterSummary, Preferences } from '../audience/index.ts';
import { html, type Raw } from '../html/index.ts';

/** The honeypot field: hidden from people (CSS, aria-hidden, tabindex -1), filled by naive bots. */
export const HONEYPOT_FIELD = 'website';

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const names = (list: NewsletterSummary[]) => list.map((n) => n.name).join(' and ');

/** "From The Morning Briefing to The Good News Weekly: pick what you'd like to read. …" */
function lede(config: Config): string {
  const list = config.newsletters;
  const pick = list.length > 1 ? "pick what you'd like to read" : `${list[0]!.name}, ${describeSchedule(list[0]!)}`;
  const from = list.length > 1 ? `From ${list[0]!.name} to ${list[list.length - 1]!.name}: ` : '';
  return `${from}${pick}. We'll email you once to confirm.`;
}

/** The masthead's brand: the logo (with its dark-mode twin, or on a light panel without one), else the name. */
function masthead(config: Config): Raw {
  const { logo, logoDark } = resolveBrand(config);
  if (!logo) return html`${config.publisher.name}`;
  // Same-origin paths: the pages' CSP allows images from 'self' only.
  const light = html`<img class="logo${logoDark ? ' logo-light' : ''}" src="${logo.path}" alt="${logo.alt}" width="${logo.width}" height="${logo.height}">`;
  if (!logoDark) return html`<span class="logo-panel">${light}</span>`;
  return html`${light}<img class="logo logo-dark" src="${logoDark.path}" alt="${logoDark.alt}" width="${logoDark.width}" height="${logoDark.height}">`;
}

export function layout(config: Config, title: string, body: Raw): string {
  return (
    '<!doctype html>' +
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · ${config.publisher.name}</title>
<link rel="stylesheet" href="/assets/daybreak.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="masthead"><div class="inner"><p class="brand"><a href="/">${masthead(config)}</a></p></div></header>
<main id="main">
${body}
</main>
<footer class="site-footer"><p>${config.publisher.name} · ${config.publisher.postalAddress}</p></footer>
</body>
</html>
`.value
  );
}

export interface SignUpFormState {
  email?: string;
  name?: string;
  newsletters?: string[];
  error?: string;
}

/** GET /: works with JavaScript off (there is none), labels on every control, the first letter checked. */
export function signUpPage(config: Config, state: SignUpFormState = {}): string {
  const checked = new Set(state.newsletters ?? [config.newsletters[0]!.id]);
  const choices = config.newsletters.map(
    (n) => html`<label class="choice" for="nl-${n.id}">
  <input type="checkbox" id="nl-${n.id}" name="newsletters" value="${n.id}"${checked.has(n.id) ? html` checked` : ''}>
  <span class="choice-text"><span class="choice-name">${n.name}</span><span class="choice-cadence">${cap(describeSchedule(n))}</span>${
    n.description ? html`<span class="choice-desc">${n.description}</span>` : ''
  }</span>
</label>
`,
  );
  const body = html`<h1>Sign up for our free newsletters</h1>
<p class="lede">${lede(config)}</p>
${state.error ? html`<p class="alert" role="alert" id="form-error">${state.error}</p>` : ''}
<form class="card" method="post" action="/subscribe">
<fieldset>
<legend>Newsletters</legend>
${choices}
</fieldset>
<div class="field">
<label for="email">Email address</label>
<input type="email" id="email" name="email" required maxlength="254" autocomplete="email" inputmode="email" spellcheck="false" value="${state.email ?? ''}"${state.error ? html` aria-describedby="form-error"` : ''}>
</div>
<div class="field">
<label for="name">First name <span class="optional">(optional)</span></label>
<input type="text" id="name" name="name" maxlength="100" autocomplete="given-name" value="${state.name ?? ''}">
</div>
<div class="hp" aria-hidden="true">
<label for="${HONEYPOT_FIELD}">Leave this field empty</label>
<input type="text" id="${HONEYPOT_FIELD}" name="${HONEYPOT_FIELD}" tabindex="-1" autocomplete="off">
</div>
<input type="hidden" name="choose" value="1">
<input type="hidden" name="timezone" value="" data-browser-timezone>
<input type="hidden" name="source" value="${config.baseUrl.replace(/\/+$/, '')}/">
<button type="submit">Sign up</button>
<p class="fine">Free. One email to confirm, then only what you chose. Every email has a one-click unsubscribe link, and we never share your address.</p>
</form>
<script src="/assets/timezone.js" defer></script>`;
  return layout(config, 'Sign up', body);
}

/** The answer to every accepted sign-up, whoever the address belongs to. */
export function thanksPage(config: Config): string {
  return layout(
    config,
    'Check your inbox',
    html`<h1>Check your inbox</h1>
<div class="card stack">
<p>We've sent you an email with a link to confirm your subscription. Click it and you're in.</p>
<p>Nothing there? Look in your spam or promotions folder. The link works for 7 days.</p>
</div>
<p class="fine"><a href="/">Back to the sign-up page</a></p>`,
  );
}

export function confirmPage(config: Config, token: string, newsletters: NewsletterSummary[]): string {
  return layout(
    config,
    'Confirm your subscription',
    html`<h1>Confirm your subscription</h1>
<div class="card">
<p>You're about to subscribe to <strong>${names(newsletters)}</strong>.</p>
<form method="post" action="/confirm">
<input type="hidden" name="token" value="${token}">
<button type="submit">Confirm my subscription</button>
</form>
</div>`,
  );
}

export function confirmedPage(config: Config, newsletters: NewsletterSummary[]): string {
  return layout(
    config,
    "You're subscribed",
    html`<h1>You're subscribed</h1>
<div class="card stack">
${newsletters.length === 1
  ? html`<p>Thank you! You'll receive <strong>${newsletters[0]!.name}</strong>, ${newsletters[0]!.cadence}.</p>`
  : html`<p>Thank you! You'll receive <strong>${names(newsletters)}</strong>:</p>
<ul>${newsletters.map((n) => html`<li>${n.name}, ${n.cadence}.</li>`)}</ul>`}
<p>A welcome email is on its way.</p>
</div>`,
  );
}

export function unsubscribePage(config: Config, token: string, allToken: string, newsletters: NewsletterSummary[], all: boolean): string {
  const what = all ? 'all our newsletters' : names(newsletters);
  return layout(
    config,
    'Unsubscribe',
    html`<h1>Unsubscribe</h1>
<div class="card">
<p>Stop receiving <strong>${what}</strong>?</p>
<div class="actions">
<form method="post" action="/unsubscribe?token=${token}"><button type="submit">Unsubscribe from ${all ? 'everything' : names(newsletters)}</button></form>
${all ? '' : html`<form method="post" action="/unsubscribe?token=${allToken}"><button type="submit" class="secondary">Unsubscribe from everything</button></form>`}
</div>
</div>`,
  );
}

export function unsubscribedPage(config: Config, newsletters: NewsletterSummary[], all: boolean): string {
  return layout(
    config,
    "You're unsubscribed",
    html`<h1>You're unsubscribed</h1>
<div class="card stack">
<p>You won't receive <strong>${all ? 'any of our newsletters' : names(newsletters)}</strong> any more.</p>
<p>Changed your mind? <a href="/">Sign up again</a> any time.</p>
</div>`,
  );
}

export function errorPage(config: Config, title: string, message: string): string {
  return layout(
    config,
    title,
    html`<h1>${title}</h1>
<div class="card stack">
<p>${message}</p>
<p><a href="/">Go to the sign-up page</a></p>
</div>`,
  );
}

/**
 * The sign-up page's one script (served from our origin, as the CSP allows no inline script): fills the
 * hidden `timezone` field with the browser's IANA zone, so a local-time newsletter reaches the reader at
 * their own morning. Without JavaScript the field stays empty and the newsletter's zone applies.
 */
export const TIMEZONE_SCRIPT = `(function () {
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone) return;
    var fields = document.querySelectorAll('input[data-browser-timezone]');
    for (var i = 0; i < fields.length; i++) if (!fields[i].value) fields[i].value = zone;
  } catch (e) {}
})();
`;

/** Every zone the runtime knows, for the preference page's list (UTC is not among Intl's names). */
const ZONES: string[] = (() => {
  try {
    return ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
  } catch {
    return ['UTC'];
  }
})();

export interface ManagePageState {
  /** Shown after a successful POST. */
  saved?: string;
  error?: string;
}

/**
 * GET/POST /manage: every newsletter with a switch, the sections of those that offer a choice, the name
 * and the timezone. Works without JavaScript; the token rides in a hidden field, never in a cookie.
 */
export function managePage(config: Config, token: string, prefs: Preferences, state: ManagePageState = {}): string {
  const zones = prefs.timezone && !ZONES.includes(prefs.timezone) ? [prefs.timezone, ...ZONES] : ZONES;
  const rows = prefs.newsletters.map(
    (n) => html`<label class="choice" for="nl-${n.id}">
  <input type="checkbox" id="nl-${n.id}" name="newsletters" value="${n.id}"${n.on ? html` checked` : ''}>
  <span class="choice-text"><span class="choice-name">${n.name}</span><span class="choice-cadence">${cap(n.cadence)}</span>${
    n.description ? html`<span class="choice-desc">${n.description}</span>` : ''
  }${n.status === 'pending' ? html`<span class="choice-desc">Awaiting confirmation: saving with this ticked confirms it.</span>` : ''}</span>
</label>
${
  n.offered
    ? html`<fieldset class="sections" id="sections-${n.id}">
<legend>Sections of ${n.name}</legend>
${n.offered.map(
  (section, i) => html`<label class="section-choice" for="sec-${n.id}-${i}"><input type="checkbox" id="sec-${n.id}-${i}" name="sections.${n.id}" value="${section}"${
    n.chosen?.includes(section) ? html` checked` : ''
  }> ${section}</label>
`,
)}<p class="fine">The top story always comes; untick a section to skip its short items.</p>
</fieldset>
`
    : ''
}`,
  );
  const zoneOptions = zones.map((z) => html`<option value="${z}"${z === prefs.timezone ? html` selected` : ''}>${z.replace(/_/g, ' ')}</option>`);
  const body = html`<h1>Manage your subscriptions</h1>
${state.saved ? html`<p class="notice" role="status">${state.saved}</p>` : ''}
${state.error ? html`<p class="alert" role="alert" id="form-error">${state.error}</p>` : ''}
<form class="card" method="post" action="/manage">
<input type="hidden" name="token" value="${token}">
<fieldset>
<legend>Newsletters</legend>
${rows}
<p class="fine">Untick all of them to unsubscribe from everything.</p>
</fieldset>
<div class="field">
<label for="name">First name <span class="optional">(optional)</span></label>
<input type="text" id="name" name="name" maxlength="100" autocomplete="given-name" value="${prefs.name ?? ''}">
</div>
<div class="field">
<label for="timezone">Your timezone</label>
<select id="timezone" name="timezone">
<option value=""${prefs.timezone === null ? html` selected` : ''}>Each newsletter's own timezone</option>
${zoneOptions}
</select>
<p class="fine">Newsletters sent at a local time reach you at that time in this zone.</p>
</div>
<button type="submit">Save my choices</button>
</form>`;
  return layout(config, 'Manage your subscriptions', body);
}
