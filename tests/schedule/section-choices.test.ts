import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { ArticleSchema, assembleEdition, ConfigSchema, isSkipped, type Config, type Content, type Edition } from '../../src/content/index.ts';
import { createMailer } from '../../src/delivery/index.ts';
import { renderEdition } from '../../src/designs/index.ts';
import { createDeliverySender } from '../../src/schedule/delivery-sender.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { tempDb, tempDir } from './fixtures.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const config: Config = ConfigSchema.parse({
  newsletters: [{
    id: 'morning', name: 'The Morning Briefing', schedule: { cron: '0 6 * * *', timezone: 'America/New_York' },
    readerChoices: { sections: ['Politics', 'Business', 'Science'] },
  }],
  delivery: { maxConnections: 2, retries: 0 },
});

/** A lead, one short item in each offered section, and one in a section readers cannot opt out of. */
function content(): Content {
  const make = (id: string, section: string | undefined, hour: number, priority = 0) => ({
    ...ArticleSchema.parse({
      id, kicker: 'News', headline: `Headline ${id}`, dek: `Dek ${id}.`, url: `https://news.example.com/${id}`,
      publishedAt: `2026-11-30T0${hour}:00:00Z`, priority, ...(section ? { section } : {}),
    }),
    file: `${id}.json`,
  });
  const articles = [make('lead', 'Politics', 1, 10), make('pol', 'Politics', 2), make('biz', 'Business', 3), make('sci', 'Science', 4), make('weather', 'Weather', 5)];
  return { articles, byId: new Map(articles.map((a) => [a.id, a])), editions: new Map() };
}

describe('section choices at send time', () => {
  it('renders the edition once per distinct choice in use, not once per reader, and filters each reader\'s short items', async () => {
    const sink = await startSmtpSink();
    const t = tempDb();
    const { dir: varDir, cleanup } = tempDir();
    const store = await t.store();
    const mailer = createMailer({ config, env: { SMTP_URL: sink.url }, varDir });
    cleanups.push(async () => {
      await mailer.close();
      await sink.close();
      await t.cleanup();
      cleanup();
    });
    const choices: Record<string, string[] | null> = {
      'all1@example.com': null,
      'all2@example.com': ['Politics', 'Business', 'Science'], // every section ticked: the same as no choice
      'sci1@example.com': ['Science'],
      'sci2@example.com': ['Science'],
      'sci3@example.com': ['Science', 'Gone'], // a section the newsletter no longer offers
      'polbiz@example.com': ['Business', 'Politics'],
      'none@example.com': [],
    };
    for (const [email, sections] of Object.entries(choices)) {
      const { id } = await store.subscribers.add({ email, name: null, newsletters: ['morning'], confirmed: true, source: 'test' }, new Date());
      if (sections !== null) await store.subscribers.updatePreferences(id, { subscribe: [], unsubscribe: [], sections: { morning: sections } }, new Date());
    }
    const rendered: Edition[] = [];
    const sender = createDeliverySender({
      sends: store.sends, config, transport: mailer, secret: 'a-test-secret-of-enough-length',
      unsubscribeUrlFor: (id, nl) => `http://localhost:3000/unsubscribe?token=${nl}-${id}`,
      manageUrlFor: (id) => `http://localhost:3000/manage?token=m-${id}`,
      render: (edition, cfg) => {
        rendered.push(edition);
        return renderEdition(edition, cfg);
      },
    });
    const edition = assembleEdition({ config, content: content(), newsletterId: 'morning', date: '2026-11-30' });
    if (isSkipped(edition)) throw new Error('expected an edition');
    const report = await sender.send({ newsletterId: 'morning', date: '2026-11-30', edition, signal: new AbortController().signal, retry: false });
    expect(report.sent).toBe(7);

    // Four distinct choices in use: everything (three readers), Science (three), Politics+Business, none.
    expect(rendered).toHaveLength(4);
    expect(rendered.map((e) => e.items.map((a) => a.id).sort())).toEqual([
      ['biz', 'pol', 'sci', 'weather'],
      ['sci', 'weather'],
      ['biz', 'pol', 'weather'],
      ['weather'],
    ]);

    const texts = new Map<string, string>();
    for (const m of sink.messages) texts.set(m.to[0]!, (await simpleParser(m.raw)).text ?? '');
    const has = (email: string, id: string) => texts.get(email)!.includes(`Headline ${id}`);
    for (const email of Object.keys(choices)) expect(has(email, 'lead'), email).toBe(true);
    expect(['pol', 'biz', 'sci', 'weather'].map((id) => has('all2@example.com', id))).toEqual([true, true, true, true]);
    expect(['pol', 'biz', 'sci', 'weather'].map((id) => has('sci3@example.com', id))).toEqual([false, false, true, true]);
    expect(['pol', 'biz', 'sci', 'weather'].map((id) => has('polbiz@example.com', id))).toEqual([true, true, false, true]);
    expect(['pol', 'biz', 'sci', 'weather'].map((id) => has('none@example.com', id))).toEqual([false, false, false, true]);
    // Each copy is still the reader's own: their manage link.
    const sci1 = (await store.subscribers.findByEmail('sci1@example.com'))!;
    expect(texts.get('sci1@example.com')).toContain(`Manage your subscriptions: http://localhost:3000/manage?token=m-${sci1.id}`);
  });

  it('sends the lead alone when a choice leaves no short item', async () => {
    const sink = await startSmtpSink();
    const t = tempDb();
    const { dir: varDir, cleanup } = tempDir();
    const store = await t.store();
    const mailer = createMailer({ config, env: { SMTP_URL: sink.url }, varDir });
    cleanups.push(async () => {
      await mailer.close();
      await sink.close();
      await t.cleanup();
      cleanup();
    });
    const { id } = await store.subscribers.add({ email: 'none@example.com', name: null, newsletters: ['morning'], confirmed: true, source: 'test' }, new Date());
    await store.subscribers.updatePreferences(id, { subscribe: [], unsubscribe: [], sections: { morning: [] } }, new Date());
    const onlyChosenSections = content();
    onlyChosenSections.articles = onlyChosenSections.articles.filter((a) => a.id !== 'weather');
    const edition = assembleEdition({ config, content: onlyChosenSections, newsletterId: 'morning', date: '2026-11-30' });
    if (isSkipped(edition)) throw new Error('expected an edition');
    const sender = createDeliverySender({
      sends: store.sends, config, transport: mailer, secret: 'a-test-secret-of-enough-length',
      unsubscribeUrlFor: (sid, nl) => `http://localhost:3000/unsubscribe?token=${nl}-${sid}`,
    });
    const report = await sender.send({ newsletterId: 'morning', date: '2026-11-30', edition, signal: new AbortController().signal, retry: false });
    expect(report.sent).toBe(1);
    const text = (await simpleParser(sink.messages[0]!.raw)).text!;
    expect(text).toContain('Headline lead');
    for (const id of ['pol', 'biz', 'sci']) expect(text).not.toContain(`Headline ${id}`);
  });
});
