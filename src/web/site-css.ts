import type { Brand } from '../content/index.ts';

/**
 * The pages' one stylesheet, served from /assets/daybreak.css (same origin, so the CSP can stay
 * `style-src 'self'`), in the publisher's brand: its accent, link colour and fonts in light and dark, so
 * the sign-up, confirm, unsubscribe and archive pages match the emails. No third-party assets; mobile
 * first, dark mode by media query. Built from validated colours and font lists only.
 *
 * @example
 * app.get('/assets/daybreak.css', (c) => c.body(siteCss(resolveBrand(config))));
 */
export function siteCss(brand: Brand): string {
  const l = brand.light;
  const d = brand.dark;
  return `
:root { color-scheme: light dark; --bg: ${l.site}; --card: ${l.paper}; --ink: ${l.ink}; --muted: ${l.muted}; --line: #dcd6cc;
  --accent: ${l.accent}; --accent-ink: ${l.onAccent}; --link: ${l.link}; --focus: #1f5fbf; --error-bg: #fdecea; --error-ink: #8a1c10;
  --body-font: ${brand.fontFamily}; --heading-font: ${brand.headingFontFamily}; }
.logo-dark { display: none; }
@media (prefers-color-scheme: dark) {
  :root { --bg: ${d.site}; --card: ${d.paper}; --ink: ${d.ink}; --muted: ${d.muted}; --line: #3a3732; --accent: ${d.accent};
    --accent-ink: ${d.onAccent}; --link: ${d.link}; --focus: #8ab4ff; --error-bg: #3b1d18; --error-ink: #ffb4a6; }
  .logo-light { display: none; }
  .logo-dark { display: block; }
}
.logo { max-width: 100%; height: auto; }
.logo-panel { display: inline-block; background: ${l.paper}; padding: .35rem .5rem; border-radius: 6px; }
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 17px/1.55 var(--body-font); }
.skip { position: absolute; left: -10000px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--card); padding: .5rem 1rem; z-index: 1; }
.masthead { border-bottom: 1px solid var(--line); background: var(--card); }
.masthead .inner, main, .site-footer { max-width: 40rem; margin: 0 auto; padding: 0 1.25rem; }
.masthead .inner { padding-top: .9rem; padding-bottom: .9rem; }
.brand { margin: 0; font: 700 1.35rem/1.2 var(--heading-font); letter-spacing: .01em; }
.brand a { color: inherit; text-decoration: none; }
main { padding-top: 2rem; padding-bottom: 2.5rem; }
h1 { font: 700 clamp(1.6rem, 5vw, 2.2rem)/1.15 var(--heading-font); margin: 0 0 .6rem; }
.lede { margin: 0 0 1.5rem; color: var(--muted); font-size: 1.05rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1rem; }
@media (min-width: 40rem) { .card { padding: 1.5rem; } }
.card > :first-child { margin-top: 0; }
.card > :last-child { margin-bottom: 0; }
h1 + .card { margin-top: 1rem; }
fieldset { border: 0; margin: 0 0 1.25rem; padding: 0; min-width: 0; }
legend { font-weight: 700; margin-bottom: .5rem; padding: 0; }
.choice { display: flex; gap: .75rem; align-items: flex-start; padding: .85rem .9rem; border: 1px solid var(--line); border-radius: 8px; margin-bottom: .6rem; cursor: pointer; background: var(--bg); }
.choice:hover { border-color: var(--muted); }
.choice input { width: 1.25rem; height: 1.25rem; margin: .15rem 0 0; flex: none; accent-color: var(--accent); }
.choice-text { display: block; }
.choice-name { display: block; font-weight: 700; }
.choice-cadence { display: block; font-size: .9rem; color: var(--accent); font-weight: 600; }
.choice-desc { display: block; font-size: .95rem; color: var(--muted); }
.field { margin-bottom: 1rem; }
.field label { display: block; font-weight: 700; margin-bottom: .3rem; }
.optional { font-weight: 400; color: var(--muted); }
input[type=email], input[type=text] { width: 100%; font: inherit; color: var(--ink); background: var(--bg); padding: .7rem .8rem; border: 1px solid var(--muted); border-radius: 8px; min-height: 2.9rem; }
input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
button { font: inherit; font-weight: 700; color: var(--accent-ink); background: var(--accent); border: 0; border-radius: 8px; padding: .8rem 1.4rem; min-height: 3rem; cursor: pointer; width: 100%; }
button:hover { filter: brightness(1.08); }
button.secondary { background: transparent; color: var(--ink); border: 1px solid var(--muted); font-weight: 600; }
@media (min-width: 40rem) { button { width: auto; } }
.fine { font-size: .9rem; color: var(--muted); margin: 1rem 0 0; }
.hp { position: absolute; left: -10000px; top: auto; width: 1px; height: 1px; overflow: hidden; }
.alert { background: var(--error-bg); color: var(--error-ink); border-radius: 8px; padding: .8rem 1rem; margin: 0 0 1.25rem; font-weight: 600; }
.stack > * + * { margin-top: .75rem; }
.actions { display: flex; flex-direction: column; gap: .75rem; margin-top: 1.25rem; }
@media (min-width: 40rem) { .actions { flex-direction: row; align-items: center; } }
.actions form { margin: 0; }
a { color: var(--link); }
.site-footer { padding-bottom: 2rem; font-size: .85rem; color: var(--muted); }
.sections { margin: -.2rem 0 .9rem 2.9rem; }
.sections legend { font-weight: 600; font-size: .95rem; }
.section-choice { display: inline-flex; gap: .4rem; align-items: center; margin: 0 1rem .4rem 0; cursor: pointer; }
.section-choice input { width: 1.1rem; height: 1.1rem; accent-color: var(--accent); }
select { width: 100%; font: inherit; color: var(--ink); background: var(--bg); padding: .6rem .7rem; border: 1px solid var(--muted); border-radius: 8px; min-height: 2.9rem; }
.notice { background: var(--card); border-left: 4px solid var(--accent); border-radius: 8px; padding: .8rem 1rem; margin: 0 0 1.25rem; font-weight: 600; }
`;
}
