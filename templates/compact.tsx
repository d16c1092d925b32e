// Inner modules, not src/render/index.ts: that index loads the registry, which loads this file, and an
// ESM cycle entered here would read this file's export before it exists.
import { renderMjml } from '../src/render/mjml-engine.ts';
import { readerFieldValues } from '../src/render/reader-fields.ts';
import { Fragment, type CSSProperties, type ReactNode } from 'react';
import type { ArticleView, EditionProps, EditionTemplate, SponsorView } from '../src/render/types.ts';
import type { Brand } from '../src/content/resolve-brand.ts';
import { briefingText } from './briefing-text.ts';
import { PREHEADER_PADDING } from '../src/render/preheader.ts';

/**
 * `compact`: the edition on the MJML engine. The masthead and the lead as in the briefing, then
 * the short items under their section headings, two to a row (a pair of 50% mj-columns, which MJML stacks below its 480 px breakpoint,
 * so a phone shows one per row), the sign-up box and the footer. Same view model, same plain-text part
 * and same per-reader fields as the briefing; only the markup differs.
 *
 * Per-reader values (greeting, email, unsubscribe URL) are each one whole text node or attribute, never at
 * the edge of an mj-text (MJML trims those), so render-once substitution stays byte-identical.
 */

const sans = 'Helvetica, Arial, sans-serif';

// Widths: a 600 px body, 24 px side padding on full-width content.
const CONTENT_WIDTH = 552;

// Dark mode for clients that honour prefers-color-scheme: MJML puts css-class on the outer element, and
// MJML writes colours inline on inner ones, hence the descendant selectors and !important. Built from
// the brand's validated hex colours only.
function css(brand: Brand): string {
  const d = brand.dark;
  const logo = brand.logoDark
    ? '.lgl{display:none!important}.lgd{display:block!important}'
    : `.lgp,.lgp>table,.lgp>table>tbody>tr>td{background:${brand.light.paper}!important}.lgp .t div{color:${brand.light.ink}!important}`;
  // iOS Mail turns dates, times and addresses into blue links of its own; they keep the text's look.
  return `:root{color-scheme:light dark;supported-color-schemes:light dark}
a[x-apple-data-detectors]{color:inherit!important;text-decoration:none!important;font-size:inherit!important;font-family:inherit!important;font-weight:inherit!important;line-height:inherit!important}
@media (prefers-color-scheme:dark){
.bg,.bg>table,.bg>table>tbody>tr>td{background:${d.page}!important}
.cd,.cd>table,.cd>table>tbody>tr>td{background:${d.paper}!important}
.bx,.bx>table,.bx>table>tbody>tr>td{background:${d.tint}!important}
.t div,.t a{color:${d.ink}!important}.m div{color:${d.muted}!important}.k div,.t .k{color:${d.accent}!important}.l a,.t .l{color:${d.link}!important}.t .mu{color:${d.muted}!important}
.dv p{border-top-color:#8a857c!important}.sc{border-top-color:${d.accent}!important}.s{border-color:${d.rule}!important}.m .bio{background:${d.tint}!important;color:${d.muted}!important}
${logo}}
@media (max-width:480px){.ic{max-width:100%!important}}`;
}

function Kicker({ children, padding = '0 0 6px', color }: { children: string; padding?: string; color: string }) {
  return (
    <mj-text css-class="k lb" font-family={sans} font-size="12px" line-height="16px" letter-spacing="1px" text-transform="uppercase" font-weight="700" color={color} padding={padding}>
      {children}
    </mj-text>
  );
}

/** Half of the section's 568 px: two fit side by side, and a phone stacks them (see `css`). */
const HALF = 284;

function Item({ item, brand, alone }: { item: ArticleView; brand: Brand; alone: boolean }) {
  const c = brand.light;
  return (
    // The rule sits on each item, so a phone that stacks a pair still separates every item.
    <div className={alone ? undefined : 'ic'} style={alone ? { padding: '0 8px' } : { display: 'inline-block', width: '100%', maxWidth: `${HALF}px`, verticalAlign: 'top', padding: '0 8px', boxSizing: 'border-box' }}>
      <div className="s" style={{ borderTop: `1px solid ${c.rule}`, padding: '16px 0 8px' }}>
        <div className="k lb" style={{ fontFamily: sans, fontSize: '12px', lineHeight: '16px', letterSpacing: '1px', textTransform: 'uppercase', fontWeight: 700, color: c.accent, paddingBottom: '6px' }}>{item.kicker}</div>
        <div style={{ ...(brand.headingFontFamily !== brand.fontFamily ? { fontFamily: brand.headingFontFamily } : {}), fontSize: '18px', lineHeight: '24px', fontWeight: 700, paddingBottom: '6px' }}>
          <span className="k" style={{ color: c.accent }}>{`${item.number}.`}</span> <a href={item.url} style={{ color: c.ink, textDecoration: 'none' }}>{item.headline}</a>
        </div>
        <div>{item.dek}</div>
        {item.why ? (
          <div style={{ paddingTop: '8px' }}>
            <strong>Why it matters:</strong> {item.why}
          </div>
        ) : null}
      </div>
    </div>
  );
}

/**
 * One section: its heading, then its items two to a row as "fluid hybrid" inline-blocks. Every section
 * goes into ONE mj-text (see `Compact`): a pair of mj-columns per row, or an mj-section per heading, would
 * cost 1.3 to 3 KB of MJML's table scaffolding each, which a 25-item edition cannot afford under the size
 * budget. Inline-blocks of at most half the width sit side by side on a wide screen, take the whole width
 * on a phone (the max-width:480px rule), and stack in Outlook's Word engine, which ignores inline-block.
 * An odd last item takes the whole row.
 */
function SectionBlock({ heading, items, brand }: { heading: string | null; items: ArticleView[]; brand: Brand }) {
  const odd = items.length % 2 === 1;
  return (
    <>
      {heading ? (
        <div className="sec sc lb" style={{ margin: '20px 8px 4px', borderTop: `3px solid ${brand.light.accent}`, paddingTop: '10px', fontFamily: sans, fontSize: '14px', lineHeight: '20px', letterSpacing: '1.5px', textTransform: 'uppercase', fontWeight: 700 }}>{heading}</div>
      ) : null}
      {items.map((item, i) => (
        <Item key={item.id} item={item} brand={brand} alone={odd && i === items.length - 1} />
      ))}
    </>
  );
}

/** The sponsor between items: a tinted, bordered box, labelled, in sans-serif and without a number. */
function InlineSponsor({ sponsor, brand }: { sponsor: SponsorView; brand: Brand }) {
  const c = brand.light;
  const w = sponsor.image ? Math.min(sponsor.image.width, CONTENT_WIDTH - 56) : 0;
  return (
    <div className="bx s sponsor" style={{ margin: '12px 8px', padding: '16px 20px', backgroundColor: c.tint, border: `1px solid ${c.rule}` }}>
      <div className="mu lb" style={{ fontFamily: sans, fontSize: '12px', lineHeight: '16px', letterSpacing: '1px', textTransform: 'uppercase', fontWeight: 700, color: c.muted, paddingBottom: '8px' }}>{sponsor.label}</div>
      {sponsor.image ? (
        <img src={sponsor.image.url} alt={sponsor.image.alt} width={w} height={Math.round((sponsor.image.height * w) / sponsor.image.width)} style={{ display: 'block', width: '100%', maxWidth: `${w}px`, height: 'auto', border: 0, marginBottom: '12px' }} />
      ) : null}
      <div style={{ fontFamily: sans, fontSize: '18px', lineHeight: '25px', fontWeight: 700, paddingBottom: '6px' }}>{sponsor.headline}</div>
      <div style={{ paddingBottom: '8px' }}>{sponsor.text}</div>
      <div style={{ fontFamily: sans, fontWeight: 700 }}>
        <a href={sponsor.url} rel="sponsored noopener" className="l" style={{ color: c.link }}>Learn more →</a>
      </div>
    </div>
  );
}

/** A tinted full-width box with a small label: the sponsor, "By the numbers", the quote. */
function Box({ label, labelColor, brand, children, className = '' }: { label: string; labelColor: string; brand: Brand; children: ReactNode; className?: string }) {
  return (
    <mj-section css-class="cd" background-color={brand.light.paper} padding="12px 24px">
      <mj-column css-class={`bx ${className}`.trim()} background-color={brand.light.tint} padding="16px 20px" border={`1px solid ${brand.light.rule}`}>
        <mj-text css-class={labelColor === brand.light.accent ? 'k lb' : 'm lb'} font-family={sans} font-size="12px" line-height="16px" letter-spacing="1px" text-transform="uppercase" font-weight="700" color={labelColor} padding="0 0 8px">
          {label}
        </mj-text>
        {children}
      </mj-column>
    </mj-section>
  );
}

function Sponsor({ sponsor, brand }: { sponsor: SponsorView; brand: Brand }) {
  const c = brand.light;
  const w = sponsor.image ? Math.min(sponsor.image.width, CONTENT_WIDTH - 42) : 0;
  return (
    <Box label={sponsor.label} labelColor={c.muted} brand={brand} className="sponsor">
      {sponsor.image ? (
        <mj-text css-class="t" padding="0 0 12px">
          <img src={sponsor.image.url} alt={sponsor.image.alt} width={w} height={Math.round((sponsor.image.height * w) / sponsor.image.width)} style={{ display: 'block', width: '100%', maxWidth: `${w}px`, height: 'auto', border: 0 }} />
        </mj-text>
      ) : null}
      <mj-text css-class="t" font-family={sans} font-size="18px" line-height="25px" font-weight="700" padding="0 0 6px">{sponsor.headline}</mj-text>
      <mj-text css-class="t" font-size="16px" line-height="24px" padding="0 0 8px">{sponsor.text}</mj-text>
      <mj-text css-class="l" font-family={sans} font-size="16px" line-height="24px" font-weight="700" padding="0">
        <a href={sponsor.url} rel="sponsored noopener" style={{ color: c.link }}>Learn more →</a>
      </mj-text>
    </Box>
  );
}

export function Compact({ view, reader }: EditionProps) {
  const fields = readerFieldValues(reader);
  const { lead, brand } = view;
  const c = brand.light;
  const imageWidth = lead.image ? Math.min(lead.image.width, CONTENT_WIDTH) : 0;
  const imageHeight = lead.image ? Math.round((lead.image.height * imageWidth) / lead.image.width) : 0;
  // Underlined: the link colour alone is too close to the text colour to mark a link (WCAG 1.4.1).
  const a = { color: c.link, textDecoration: 'underline' };
  const sponsorAt = view.sponsor?.afterNumber;
  // Items are cut into runs at the sponsor, so it sits after story 3 whatever the section boundaries.
  const runs = view.sections.flatMap((section) => {
    const before = section.items.filter((i) => sponsorAt === undefined || i.number <= sponsorAt);
    const after = section.items.filter((i) => sponsorAt !== undefined && i.number > sponsorAt);
    return [
      { heading: section.heading, items: before, sponsor: before.some((i) => i.number === sponsorAt) },
      { heading: before.length === 0 ? section.heading : null, items: after, sponsor: false },
    ].filter((r) => r.items.length > 0);
  });
  return (
    <mjml lang={view.lang} dir="ltr">
      <mj-head>
        <mj-title>{view.subject}</mj-title>
        <mj-attributes>
          <mj-all font-family={brand.fontFamily} />
          <mj-text color={c.ink} font-size="17px" line-height="26px" padding="0 24px" />
        </mj-attributes>
        {/* Raw: React would escape the `>` of child selectors. The CSS is built from validated colours only. */}
        <mj-style dangerouslySetInnerHTML={{ __html: css(brand) }} />
      </mj-head>
      <mj-body width="600px" background-color={c.page} css-class="bg">
        {/* The preheader, hidden without a text colour: mj-preview paints it white, and SpamAssassin scores
            white text on the white card as HTML_FONT_LOW_CONTRAST. The same shape as React Email's Preview. */}
        <mj-raw>
          <div style={{ display: 'none', overflow: 'hidden', lineHeight: '1px', opacity: 0, maxHeight: 0, maxWidth: 0 }}>
            {view.preheader}
            {PREHEADER_PADDING}
          </div>
        </mj-raw>
        <mj-section css-class="cd" background-color={c.paper} padding="0">
          <mj-column>
            <mj-text css-class="m l lb" align="center" font-family={sans} font-size="14px" line-height="20px" color={c.muted} padding="10px 24px">
              {view.longDate} · <a href={view.links.viewInBrowserUrl} style={{ ...a, whiteSpace: 'nowrap' }}>View in your browser</a>
            </mj-text>
            <mj-divider border-color={c.rule} border-width="1px" padding="0 24px" />
          </mj-column>
        </mj-section>
        <mj-section css-class={brand.logo && !brand.logoDark ? 'cd lgp' : 'cd'} background-color={c.paper} padding="16px 0 0">
          <mj-column>
            {brand.logo ? (
              <mj-text css-class="t" align="center" padding="4px 24px 0">
                <img src={brand.logo.url} alt={brand.logo.alt} width={brand.logo.width} height={brand.logo.height} className={brand.logoDark ? 'lgl' : undefined} style={{ display: 'block', margin: '0 auto', border: 0, height: 'auto', maxWidth: '100%' }} />
                {brand.logoDark ? (
                  <img src={brand.logoDark.url} alt={brand.logoDark.alt} width={brand.logoDark.width} height={brand.logoDark.height} className="lgd" style={{ display: 'none', margin: '0 auto', border: 0, height: 'auto', maxWidth: '100%', msoHide: 'all' } as CSSProperties} />
                ) : null}
              </mj-text>
            ) : null}
            <mj-text css-class={brand.logo ? 't lb' : 't'} align="center" font-family={brand.logo ? sans : brand.headingFontFamily} font-size={brand.logo ? '14px' : '30px'} line-height={brand.logo ? '20px' : '36px'} font-weight="700" padding={brand.logo ? '8px 24px 0' : '0 24px 4px'}>
              {view.newsletter.name}
            </mj-text>
          </mj-column>
        </mj-section>
        <mj-section css-class="cd" background-color={c.paper} padding="0">
          <mj-column>
            <mj-text css-class="m lb" align="center" font-family={sans} font-size="13px" line-height="18px" color={c.muted} padding="6px 24px 16px">
              {view.readingTime.label}
            </mj-text>
            <mj-divider css-class="dv" border-color={c.ink} border-style="double" border-width="3px" padding="0 24px" />
            <mj-text css-class="t" font-size="19px" line-height="27px" padding="20px 24px 8px">
              <span>{fields.greeting}</span>
            </mj-text>
            {view.intro ? <mj-text css-class="t" padding="0 24px 8px">{view.intro}</mj-text> : null}
          </mj-column>
        </mj-section>

        <mj-section css-class="cd" background-color={c.paper} padding="8px 0 16px">
          <mj-column>
            <Kicker padding="16px 24px 8px" color={c.accent}>{lead.kicker}</Kicker>
            <mj-text css-class="t" font-family={brand.headingFontFamily} font-size="27px" line-height="34px" font-weight="700" padding="0 24px 8px">
              <span className="k" style={{ color: c.accent }}>{`${lead.number}.`}</span> <a href={lead.url} style={{ color: c.ink, textDecoration: 'none' }}>{lead.headline}</a>
            </mj-text>
            {lead.paragraphs[0] !== lead.dek ? (
              <mj-text css-class="t" font-size="19px" line-height="28px" padding="0 24px 12px">{lead.dek}</mj-text>
            ) : null}
            {lead.byline ? (
              <mj-text css-class="m lb" font-family={sans} font-size="14px" line-height="20px" color={c.muted} padding="0 24px 16px">
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
            {lead.why ? (
              <mj-text css-class="t" padding="0 24px 16px">
                <strong>Why it matters:</strong> {lead.why}
              </mj-text>
            ) : null}
            <mj-text css-class="l" font-family={sans} font-size="16px" line-height="24px" font-weight="700" padding="0 24px 16px">
              <a href={lead.url} style={a}>Continue reading →</a>
            </mj-text>
            {lead.author?.bio ? (
              <mj-text css-class="m" font-size="16px" line-height="24px" font-style="italic" color={c.muted} padding="0 24px 8px">
                <div className="bio" style={{ backgroundColor: c.tint, padding: '12px 16px' }}>{lead.author.bio}</div>
              </mj-text>
            ) : null}
          </mj-column>
        </mj-section>
        {view.sponsor && sponsorAt === lead.number ? <Sponsor sponsor={view.sponsor} brand={brand} /> : null}

        {runs.length > 0 ? (
          <mj-section css-class="cd" background-color={c.paper} padding="0 16px 8px">
            <mj-column>
              <mj-text css-class="t" font-size="16px" line-height="23px" padding="0">
                {runs.map((run) => (
                  <Fragment key={run.items[0]!.id}>
                    <SectionBlock heading={run.heading} items={run.items} brand={brand} />
                    {run.sponsor && view.sponsor ? <InlineSponsor sponsor={view.sponsor} brand={brand} /> : null}
                  </Fragment>
                ))}
              </mj-text>
            </mj-column>
          </mj-section>
        ) : null}

        {view.numbers.length > 0 ? (
          <Box label="By the numbers" labelColor={c.accent} brand={brand} className="numbers">
            {view.numbers.map((n, i) => (
              <mj-text key={i} css-class="t" font-size="16px" line-height="24px" padding={i === view.numbers.length - 1 ? '0' : '0 0 10px'}>
                <strong className="k" style={{ color: c.accent, fontSize: '22px' }}>{n.figure}</strong> {n.text}
              </mj-text>
            ))}
          </Box>
        ) : null}
        {view.quote ? (
          <Box label="Quote of the day" labelColor={c.accent} brand={brand} className="quote">
            <mj-text css-class="t" font-family={brand.headingFontFamily} font-size="20px" line-height="29px" font-style="italic" padding="0 0 6px">{`“${view.quote.text}”`}</mj-text>
            {view.quote.by ? <mj-text css-class="m" font-size="16px" line-height="24px" color={c.muted} padding="0">{`— ${view.quote.by}`}</mj-text> : null}
          </Box>
        ) : null}

        <mj-section css-class="cd" background-color={c.paper} padding="16px 24px 24px">
          <mj-column css-class="bx" background-color={c.tint} padding="16px 20px">
            <mj-text css-class="t" align="center" font-size="16px" line-height="24px" padding="0">
              <strong>Forwarded this?</strong> <a href={view.links.signUpUrl} style={a}>{view.signUp.linkText}</a>. {view.signUp.pitch}
            </mj-text>
          </mj-column>
        </mj-section>

        <mj-section css-class="bg ft" background-color={c.page} padding="20px 0">
          <mj-column>
            <mj-text css-class="m" font-family={sans} font-size="14px" line-height="21px" color={c.muted} padding="0 24px 10px">
              {view.reason}
            </mj-text>
            <mj-text css-class="m" font-family={sans} font-size="14px" line-height="21px" color={c.muted} padding="0 24px 10px">
              <span>{`This email was sent to ${fields.email}.`}</span>
            </mj-text>
            <mj-text css-class="m l" font-family={sans} font-size="14px" line-height="21px" color={c.muted} padding="0 24px 10px">
              <a href={fields.unsubscribeUrl} style={a}>Unsubscribe</a>
              {' · '}
              <a href={fields.manageUrl} style={a}>Manage your subscriptions</a>
              {' · '}
              <a href={view.links.viewInBrowserUrl} style={a}>View in your browser</a>
            </mj-text>
            <mj-text css-class="m" font-family={sans} font-size="14px" line-height="21px" color={c.muted} padding="0 24px">
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
  description: 'Compact: masthead and lead, then numbered items two to a row under section headings (stacked on phones), with quote, sponsor and numbers modules (MJML)',
  async render(props) {
    return {
      subject: props.view.subject,
      html: await renderMjml(<Compact {...props} />, { template: 'compact' }),
      text: briefingText(props),
      preheader: props.view.preheader,
    };
  },
};
