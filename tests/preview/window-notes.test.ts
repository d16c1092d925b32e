import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { articleJson } from '../content/fixtures.ts';
import { previewHarness, type PreviewHarness } from './setup.ts';

let h: PreviewHarness;
beforeEach(() => {
  h = previewHarness();
  // The sample morning letter goes out at 06:00 New York; these two just missed Dec 1's and Dec 3's windows.
  writeFileSync(join(h.dataDir, 'articles', 'late.json'), JSON.stringify([
    articleJson({ id: 'late-filing', publishedAt: '2026-12-01T06:40:00-05:00', url: 'https://news.example.com/late-filing' }),
    articleJson({ id: 'wednesday-lunch', publishedAt: '2026-12-03T12:30:00-05:00', url: 'https://news.example.com/wednesday-lunch' }),
  ]));
});
afterEach(async () => {
  await h.close();
});

async function view(date: string): Promise<{ status: number; body: any }> {
  const response = await h.app.request(`/preview/api/view?newsletter=morning&date=${date}&template=briefing`);
  return { status: response.status, body: await response.json() };
}

describe('the preview near a window edge', () => {
  it("lists in the checks which edition an article published just after the window is in", async () => {
    const { status, body } = await view('2026-12-01');
    expect(status).toBe(200);
    expect(body.checks.windowNotes).toContain(
      'article late-filing (06:40 Dec 1) belongs to the Dec 2 edition; the Dec 1 window closed at 06:00 (America/New_York)',
    );
  });

  it('on a day with no articles, names the ones dated that day that the next edition has', async () => {
    const { status, body } = await view('2026-12-03');
    expect(status).toBe(404);
    expect(body.kind).toBe('no-articles');
    expect(body.windowNotes).toEqual([
      'article wednesday-lunch (12:30 Dec 3) belongs to the Dec 4 edition; the Dec 3 window closed at 06:00 (America/New_York)',
    ]);
  });
});
