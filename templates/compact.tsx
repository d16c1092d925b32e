// Inner modules, not src/render/index.ts: that index loads the registry, which loads this file, and an
// ESM cycle entered here would read this file's export before it exists.
import { renderMjml } from '../src/render/mjml-engine.ts';
import { readerFieldValues } from '../src/render/reader-fields.ts';
import type { ArticleView, EditionProps, EditionTemplate } from '../src/render/types.ts';
import { briefingText } from './briefing-text.ts';

/**
 * `compact`: the edition on the MJML engine (issue 3). The masthead and the lead as in the briefing, then
 * the short items two to a row (a pair of 50% mj-columns, which MJML stacks below its 480 px breakpoint,
 * so a phone shows one per row), the sign-up box and the footer. Same view model, same plain-text part
 * and same per-reader fields as the briefing; only the markup differs.
 *
 * Per-reader values (greeting, email, unsubscribe URL) are each one whole text node or attribute, never at
 * the edge of an mj-text (MJML trims those), so render-once substitution stays byte-identical.
 */

const serif = 'Georgia, Times, serif';
const sans = 'Helvetica, Arial, sans-serif';
const ink = '#1b1b1b';
const muted = '#5c5850';
const accent = '#a8321e';
const linkColor = '#0b4f8a';
const paper = '#ffffff';
const page = '#eeebe4';
const tint = '#f6f3ec';
const rule = '#ddd8cc';

// Widths: a 600 px body, 24 px side padding on full-width content.
const CONTENT_WIDTH = 552;

// Dark mode for clients that honour prefers-color-scheme: MJML puts css-class on the outer element, and
// MJML writes colours inline on inner ones, hence the descendant selectors and !important.
const css = `:root{color-scheme:light dark;supported-color-schemes:light dark}
@media (prefers-color-scheme:dark){
.bg,.bg>table,.bg>table>tbody>tr>td{background:#121212!important}
.cd,.cd>table,.cd>table>tbody>tr>td{background:#1e1e1e!important}
.bx,.bx>table,.bx>table>tbody>tr>td{background:#2a2926!important}
.t div,.t a{color:#ece8e1!important}.m div{color:#b5afa5!important}.k div{color:#f08a70!important}.l a,.t .l{color:#8fc1ff!important}
.dv p{border-top-color:#8a857c!important}.m .bio{background:#2a2926!important;color:#b5afa5!important}
}`;

function Kicker({ children, padding = '0 0 6px' }: { children: string; padding?: string }) {
  return (
    <mj-text css-class="k" font-family={sans} font-size="12px" line-height="16px" letter-spacing="1px" text-transform="uppercase" font-weight="700" color={accent} padding={padding}>
      {children}
    </mj-text>
  );
}

function ItemColumn({ item, width }: { item: ArticleView; width: string }) {
  return (
    // The rule sits on each column, so a phone that stacks them still separates every item.
    <mj-column width={width} padding="16px 8px 8px" vertical-align="top" border-top={`1px solid ${rule}`}>
      <Kicker>{item.kicker}</Kicker>
      <mj-text css-class="t" font-size="18px" line-height="24px" font-weight="700" padding="0 0 6px">
        <a href={item.url} style={{ color: ink, textDecoration: 'none' }}>{item.headline}</a>
      </mj-text>
      <mj-text css-class="t" font-size="15px" line-height="22px" padding="0">
        {item.dek}
      </mj-text>
    </mj-column>
  );
}

/** Items two to a row; an odd last item takes the whole row. */
function ItemRows({ items }: { items: ArticleView[] }) {
  const rows: ArticleView[][] = [];
  for (let i = 0; i < items.length; i += 2) rows.push(items.slice(i, i + 2));
  return (
    <>
      {rows.map((row) => (
        <mj-section key={row[0]!.id} css-class="cd" background-color={paper} padding="0 16px">
          {row.map((item) => (
            <ItemColumn key={item.id} item={item} width={row.length === 2 ? '50%' : '100%'} />
          ))}
        </mj-section>
      ))}
    </>
  );
}

export function Compact({ view, reader }: EditionProps) {
  const fields = readerFieldValues(reader);
  const { lead } = view;
  const imageWidth = lead.image ? Math.min(lead.image.width, CONTENT_WIDTH) : 0;
  const imageHeight = lead.image ? Math.round((lead.image.height * imageWidth) / lead.image.width) : 0;
  const a = { color: linkColor };
  return (
    <mjml lang={view.lang} dir="ltr">
      <mj-head>
        <mj-title>{view.subject}</mj-title>
        <mj-preview>{view.preheader}</mj-preview>
        <mj-attributes>
          <mj-all font-family={serif} />
          <mj-text color={ink} font-size="17px" line-height="26px" padding="0 24px" />
        </mj-attributes>
        {/* Raw: React would escape the `>` of child selectors. The CSS is a constant, no content goes in. */}
        <mj-style dangerouslySetInnerHTML={{ __html: css }} />
      </mj-head>
      <mj-body width="600px" background-color={page} css-class="bg">
        <mj-section css-class="cd" background-color={paper} padding="24px 0 0">
          <mj-column>
            <mj-text css-class="t" align="center" font-size="30px" line-height="36px" font-weight="700" padding="0 24px 4px">
              {view.newsletter.name}
            </mj-text>
            <mj-text css-class="m" align="center" font-family={sans} font-size="14px" line-height="20px" color={muted} padding="0 24px 16px">
              {view.longDate}
            </mj-text>
            <mj-divider css-class="dv" border-color={ink} border-style="double" border-width="3px" padding="0 24px" />
            <mj-text css-class="t" font-size="20px" line-height="28px" padding="20px 24px 8px">
              <span>{fields.greeting}</span>
            </mj-text>
            {view.intro ? <mj-text css-class="t" padding="0 24px 8px">{view.intro}</mj-text> : null}
          </mj-column>
        </mj-section>

        <mj-section css-class="cd" background-color={paper} padding="8px 0 16px">
          <mj-column>
            <Kicker padding="16px 24px 8px">{lead.kicker}</Kicker>
            <mj-text css-class="t" font-size="27px" line-height="34px" font-weight="700" padding="0 24px 8px">
              <a href={lead.url} style={{ color: ink, textDecoration: 'none' }}>{lead.headline}</a>
            </mj-text>
            {lead.byline ? (
              <mj-text css-class="m" font-family={sans} font-size="14px" line-height="20px" color={muted} padding="0 24px 16px">
                {lead.byline}
              </mj-text>
            ) : null}
            {lead.image ? (
              // A plain <img> in mj-text rather than mj-image: mj-image writes a fixed pixel height that
              // distorts the picture once a phone narrows it; here width/height attributes give Outlook
              // its size and CSS (height:auto) keeps the ratio.
              <mj-text css-class="t" padding="0 24px 16px">
                <img
                  src={lead.image.url}
                  alt={lead.image.alt}
                  width={imageWidth}
                  height={imageHeight}
                  style={{ display: 'block', width: '100%', maxWidth: `${imageWidth}px`, height: 'auto', border: 0 }}
                />
              </mj-text>
            ) : null}
            {lead.paragraphs.map((p, i) => (
              <mj-text key={i} css-class="t" padding="0 24px 16px">
                {p}
              </mj-text>
            ))}
            <mj-text css-class="l" font-family={sans} font-size="16px" line-height="24px" font-weight="700" padding="0 24px 16px">
              <a href={lead.url} style={a}>Continue reading →</a>
            </mj-text>
            {lead.author?.bio ? (
              <mj-text css-class="m" font-size="14px" line-height="21px" font-style="italic" color={muted} padding="0 24px 8px">
                <div className="bio" style={{ backgroundColor: tint, padding: '12px 16px' }}>{lead.author.bio}</div>
              </mj-text>
            ) : null}
          </mj-column>
        </mj-section>

        <ItemRows items={view.items} />

        <mj-section css-class="cd" background-color={paper} padding="16px 24px 24px">
          <mj-column css-class="bx" background-color={tint} padding="16px 20px">
            <mj-text css-class="t" align="center" font-size="16px" line-height="24px" padding="0">
              <strong>Forwarded this?</strong> <a href={view.links.signUpUrl} style={a}>{view.signUp.linkText}</a>. {view.signUp.pitch}
            </mj-text>
          </mj-column>
        </mj-section>

        <mj-section css-class="bg" background-color={page} padding="20px 0">
          <mj-column>
            <mj-text css-class="m" font-family={sans} font-size="13px" line-height="20px" color={muted} padding="0 24px 10px">
              {view.reason}
            </mj-text>
            <mj-text css-class="m" font-family={sans} font-size="13px" line-height="20px" color={muted} padding="0 24px 10px">
              <span>{`This email was sent to ${fields.email}.`}</span>
            </mj-text>
            <mj-text css-class="m l" font-family={sans} font-size="13px" line-height="20px" color={muted} padding="0 24px 10px">
              <a href={fields.unsubscribeUrl} style={a}>Unsubscribe</a>
              {' · '}
              <a href={view.links.viewInBrowserUrl} style={a}>View in your browser</a>
            </mj-text>
            <mj-text css-class="m" font-family={sans} font-size="13px" line-height="20px" color={muted} padding="0 24px">
              {view.publisher.postalAddress}
            </mj-text>
          </mj-column>
        </mj-section>
      </mj-body>
    </mjml>
  );
}

/** Registry entry. No imported function is called at module load (see src/render/registry.ts). */
export const compact: EditionTemplate = {
  name: 'compact',
  engine: 'mjml',
  kind: 'edition',
  description: 'Compact: masthead and lead, then short items two to a row, stacked on phones (MJML)',
  async render(props) {
    return {
      subject: props.view.subject,
      html: await renderMjml(<Compact {...props} />, { template: 'compact' }),
      text: briefingText(props),
      preheader: props.view.preheader,
    };
  },
};
