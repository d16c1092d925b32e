// Daybreak preview page. Plain browser JavaScript, no build step, no third-party code.
// It talks only to its own server: api/sidebar, api/view, api/send-test, events (server-sent events), and
// the raw renders <newsletter>/<date>/<template>.html|.txt it frames.

const $ = (id) => document.getElementById(id);

/** Where the preview is mounted (`/preview/`): every URL below is built on it. */
const BASE = document.querySelector('meta[name="daybreak-base"]')?.content ?? '/preview/';

/** Creates an element; children are nodes or text (never parsed as HTML). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const WIDTHS = { desktop: 800, phone: 375 };

const state = {
  newsletter: null,
  date: null,
  template: null,
  reader: 'sample',
  width: WIDTHS.desktop,
  dark: false,
  tab: 'html',
  showLastGood: false,
  sidebar: null,
  view: null,
  generation: 0,
};

function readUrl() {
  const q = new URLSearchParams(location.search);
  state.newsletter = q.get('newsletter');
  state.date = q.get('date');
  state.template = q.get('template');
  state.reader = q.get('reader') || 'sample';
  const width = Number(q.get('width'));
  state.width = width >= 240 && width <= 1600 ? width : WIDTHS.desktop;
  state.dark = q.get('dark') === '1';
  state.tab = ['html', 'text', 'source', 'headers'].includes(q.get('tab')) ? q.get('tab') : 'html';
}

function writeUrl(push) {
  const q = new URLSearchParams();
  if (state.newsletter) q.set('newsletter', state.newsletter);
  if (state.date) q.set('date', state.date);
  if (state.template) q.set('template', state.template);
  if (state.reader !== 'sample') q.set('reader', state.reader);
  if (state.width !== WIDTHS.desktop) q.set('width', String(state.width));
  if (state.dark) q.set('dark', '1');
  if (state.tab !== 'html') q.set('tab', state.tab);
  const url = `${location.pathname}?${q}`;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

async function getJson(url, init) {
  const response = await fetch(url, { cache: 'no-store', ...init });
  const body = await response.json().catch(() => ({ ok: false, title: `HTTP ${response.status}`, errors: [response.statusText] }));
  return { status: response.status, body };
}

function rawUrl(ext, extra = {}) {
  const path = [state.newsletter, state.date, state.template].map(encodeURIComponent).join('/');
  const q = new URLSearchParams({ reader: state.reader, ...extra });
  return `${BASE}${path}.${ext}?${q}`;
}

// ---------------------------------------------------------------- sidebar

/** "Mon, Nov 30" (the year only when it is not the current one). */
function formatDate(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  const options = { weekday: 'short', month: 'short', day: 'numeric', timeZone: 'UTC' };
  if (y !== new Date().getFullYear()) options.year = 'numeric';
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString('en-US', options);
}

function renderSidebar() {
  const sidebar = state.sidebar;
  const nav = $('newsletters');
  nav.replaceChildren();
  if (!sidebar || sidebar.newsletters.length === 0) {
    nav.append(h('p', { class: 'muted' }, 'No newsletters to show.'));
  }
  for (const newsletter of sidebar?.newsletters ?? []) {
    const current = newsletter.id === state.newsletter;
    const list = h('ol', { class: 'dates' });
    if (newsletter.editions.length === 0) list.append(h('li', { class: 'muted' }, 'No editions in the data yet'));
    for (const edition of newsletter.editions) {
      const selected = current && edition.date === state.date;
      list.append(
        h('li', {},
          h('a', {
            href: `?newsletter=${encodeURIComponent(newsletter.id)}&date=${edition.date}`,
            class: selected ? 'date selected' : 'date',
            'aria-current': selected ? 'page' : null,
            'data-newsletter': newsletter.id,
            'data-date': edition.date,
            title: edition.date,
            onclick: (event) => {
              event.preventDefault();
              navigate({ newsletter: newsletter.id, date: edition.date, template: state.newsletter === newsletter.id ? state.template : newsletter.template });
            },
          },
          h('span', { class: 'date-label' }, formatDate(edition.date)),
          h('span', { class: 'count' }, `${edition.articles}${edition.curatedBy ? ' · curated' : ''}`)),
        ),
      );
    }
    nav.append(
      h('section', { class: current ? 'newsletter current' : 'newsletter', 'data-newsletter': newsletter.id },
        h('h2', {}, newsletter.name),
        h('p', { class: 'muted schedule', title: `${newsletter.schedule.cron} (${newsletter.schedule.timezone})` }, newsletter.cadence ?? `${newsletter.schedule.cron} · ${newsletter.schedule.timezone}`),
        list),
    );
  }

  const designs = $('designs');
  designs.replaceChildren();
  const own = sidebar?.newsletters.find((n) => n.id === state.newsletter)?.template;
  for (const template of sidebar?.templates ?? []) {
    const selected = template.name === state.template;
    designs.append(
      h('li', {},
        h('button', {
          type: 'button',
          class: selected ? 'design selected' : 'design',
          'aria-pressed': String(selected),
          'data-template': template.name,
          title: template.description,
          onclick: () => navigate({ template: template.name }),
        },
        h('span', { class: 'design-name' }, template.name),
        h('span', { class: 'muted engine' }, `${template.engine}${template.name === own ? ' · its own design' : ''}`)),
      ),
    );
  }

  if (state.date && document.activeElement !== $('other-date-input')) $('other-date-input').value = state.date;

  const inbox = $('inbox-link');
  inbox.hidden = !sidebar?.mailbox?.local;
  $('transport').textContent = sidebar?.mailbox?.describe ? `Mail goes to ${sidebar.mailbox.describe}` : '';
}

async function loadSidebar() {
  const { body } = await getJson(`${BASE}api/sidebar`);
  state.sidebar = body;
  if (!state.newsletter && body.defaultView) {
    state.newsletter = body.defaultView.newsletter;
    state.date = body.defaultView.date;
    state.template = body.defaultView.template;
  }
  const newsletter = body.newsletters.find((n) => n.id === state.newsletter) ?? body.newsletters[0];
  if (newsletter) {
    state.newsletter = newsletter.id;
    state.date ??= newsletter.editions[0]?.date ?? body.defaultView?.date ?? null;
    state.template ??= newsletter.template;
  }
  renderSidebar();
}

// ---------------------------------------------------------------- the email frame

let frameToken = 0;

function frames() {
  const [a, b] = document.querySelectorAll('iframe.email');
  return a.classList.contains('active') ? [a, b] : [b, a];
}

/** Height of the framed document, so the stage scrolls rather than the frame. */
function fitFrame(frame) {
  try {
    const doc = frame.contentDocument;
    if (!doc?.documentElement) return;
    frame.style.height = '10px';
    const height = Math.max(doc.documentElement.scrollHeight, doc.body?.scrollHeight ?? 0);
    frame.style.height = `${Math.max(height, 200)}px`;
    // Links open outside the preview: the frame may not run script, but it may open a new tab.
    if (!doc.querySelector('base[data-preview]')) {
      const base = doc.createElement('base');
      base.target = '_blank';
      base.setAttribute('data-preview', '');
      doc.head?.prepend(base);
    }
  } catch {
    // not same-origin (should not happen): keep the CSS height
  }
}

/** Loads a URL into the hidden frame and swaps it in when loaded, so live updates do not flash. */
function loadFrame(url) {
  const token = ++frameToken;
  const [shown, spare] = frames();
  return new Promise((resolve) => {
    spare.onload = () => {
      if (token !== frameToken) return resolve(false);
      fitFrame(spare);
      spare.classList.add('active');
      spare.removeAttribute('aria-hidden');
      spare.removeAttribute('tabindex');
      spare.title = 'Email preview';
      shown.classList.remove('active');
      shown.setAttribute('aria-hidden', 'true');
      shown.setAttribute('tabindex', '-1');
      shown.title = 'Email preview (previous)';
      // Images arrive after load; fit again when they do.
      for (const img of spare.contentDocument?.images ?? []) img.addEventListener('load', () => fitFrame(spare), { once: true });
      resolve(true);
    };
    spare.src = url;
  });
}

function applyWidth() {
  const device = $('device');
  device.style.width = `${state.width}px`;
  device.classList.toggle('phone', state.width <= 480);
  for (const button of document.querySelectorAll('[data-width]')) {
    button.setAttribute('aria-pressed', String(Number(button.dataset.width) === state.width));
  }
  const custom = $('custom-width');
  const preset = Object.values(WIDTHS).includes(state.width);
  custom.value = preset ? '' : String(state.width);
  custom.classList.toggle('active', !preset);
  for (const frame of document.querySelectorAll('iframe.email.active')) requestAnimationFrame(() => fitFrame(frame));
}

// ---------------------------------------------------------------- view

function showTab(tab) {
  state.tab = tab;
  for (const button of document.querySelectorAll('[role=tab]')) {
    const selected = button.dataset.tab === tab;
    button.setAttribute('aria-selected', String(selected));
    button.tabIndex = selected ? 0 : -1;
  }
  for (const name of ['html', 'text', 'source', 'headers']) $(`panel-${name}`).hidden = name !== tab;
  if (tab === 'source') loadSource();
}

let sourceFor = '';
async function loadSource() {
  const url = rawUrl('html', state.showLastGood ? { 'last-good': '1' } : {});
  const key = `${url}#${state.generation}`;
  if (sourceFor === key) return;
  sourceFor = key;
  const response = await fetch(url, { cache: 'no-store' });
  $('source').textContent = await response.text();
}

function renderProblem(problem) {
  $('problem').hidden = false;
  $('problem-title').textContent = problem.title || 'This view could not be rendered';
  $('problem-errors').replaceChildren(...(problem.errors ?? []).map((line) => h('li', {}, line)));
  const good = problem.lastGood;
  $('problem-last-good').hidden = !good;
  if (good) $('last-good-when').textContent = `(rendered ${new Date(good.renderedAt).toLocaleTimeString()})`;
  $('subject').textContent = problem.title || 'No preview';
  document.title = `${problem.title || 'No preview'} · Daybreak preview`;
  $('preheader').textContent = [problem.newsletter, problem.date, problem.template].filter(Boolean).join(' · ');
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** Which edition the articles near the window's edges fall in: the stories an editor looks for here. */
function windowNotesBlock(notes) {
  return h('section', { class: 'check-block', id: 'check-window-notes' },
    h('h3', {}, 'Near the window’s edges'),
    h('ul', { class: 'findings notes' }, notes.map((t) => h('li', {}, t))));
}

function renderChecks(view) {
  const box = $('checks');
  if (!view.ok) {
    const items = [h('p', { class: 'check bad' }, view.title)];
    if (view.window) {
      items.push(h('dl', { class: 'facts' },
        h('dt', {}, 'Looked from'), h('dd', {}, view.window.fromLocal),
        h('dt', {}, 'up to'), h('dd', {}, view.window.toLocal)));
    }
    if (view.windowNotes && view.windowNotes.length > 0) items.push(windowNotesBlock(view.windowNotes));
    box.replaceChildren(...items);
    return;
  }
  const c = view.checks;
  const level = c.size.clipped ? 'bad' : c.size.percent >= 80 ? 'warn' : 'good';
  const bar = h('div', { class: `bar ${level}`, role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': String(c.size.limit), 'aria-valuenow': String(c.size.bytes), 'aria-label': 'HTML size against the Gmail clipping limit' }, h('span', {}));
  bar.firstChild.style.width = `${Math.min(100, c.size.percent)}%`;

  const list = (items, empty, cls) =>
    items.length === 0 ? h('p', { class: 'check good' }, empty) : h('ul', { class: `findings ${cls}` }, items.map((t) => h('li', {}, t)));

  const gate = c.gate;
  const statusClass = { pass: 'good', fail: 'bad', warn: 'warn', skip: 'muted' };
  const headline = c.headline ?? { status: gate.ok ? 'pass' : 'fail', text: `Pre-send checks: ${gate.ok ? 'pass' : 'the edition would be held'}` };
  // Each image that does not load as sent, and whether the frame shows it from the preview's own server.
  const shownByPreview = new Map((c.imagesShownByPreview ?? []).map((image) => [image.src, image]));
  const notLoading = c.imagesNotLoading.map((line) => {
    const shown = shownByPreview.get(line.slice(0, line.lastIndexOf(': ')));
    if (!shown) return line;
    return `${line}. ${shown.loads ? `The frame shows it from this preview’s ${shown.path}` : `This preview has no ${shown.path} either, so the frame asks for it at its address`}`;
  });
  box.replaceChildren(
    h('section', { class: 'check-block', id: 'check-gate' },
      h('h3', { id: 'check-headline', class: `headline ${statusClass[headline.status] ?? ''}`, 'data-status': headline.status }, headline.text),
      h('ul', { class: 'findings gate' }, gate.checks.map((g) =>
        h('li', { class: `check ${statusClass[g.status] ?? ''}`, 'data-check': g.id, 'data-status': g.status },
          h('strong', {}, `${g.status.toUpperCase()} ${g.title}`), h('br'),
          h('span', { class: 'muted' }, g.details.join('; '))))),
      h('p', { class: 'muted' }, 'The same checks as daybreak check and a scheduled send.')),
    h('section', { class: 'check-block', id: 'check-size' },
      h('h3', {}, 'Size'),
      bar,
      h('p', { class: `check ${level}` }, `${kb(c.size.bytes)} of ${kb(c.size.limit)} (${c.size.percent}%): ${c.size.clipped ? 'Gmail will clip this message' : 'under Gmail’s clipping limit'}`)),
    h('section', { class: 'check-block', id: 'check-facts' },
      h('dl', { class: 'facts' },
        h('dt', {}, 'Articles'), h('dd', { id: 'check-articles' }, String(c.articles)),
        h('dt', {}, 'Sends'), h('dd', { id: 'check-send-at' }, c.sendAt.wallClock, h('br'), h('span', { class: 'muted' }, c.sendAt.zone)),
        h('dt', {}, 'Window'), h('dd', {}, `after ${c.window.fromLocal}`),
        h('dt', {}, 'Design'), h('dd', {}, `${view.template} (${view.engine})`),
        c.curatedBy ? [h('dt', {}, 'Curated by'), h('dd', {}, c.curatedBy)] : null,
        h('dt', {}, 'Dark mode'), h('dd', {}, c.darkModeRules > 0 ? `${c.darkModeRules} dark rule${c.darkModeRules === 1 ? '' : 's'}` : 'no dark styles: clients show it as is or repaint it'))),
    ...(c.windowNotes.length > 0 ? [windowNotesBlock(c.windowNotes)] : []),
    h('section', { class: 'check-block', id: 'check-lint' },
      h('h3', {}, `Email-client lint (${c.lint.length})`),
      list(c.lint.map((f) => `${f.rule}: ${f.message}${f.where ? ` (${f.where})` : ''}`), 'No findings', 'lint')),
    h('section', { class: 'check-block', id: 'check-images' },
      h('h3', {}, `Images that do not load (${c.imagesNotLoading.length})`),
      list(notLoading, 'Every image loads', 'images')),
    h('section', { class: 'check-block', id: 'check-alt' },
      h('h3', {}, 'Images without alt'),
      list(c.imagesWithoutAlt, 'Every image has alt text', 'alt')),
    h('section', { class: 'check-block', id: 'check-links' },
      h('h3', {}, 'Links that are not absolute'),
      list(c.nonAbsoluteLinks, 'Every link is absolute', 'links')),
    h('section', { class: 'check-block', id: 'check-origins' },
      h('h3', {}, 'Where the articles came from'),
      h('ul', { class: 'origins' }, c.origins.map((o) =>
        h('li', {}, h('span', {}, o.headline), h('br'),
          h('span', { class: 'muted' }, o.kind === 'source' ? `source ${o.source} (${o.url})` : `written by hand: ${o.file}`))))),
  );
}

/**
 * Says, above the frame, that the images under baseUrl are shown from this preview's own server, and that
 * what is sent keeps baseUrl: the frame is the only place the addresses differ.
 */
function renderImagesNote(shown) {
  const note = $('images-note');
  note.hidden = shown.length === 0;
  if (shown.length === 0) return note.replaceChildren();
  const base = shown[0].src.slice(0, shown[0].src.length - shown[0].path.length);
  const count = shown.length === 1 ? '1 image' : `${shown.length} images`;
  note.replaceChildren(
    `Shown from this preview’s own server: ${count} whose address is on baseUrl (${base}), the data folder’s `,
    h('code', {}, '/images/…'), ' and the brand logos ', h('code', {}, '/assets/brand/…'),
    ', which daybreak start serves there. The email that is sent keeps the baseUrl addresses (Source tab, raw .html, test sends).',
  );
}

function renderHeaders(view) {
  $('headers').replaceChildren(
    h('tbody', {}, view.headers.map((header) => h('tr', {}, h('th', { scope: 'row' }, header.name), h('td', {}, header.value)))),
  );
}

let viewToken = 0;
async function loadView() {
  if (!state.newsletter || !state.date || !state.template) return;
  const token = ++viewToken;
  const q = new URLSearchParams({ newsletter: state.newsletter, date: state.date, template: state.template, reader: state.reader });
  const { body: view } = await getJson(`${BASE}api/view?${q}`);
  if (token !== viewToken) return;
  state.view = view;
  sourceFor = '';
  document.body.classList.toggle('has-problem', !view.ok);
  renderChecks(view);
  if (view.ok) {
    state.showLastGood = false;
    $('problem').hidden = true;
    $('subject').textContent = view.subject;
    document.title = `${view.subject} · Daybreak preview`;
    $('raw-html').href = rawUrl('html');
    $('raw-txt').href = rawUrl('txt');
    $('preheader').textContent = view.preheader;
    $('text-part').textContent = view.text;
    renderHeaders(view);
    $('panel-html').classList.remove('blank');
    await loadFrame(rawUrl('html', { images: 'preview', ...(state.dark ? { scheme: 'dark' } : {}), g: String(view.generation) }));
    $('frame-note').hidden = true;
    // Only the images the preview has are shown from it; the others keep their address in the frame.
    renderImagesNote((view.checks.imagesShownByPreview ?? []).filter((image) => image.loads));
  } else {
    renderProblem(view);
    renderImagesNote([]);
    if (state.showLastGood && view.lastGood) {
      await showLastGood();
    } else {
      $('panel-html').classList.add('blank');
      $('text-part').textContent = '';
      $('headers').replaceChildren();
    }
  }
  if (state.tab === 'source') loadSource();
}

async function showLastGood() {
  state.showLastGood = true;
  $('panel-html').classList.remove('blank');
  $('frame-note').hidden = false;
  $('frame-note').textContent = 'Showing the last good render: the current sources do not render (see above).';
  await loadFrame(rawUrl('html', { 'last-good': '1', images: 'preview', ...(state.dark ? { scheme: 'dark' } : {}), t: String(Date.now()) }));
  const text = await fetch(rawUrl('txt', { 'last-good': '1' }), { cache: 'no-store' });
  $('text-part').textContent = await text.text();
  sourceFor = '';
  if (state.tab === 'source') loadSource();
}

async function navigate(change, push = true) {
  Object.assign(state, change);
  state.showLastGood = false;
  writeUrl(push);
  renderSidebar();
  await loadView();
}

// ---------------------------------------------------------------- live reload

function connect() {
  const live = $('live');
  const events = new EventSource(`${BASE}events`);
  events.addEventListener('hello', (event) => {
    const { generation } = JSON.parse(event.data);
    live.textContent = 'Live';
    live.className = 'live on';
    if (generation !== state.generation && state.view) {
      state.generation = generation;
      refresh();
    }
    state.generation = generation;
  });
  events.addEventListener('change', (event) => {
    const change = JSON.parse(event.data);
    state.generation = change.generation;
    live.textContent = `Updated ${new Date().toLocaleTimeString()}: ${change.files.slice(0, 3).join(', ')}${change.files.length > 3 ? ' …' : ''}`;
    live.className = 'live on flash';
    refresh();
  });
  events.onerror = () => {
    live.textContent = 'Reconnecting…';
    live.className = 'live off';
  };
}

let refreshing = null;
let again = false;
/** Re-fetches sidebar and view; changes that arrive meanwhile cause one more pass, not a pile-up. */
function refresh() {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      await loadSidebar();
      await loadView();
    } while (again);
    refreshing = null;
  })();
  return refreshing;
}

// ---------------------------------------------------------------- controls

function wire() {
  for (const button of document.querySelectorAll('[data-width]')) {
    button.addEventListener('click', () => {
      state.width = Number(button.dataset.width);
      writeUrl(false);
      applyWidth();
    });
  }
  $('custom-width').addEventListener('change', (event) => {
    const width = Math.round(Number(event.target.value));
    if (width >= 240 && width <= 1600) {
      state.width = width;
      writeUrl(false);
      applyWidth();
    }
  });
  $('dark').addEventListener('change', async (event) => {
    state.dark = event.target.checked;
    document.body.classList.toggle('dark-preview', state.dark);
    writeUrl(false);
    if (state.showLastGood) await showLastGood();
    else await loadView();
  });
  $('reader').addEventListener('change', (event) => navigate({ reader: event.target.value }, false));
  for (const tab of document.querySelectorAll('[role=tab]')) {
    tab.addEventListener('click', () => {
      showTab(tab.dataset.tab);
      writeUrl(false);
    });
    tab.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
      const tabs = [...document.querySelectorAll('[role=tab]')];
      const next = tabs[(tabs.indexOf(tab) + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
      next.focus();
      next.click();
    });
  }
  $('show-last-good').addEventListener('click', () => showLastGood());
  $('other-date').addEventListener('submit', (event) => {
    event.preventDefault();
    const date = $('other-date-input').value;
    if (date) navigate({ date });
  });
  window.addEventListener('popstate', () => {
    readUrl();
    syncControls();
    renderSidebar();
    loadView();
  });

  const to = $('send-to');
  to.value = localStorage.getItem('daybreak-preview-to') ?? '';
  $('send-test').addEventListener('submit', async (event) => {
    event.preventDefault();
    const status = $('send-status');
    status.className = 'send-status';
    status.textContent = 'Sending…';
    const { body } = await getJson(`${BASE}api/send-test`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: to.value.trim(), newsletter: state.newsletter, date: state.date, template: state.template, reader: state.reader }),
    });
    if (body.ok) {
      localStorage.setItem('daybreak-preview-to', to.value.trim());
      status.className = 'send-status good';
      status.replaceChildren(`Sent to ${body.to} via ${body.via}. `, body.inbox ? h('a', { href: body.inbox, id: 'open-inbox' }, 'Open the mailbox') : '');
    } else {
      status.className = 'send-status bad';
      status.replaceChildren(...(body.errors ?? [body.title ?? 'The test was not sent']).map((line) => h('span', { class: 'line' }, line)));
    }
  });
}

function syncControls() {
  $('reader').value = state.reader;
  $('dark').checked = state.dark;
  document.body.classList.toggle('dark-preview', state.dark);
  applyWidth();
  showTab(state.tab);
}

async function main() {
  readUrl();
  wire();
  syncControls();
  await loadSidebar();
  writeUrl(false);
  renderSidebar();
  await loadView();
  connect();
  document.body.classList.add('ready');
}

main();
