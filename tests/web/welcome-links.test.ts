/**
 * The welcome email's unsubscribe links: each one, followed, must unsubscribe from the newsletter its
 * label names and from no other, in the HTML part and the text part alike, whatever the order the
 * newsletters were ticked in.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { form, harness, linkTo, parse, testConfig, type Harness } from './setup.ts';

const THIRD = { id: 'evening', name: 'The Evening Edition', description: 'The day, wrapped up.', schedule: { cron: '0 18 * * *', timezone: 'America/New_York' } };

let h: Harness | undefined;
afterEach(() => h?.close());

/** Signs up ticking `ticked` (in that order), confirms from the emailed link, returns the welcome mail. */
async function welcomeFor(h: Harness, email: string, ticked: string[]) {
  expect((await h.app.request('/subscribe', form({ email, newsletters: ticked }))).status).toBe(200);
  await h.settle();
  const confirmation = await parse(h.sink.messagesTo(email).at(-1)!);
  const token = new URL(linkTo(confirmation.text!, '/confirm')).searchParams.get('token')!;
  expect((await h.app.request('/confirm', form({ token }))).status).toBe(200);
  await h.settle();
  const welcome = await parse(h.sink.messagesTo(email).at(-1)!);
  expect(welcome.subject).toMatch(/Welcome/);
  return welcome;
}

/** "Unsubscribe from NAME" → its URL, from the text part. */
function textLinks(text: string): Map<string, string> {
  return new Map([...text.matchAll(/Unsubscribe from (.+?): (https?:\/\/\S+)/g)].map((m) => [m[1]!, m[2]!]));
}

/** "Unsubscribe from NAME" → its href, from the HTML part. */
function htmlLinks(html: string): Map<string, string> {
  return new Map(
    [...html.matchAll(/<a\b[^>]*href="([^"]+)"[^>]*>\s*(?:<!-- -->)?\s*Unsubscribe from (?:<!-- -->)?([^<]+?)\s*<\/a>/g)].map((m) => [m[2]!.trim(), m[1]!.replace(/&amp;/g, '&')]),
  );
}

const statusOf = async (h: Harness, email: string) =>
  Object.fromEntries((await h.app.audience.store.findByEmail(email))!.subscriptions.map((s) => [s.newsletter, s.status]));

async function followEach(h: Harness, ticked: string[]) {
  const names = new Map(h.config.newsletters.map((n) => [n.name, n.id]));
  for (const part of ['text', 'html'] as const) {
    const email = `reader-${part}-${ticked.join('-')}@example.com`;
    const welcome = await welcomeFor(h, email, ticked);
    const links = part === 'text' ? textLinks(welcome.text!) : htmlLinks(welcome.html as string);
    expect([...links.keys()].sort(), `${part} part`).toEqual(ticked.map((id) => h.config.newsletters.find((n) => n.id === id)!.name).sort());
    const left: string[] = [];
    for (const [name, url] of links) {
      const id = names.get(name)!;
      const path = new URL(url).pathname + new URL(url).search;
      // The page the link opens names the same newsletter as the label that was clicked.
      const page = await (await h.app.request(path)).text();
      expect(page, `${part}: the page behind "Unsubscribe from ${name}"`).toContain(`${name}`);
      for (const other of h.config.newsletters.filter((n) => n.name !== name)) expect(page).not.toContain(other.name);
      expect((await h.app.request(path, form({ 'List-Unsubscribe': 'One-Click' }))).status).toBe(200);
      left.push(id);
      const statuses = await statusOf(h, email);
      for (const t of ticked) expect(statuses[t], `${part}: after "Unsubscribe from ${name}", ${t}`).toBe(left.includes(t) ? 'unsubscribed' : 'confirmed');
    }
  }
}

describe('the welcome email', () => {
  it('pairs each "Unsubscribe from" label with its own newsletter for two newsletters, ticked in either order', async () => {
    h = await harness();
    await followEach(h, ['morning', 'good-news']);
    await followEach(h, ['good-news', 'morning']);
  });

  it('pairs each "Unsubscribe from" label with its own newsletter for three newsletters', async () => {
    const base = testConfig();
    h = await harness({ configOverrides: { newsletters: [...base.newsletters, THIRD] } });
    await followEach(h, ['evening', 'morning', 'good-news']);
    await followEach(h, ['good-news', 'evening', 'morning']);
  });
});
