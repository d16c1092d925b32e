import { describe, expect, it } from 'vitest';
import { DaybreakError } from '../../src/errors.ts';
import { collapseLayoutWhitespace, renderMjml, toMjmlMarkup } from '../../src/render/mjml-engine.ts';
import { lintEmail } from '../../src/render/lint-email.ts';
import { BrokenMjml, renderBrokenMjml } from './fixtures/broken-mjml.tsx';

async function caught(promise: Promise<unknown>): Promise<DaybreakError> {
  try {
    await promise;
  } catch (error) {
    return error as DaybreakError;
  }
  throw new Error('expected the render to fail');
}

describe('the MJML engine', () => {
  it('compiles typed mj-* TSX to email HTML that passes the lint', async () => {
    const html = await renderMjml(
      <mjml lang="en">
        <mj-head>
          <mj-preview>Preview text</mj-preview>
          <mj-attributes>
            <mj-all font-family="Georgia, serif" />
          </mj-attributes>
        </mj-head>
        <mj-body>
          <mj-section>
            <mj-column>
              <mj-text>
                Hello <a href="https://news.example.com/">news</a> &amp; more
              </mj-text>
            </mj-column>
          </mj-section>
        </mj-body>
      </mjml>,
      { template: 'inline-test' },
    );
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Hello <a href="https://news.example.com/">news</a> &amp; more');
    expect(lintEmail(html)).toEqual([]);
  });

  it('fails a broken template with ETEMPLATE naming the template, the MJML line and MJML\'s message', async () => {
    const error = await caught(renderBrokenMjml());
    expect(error).toBeInstanceOf(DaybreakError);
    expect(error.code).toBe('ETEMPLATE');
    const markup = toMjmlMarkup(<BrokenMjml />).split('\n');
    const lostColumnLine = markup.findIndex((l, i) => l === '<mj-column>' && markup[i + 1]?.includes('Lost column')) + 1;
    expect(lostColumnLine).toBeGreaterThan(1);
    expect(error.message).toBe(
      `Template "broken-fixture" does not compile: MJML line ${lostColumnLine} (mj-column): mj-column cannot be used inside mj-body, only inside: mj-attributes, mj-group, mj-section (and 1 more)`,
    );
    expect(error.details).toEqual([
      `template "broken-fixture", MJML line ${lostColumnLine} (mj-column): mj-column cannot be used inside mj-body, only inside: mj-attributes, mj-group, mj-section — <mj-column>`,
      `template "broken-fixture", MJML line ${lostColumnLine + 1} (mj-text): Attribute colour-of-sky is illegal — <mj-text colour-of-sky="blue">Lost column.</mj-text>`,
    ]);
  });

  it('fails on an unknown mj-* element too', async () => {
    const Unknown = 'mj-sparkle' as unknown as 'mj-text';
    const error = await caught(
      renderMjml(
        <mjml>
          <mj-body>
            <mj-section>
              <mj-column>
                <Unknown>x</Unknown>
              </mj-column>
            </mj-section>
          </mj-body>
        </mjml>,
        { template: 'sparkle' },
      ),
    );
    expect(error.code).toBe('ETEMPLATE');
    expect(error.message).toMatch(/^Template "sparkle" does not compile: MJML line 5 \(mj-sparkle\): .*mj-sparkle/);
  });

  it('writes one mj-* element per line so MJML line numbers point at an element', () => {
    const markup = toMjmlMarkup(
      <mjml>
        <mj-body>
          <mj-section>
            <mj-column>
              <mj-text>
                <b>a</b> <i>b</i>
              </mj-text>
            </mj-column>
          </mj-section>
        </mj-body>
      </mjml>,
    );
    expect(markup.split('\n')).toEqual([
      '<mjml>',
      '<mj-body>',
      '<mj-section>',
      '<mj-column>',
      '<mj-text><b>a</b> <i>b</i></mj-text>',
      '</mj-column>',
      '</mj-section>',
      '</mj-body>',
      '</mjml>',
    ]);
  });
});

describe('collapseLayoutWhitespace', () => {
  it('removes indentation between tags and inside tags', () => {
    expect(collapseLayoutWhitespace('<table>\n    <tr\n      class="a"\n      style="b"\n    >\n  <td>x</td>')).toBe(
      '<table><tr class="a" style="b"><td>x</td>',
    );
  });

  it('keeps spaces between inline elements and newlines inside text', () => {
    const html = '<p><b>a</b> <i>b</i> c\n  d</p>';
    expect(collapseLayoutWhitespace(html)).toBe(html);
  });
});
