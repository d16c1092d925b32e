/** @jsxRuntime automatic @jsxImportSource react */
// (The pragma keeps JSX working when tsx runs from a folder without this project's tsconfig.json.)
import type { CSSProperties, ReactNode } from 'react';
// Inner modules of src/render, not its index.ts: the index exports the registry, which imports
// templates/index.ts, which imports this file; a file that is imported first must not enter that cycle.
import { Body, Container, Head, Heading, Html, Img, Link, Section, Text } from '../src/render/email-components.ts';
import { readerFieldValues } from '../src/render/reader-fields.ts';
import { renderReactEmail } from '../src/render/react-engine.ts';
import type { ArticleView, EditionProps, EditionTemplate, EditionView } from '../src/render/types.ts';
import type { Brand } from '../src/content/resolve-brand.ts';
import { PREHEADER_PADDING } from '../src/render/preheader.ts';
import { briefingText } from './briefing-text.ts';
import { brandCss } from './brand-css.ts';

// Styles stay short because React inlines them on every element and Gmail clips HTML over 102 KB.
// Every container with text has an explicit background, and the dark-mode block (brandCss) swaps colours
// in clients that honour prefers-color-scheme; clients that invert on their own invert a solid design.
const sans = 'Helvetica,Arial,sans-serif';

/** Top and bottom margins only (p and h elements have no side margins). */
const m = (top: string, bottom: string): CSSProperties => ({ marginTop: top, marginBottom: bottom });

function styles(brand: Brand) {
  const c = brand.light;
  const serif = brand.fontFamily;
  const head = brand.headingFontFamily;
  return {
    body: { margin: 0, padding: '16px 0', backgroundColor: c.page, fontFamily: serif, color: c.ink },
    card: { maxWidth: '600px', backgroundColor: c.paper },
    pad: { padding: '0 24px' },
    top: { ...m('0', '0'), padding: '10px 0', fontSize: '14px', lineHeight: '20px', textAlign: 'center', color: c.muted, fontFamily: sans, borderBottom: `1px solid ${c.rule}` },
    logo: { display: 'block', margin: '0 auto', border: 0, height: 'auto', maxWidth: '100%' },
    name: { ...m('20px', '4px'), fontSize: '30px', lineHeight: '36px', fontWeight: 700, textAlign: 'center', color: c.ink, fontFamily: head },
    time: { ...m('6px', '16px'), fontSize: '13px', lineHeight: '18px', textAlign: 'center', color: c.muted, fontFamily: sans, letterSpacing: '0.5px' },
    rule: { borderTop: `3px double ${c.ink}`, margin: 0 },
    greet: { ...m('20px', '6px'), fontSize: '19px', lineHeight: '27px', color: c.ink },
    p: { ...m('0', '16px'), fontSize: '17px', lineHeight: '27px', color: c.ink },
    label: { ...m('24px', '8px'), fontSize: '12px', lineHeight: '16px', letterSpacing: '1px', textTransform: 'uppercase', fontWeight: 700, color: c.accent, fontFamily: sans },
    h1: { ...m('0', '10px'), fontSize: '28px', lineHeight: '34px', fontWeight: 700, fontFamily: head },
    lede: { ...m('0', '12px'), fontSize: '19px', lineHeight: '28px', color: c.ink },
    sec: { ...m('32px', '0'), padding: '10px 0 8px', borderBottom: `1px solid ${c.rule}`, borderTop: `3px solid ${c.accent}`, fontSize: '14px', lineHeight: '20px', letterSpacing: '1.5px', textTransform: 'uppercase', fontWeight: 700, color: c.ink, fontFamily: sans },
    h3: { ...m('0', '6px'), fontSize: '20px', lineHeight: '27px', fontWeight: 700, fontFamily: head },
    num: { color: c.accent },
    hl: { color: c.ink, textDecoration: 'none' },
    // Underlined: the link colour alone is too close to the text colour to mark a link (WCAG 1.4.1).
    a: { color: c.link, textDecoration: 'underline' },
    by: { ...m('0', '16px'), fontSize: '14px', lineHeight: '20px', color: c.muted, fontFamily: sans },
    img: { display: 'block', width: '100%', maxWidth: '552px', height: 'auto', margin: '0 0 16px', border: 0 },
    more: { ...m('0', '20px'), fontSize: '16px', lineHeight: '24px', fontWeight: 700, fontFamily: sans },
    bio: { ...m('0', '8px'), padding: '12px 16px', fontSize: '16px', lineHeight: '24px', fontStyle: 'italic', color: c.muted, backgroundColor: c.tint },
    item: { padding: '16px 0', borderTop: `1px solid ${c.rule}` },
    kick: { ...m('0', '6px'), fontSize: '12px', lineHeight: '16px', letterSpacing: '1px', textTransform: 'uppercase', fontWeight: 700, color: c.accent, fontFamily: sans },
    dek: { ...m('0', '0'), fontSize: '16px', lineHeight: '25px', color: c.ink },
    why: { ...m('8px', '0'), fontSize: '16px', lineHeight: '25px', color: c.ink },
    list: { margin: '0 0 4px', paddingLeft: '28px', fontSize: '16px', lineHeight: '24px', color: c.ink },
    li: { margin: '0 0 8px' },
    rest: { ...m('0', '8px'), fontSize: '16px', lineHeight: '24px', color: c.muted, fontStyle: 'italic' },
    box: { margin: '24px 0', padding: '16px 20px', backgroundColor: c.tint },
    boxLabel: { ...m('0', '10px'), fontSize: '12px', lineHeight: '16px', letterSpacing: '1px', textTransform: 'uppercase', fontWeight: 700, color: c.accent, fontFamily: sans },
    boxT: { ...m('0', '0'), fontSize: '16px', lineHeight: '24px', color: c.ink },
    quote: { ...m('0', '8px'), fontSize: '21px', lineHeight: '30px', fontStyle: 'italic', color: c.ink, fontFamily: head },
    qby: { ...m('0', '0'), fontSize: '16px', lineHeight: '24px', color: c.muted },
    fig: { ...m('0', '2px'), fontSize: '28px', lineHeight: '32px', fontWeight: 700, color: c.accent, fontFamily: head },
    figT: { ...m('0', '14px'), fontSize: '16px', lineHeight: '24px', color: c.ink },
    spon: { margin: '8px 0', padding: '16px 20px', backgroundColor: c.tint, border: `1px solid ${c.rule}` },
    sponLabel: { ...m('0', '8px'), fontSize: '12px', lineHeight: '16px', letterSpacing: '1px', textTransform: 'uppercase', fontWeight: 700, color: c.muted, fontFamily: sans },
    sponH: { ...m('0', '6px'), fontSize: '18px', lineHeight: '25px', fontWeight: 700, color: c.ink, fontFamily: sans },
    foot: { padding: '20px 24px', backgroundColor: c.page },
    ft: { ...m('0', '10px'), fontSize: '14px', lineHeight: '21px', color: c.muted, fontFamily: sans },
  } satisfies Record<string, CSSProperties>;
}

type Styles = ReturnType<typeof styles>;

/** The content column: the 600-px card less its 24-px padding on each side. */
const COLUMN = 552;
/** The sponsor box's column: the content column less the box's 20-px padding on each side. */
const SPONSOR_COLUMN = COLUMN - 40;

/**
 * An image's width and height attributes for a column: never wider than the column (Outlook on Windows
 * lays images out at their width attribute, whatever the CSS says), the height scaled to match.
 */
function fit(image: { width: number; height: number }, column: number): { width: number; height: number } {
  if (image.width <= column) return { width: image.width, height: image.height };
  return { width: column, height: Math.round((image.height * column) / image.width) };
}

/**
 * Stand-ins replaced after rendering by Outlook's conditional comments (React cannot write comments):
 * a 600-px table around the card, which Outlook on Windows needs since it ignores max-width.
 */
const MSO_OPEN = '<mso-wrap-open></mso-wrap-open>';
const MSO_CLOSE = '<mso-wrap-close></mso-wrap-close>';

/** The headline with its number before the link, so the link's text stays the headline alone. */
function NumberedHeadline({ item, s, as, style }: { item: ArticleView; s: Styles; as: 'h1' | 'h3'; style: CSSProperties }) {
  return (
    <Heading as={as} style={style}>
      <span style={s.num} className="k">{`${item.number}.`}</span>{' '}
      <Link href={item.url} style={s.hl} className="t">{item.headline}</Link>
    </Heading>
  );
}

function Why({ why, s }: { why: string | null; s: Styles }) {
  if (!why) return null;
  return (
    <Text style={s.why} className="t">
      <strong>Why it matters:</strong> {why}
    </Text>
  );
}

function Item({ item, s, first }: { item: ArticleView; s: Styles; first: boolean }) {
  return (
    // The first item under a heading needs no hairline: the heading's own rules separate it.
    <Section style={first ? { ...s.item, borderTop: 0 } : s.item} className="s">
      <Text style={s.kick} className="k lb">{item.kicker}</Text>
      <NumberedHeadline item={item} s={s} as="h3" style={s.h3} />
      <Text style={s.dek} className="t">{item.dek}</Text>
      <Why why={item.why} s={s} />
    </Section>
  );
}

/** The paid slot: boxed, labelled, sans-serif and without a number, so it never reads as a story. */
function Sponsor({ sponsor, s }: { sponsor: NonNullable<EditionView['sponsor']>; s: Styles }) {
  return (
    <Section style={s.spon} className="bx s sponsor">
      <Text style={s.sponLabel} className="m lb">{sponsor.label}</Text>
      {sponsor.image ? (
        <Img src={sponsor.image.url} alt={sponsor.image.alt} {...fit(sponsor.image, SPONSOR_COLUMN)} style={s.img} />
      ) : null}
      <Text style={s.sponH} className="t">{sponsor.headline}</Text>
      <Text style={{ ...s.boxT, ...m('0', '8px') }} className="t">{sponsor.text}</Text>
      <Text style={{ ...s.boxT, fontWeight: 700, fontFamily: sans }}>
        <Link href={sponsor.url} rel="sponsored noopener" style={s.a} className="l">Learn more →</Link>
      </Text>
    </Section>
  );
}

function Masthead({ view, s }: { view: EditionView; s: Styles }) {
  const { brand } = view;
  if (!brand.logo) return <Text style={s.name} className="t nm">{view.newsletter.name}</Text>;
  const logo = brand.logo;
  const dark = brand.logoDark;
  return (
    // Without a dark logo, the light one keeps a light panel in dark mode (class "lgp") so it stays legible.
    <Section style={{ padding: '20px 0 4px' }} className={dark ? undefined : 'lgp'}>
      <Img src={logo.url} alt={logo.alt} width={logo.width} height={logo.height} style={s.logo} className={dark ? 'lgl' : undefined} />
      {dark ? (
        // Hidden unless the dark-mode rules show it; mso-hide keeps Outlook on Windows from showing both.
        <Img src={dark.url} alt={dark.alt} width={dark.width} height={dark.height} style={{ ...s.logo, display: 'none', msoHide: 'all' } as CSSProperties} className="lgd" />
      ) : null}
      <Text style={{ ...s.time, ...m('10px', '0'), fontSize: '14px', fontWeight: 700, color: brand.light.ink }} className="t lb">{view.newsletter.name}</Text>
    </Section>
  );
}

function Box({ label, children, s, className }: { label: string; children: ReactNode; s: Styles; className: string }) {
  return (
    <Section style={s.box} className={`bx ${className}`}>
      <Text style={s.boxLabel} className="k lb">{label}</Text>
      {children}
    </Section>
  );
}

/**
 * The morning briefing: the date and "View in your browser" on top, the masthead with the reading time,
 * the greeting and intro, the lead at length, a short numbered "In this edition", then the short items
 * numbered under their section headings (the sponsor after the third story), "By the numbers", the quote
 * of the day, the sign-up box and the footer.
 */
export function Briefing({ view, reader }: EditionProps) {
  const fields = readerFieldValues(reader);
  const { lead, brand } = view;
  const s = styles(brand);
  const sponsorAfterLead = view.sponsor?.afterNumber === lead.number;
  return (
    <Html lang={view.lang} dir="ltr">
      <Head>
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="supported-color-schemes" content="light dark" />
        <title>{view.subject}</title>
        <style>{brandCss(brand)}</style>
      </Head>
      {/* The preheader, then invisible padding so the inbox preview stops there (React Email's Preview pads
          only up to 150 characters). */}
      <div style={{ display: 'none', overflow: 'hidden', lineHeight: '1px', opacity: 0, maxHeight: 0, maxWidth: 0 }} data-skip-in-text="true">
        {view.preheader}
        {PREHEADER_PADDING}
      </div>
      <Body style={s.body} className="bg">
        {/* @ts-expect-error: a stand-in element, replaced after rendering (MSO_OPEN). */}
        <mso-wrap-open />
        <Container style={s.card} className="cd">
          <Section style={s.pad} className="pd">
            <Text style={s.top} className="m s lb">
              {view.longDate}
              {' · '}
              <Link href={view.links.viewInBrowserUrl} style={{ ...s.a, whiteSpace: 'nowrap' }} className="l">View in your browser</Link>
            </Text>
            <Masthead view={view} s={s} />
            <Text style={s.time} className="m lb">{view.readingTime.label}</Text>
            <div style={s.rule} className="r" />
            <Text style={s.greet} className="t">{fields.greeting}</Text>
            {view.intro ? <Text style={s.p} className="t">{view.intro}</Text> : null}

            <Text style={s.label} className="k lb">{lead.kicker}</Text>
            <NumberedHeadline item={lead} s={s} as="h1" style={s.h1} />
            {lead.paragraphs[0] !== lead.dek ? <Text style={s.lede} className="t">{lead.dek}</Text> : null}
            {lead.byline ? <Text style={s.by} className="m lb">{lead.byline}</Text> : null}
            {lead.image ? (
              <Img src={lead.image.url} alt={lead.image.alt} {...fit(lead.image, COLUMN)} style={s.img} className="t" />
            ) : null}
            {lead.paragraphs.map((p, i) => (
              <Text key={i} style={s.p} className="t">{p}</Text>
            ))}
            <Why why={lead.why} s={s} />
            <Text style={{ ...s.more, ...(lead.why ? m('16px', '20px') : {}) }}>
              <Link href={lead.url} style={s.a} className="l">Continue reading →</Link>
            </Text>
            {lead.author?.bio ? <Text style={s.bio} className="m bx">{lead.author.bio}</Text> : null}
            {sponsorAfterLead && view.sponsor ? <Sponsor sponsor={view.sponsor} s={s} /> : null}

            {view.contents.length > 0 ? (
              <>
                <Text style={s.label} className="k lb">In this edition</Text>
                <ol start={view.contents[0]!.number} style={s.list} className="t">
                  {view.contents.map((entry) => (
                    <li key={entry.id} style={s.li}>{entry.headline}</li>
                  ))}
                </ol>
                {view.contentsMore > 0 ? (
                  <Text style={s.rest} className="m">{`…and ${view.contentsMore} more ${view.contentsMore === 1 ? 'story' : 'stories'} below.`}</Text>
                ) : null}
              </>
            ) : null}

            {view.sections.map((section, i) => (
              <Section key={section.heading ?? `group-${i}`}>
                {section.heading ? <Heading as="h2" style={s.sec} className="t sec lb kb">{section.heading}</Heading> : null}
                {section.items.map((item, j) => (
                  <Section key={item.id}>
                    <Item item={item} s={s} first={j === 0 && section.heading !== null} />
                    {view.sponsor && view.sponsor.afterNumber === item.number ? <Sponsor sponsor={view.sponsor} s={s} /> : null}
                  </Section>
                ))}
              </Section>
            ))}

            {view.numbers.length > 0 ? (
              <Box label="By the numbers" s={s} className="numbers">
                {view.numbers.map((n, i) => (
                  <Section key={i}>
                    <Text style={s.fig} className="k">{n.figure}</Text>
                    <Text style={i === view.numbers.length - 1 ? { ...s.figT, ...m('0', '0') } : s.figT} className="t">{n.text}</Text>
                  </Section>
                ))}
              </Box>
            ) : null}

            {view.quote ? (
              <Box label="Quote of the day" s={s} className="quote">
                <Text style={s.quote} className="t">{`“${view.quote.text}”`}</Text>
                {view.quote.by ? <Text style={s.qby} className="m">{`— ${view.quote.by}`}</Text> : null}
              </Box>
            ) : null}

            <Section style={{ ...s.box, textAlign: 'center' }} className="bx">
              <Text style={s.boxT} className="t">
                <strong>Forwarded this?</strong>{' '}
                <Link href={view.links.signUpUrl} style={s.a} className="l">{view.signUp.linkText}</Link>
                {`. ${view.signUp.pitch}`}
              </Text>
            </Section>
          </Section>

          <Section style={s.foot} className="bg ft">
            <Text style={s.ft} className="m">{view.reason}</Text>
            <Text style={s.ft} className="m">{`This email was sent to ${fields.email}.`}</Text>
            <Text style={s.ft} className="m">
              <Link href={fields.unsubscribeUrl} style={s.a} className="l">Unsubscribe</Link>
              {' · '}
              <Link href={fields.manageUrl} style={s.a} className="l">Manage your subscriptions</Link>
              {' · '}
              <Link href={view.links.viewInBrowserUrl} style={s.a} className="l">View in your browser</Link>
            </Text>
            <Text style={{ ...s.ft, ...m('0', '0') }} className="m">{view.publisher.postalAddress}</Text>
          </Section>
        </Container>
        {/* @ts-expect-error: a stand-in element, replaced after rendering (MSO_CLOSE). */}
        <mso-wrap-close />
      </Body>
    </Html>
  );
}

/** Registry entry. No imported function is called at module load (see src/render/registry.ts). */
export const briefing: EditionTemplate = {
  name: 'briefing',
  engine: 'react-email',
  kind: 'edition',
  description: 'The morning briefing: lead first, a short numbered contents list, then numbered items under section headings, with quote, sponsor and numbers modules (React Email)',
  async render(props) {
    return {
      subject: props.view.subject,
      html: (await renderReactEmail(<Briefing {...props} />))
        .replace(MSO_OPEN, '<!--[if mso]><table role="presentation" align="center" width="600" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->')
        .replace(MSO_CLOSE, '<!--[if mso]></td></tr></table><![endif]-->'),
      text: briefingText(props),
      preheader: props.view.preheader,
    };
  },
};
