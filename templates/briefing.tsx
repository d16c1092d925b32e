/** @jsxRuntime automatic @jsxImportSource react */
// (The pragma keeps JSX working when tsx runs from a folder without this project's tsconfig.json.)
import type { CSSProperties } from 'react';
// Inner modules of src/render, not its index.ts: the index exports the registry, which imports
// templates/index.ts, which imports this file; a file that is imported first must not enter that cycle.
import { Body, Container, Head, Heading, Html, Img, Link, Preview, Section, Text } from '../src/render/email-components.ts';
import { readerFieldValues } from '../src/render/reader-fields.ts';
import { renderReactEmail } from '../src/render/react-engine.ts';
import type { ArticleView, EditionProps, EditionTemplate } from '../src/render/types.ts';
import { briefingText } from './briefing-text.ts';

// Styles stay short because React inlines them on every element and Gmail clips HTML over 102 KB.
// Every container with text has an explicit background, and the dark-mode block below swaps colours
// in clients that honour prefers-color-scheme; clients that invert on their own invert a solid design.
const serif = 'Georgia,Times,serif';
const sans = 'Helvetica,Arial,sans-serif';
const ink = '#1b1b1b';
const muted = '#5c5850';
const accent = '#a8321e';
const link = '#0b4f8a';
const paper = '#ffffff';
const page = '#eeebe4';
const tint = '#f6f3ec';

/** Top and bottom margins only (p and h elements have no side margins). */
const m = (top: string, bottom: string): CSSProperties => ({ marginTop: top, marginBottom: bottom });

const s = {
  body: { margin: 0, padding: '16px 0', backgroundColor: page, fontFamily: serif, color: ink },
  card: { maxWidth: '600px', backgroundColor: paper },
  pad: { padding: '0 24px' },
  name: { ...m('24px', '4px'), fontSize: '30px', lineHeight: '36px', fontWeight: 700, textAlign: 'center', color: ink },
  date: { ...m('0', '20px'), fontSize: '14px', lineHeight: '20px', textAlign: 'center', color: muted, fontFamily: sans },
  rule: { borderTop: `3px double ${ink}`, margin: 0 },
  greet: { ...m('24px', '8px'), fontSize: '20px', lineHeight: '28px', color: ink },
  p: { ...m('0', '16px'), fontSize: '17px', lineHeight: '27px', color: ink },
  label: { ...m('24px', '8px'), fontSize: '12px', lineHeight: '16px', letterSpacing: '1px', textTransform: 'uppercase', fontWeight: 700, color: accent, fontFamily: sans },
  list: { margin: '0 0 8px', paddingLeft: '20px', fontSize: '16px', lineHeight: '24px', color: ink },
  li: { margin: '0 0 6px' },
  a: { color: link },
  h1: { ...m('0', '8px'), fontSize: '27px', lineHeight: '34px', fontWeight: 700 },
  h2: { ...m('0', '6px'), fontSize: '20px', lineHeight: '27px', fontWeight: 700 },
  hl: { color: ink, textDecoration: 'none' },
  by: { ...m('0', '16px'), fontSize: '14px', lineHeight: '20px', color: muted, fontFamily: sans },
  img: { display: 'block', width: '100%', maxWidth: '552px', height: 'auto', margin: '0 0 16px', border: 0 },
  more: { ...m('0', '20px'), fontSize: '16px', lineHeight: '24px', fontWeight: 700, fontFamily: sans },
  bio: { ...m('0', '8px'), padding: '12px 16px', fontSize: '14px', lineHeight: '21px', fontStyle: 'italic', color: muted, backgroundColor: tint },
  item: { padding: '16px 0', borderTop: '1px solid #ddd8cc' },
  dek: { ...m('0', '0'), fontSize: '16px', lineHeight: '25px', color: ink },
  box: { margin: '24px 0', padding: '16px 20px', backgroundColor: tint, textAlign: 'center' },
  boxT: { ...m('0', '0'), fontSize: '16px', lineHeight: '24px', color: ink },
  foot: { padding: '20px 24px', backgroundColor: page },
  ft: { ...m('0', '10px'), fontSize: '13px', lineHeight: '20px', color: muted, fontFamily: sans },
} satisfies Record<string, CSSProperties>;

// Class names let the dark-mode rules override the inline colours (!important beats inline styles).
const css = `:root{color-scheme:light dark;supported-color-schemes:light dark}
@media (prefers-color-scheme:dark){.bg{background:#121212!important}.cd{background:#1e1e1e!important}.bx{background:#2a2926!important}.t{color:#ece8e1!important}.m{color:#b5afa5!important}.k{color:#f08a70!important}.l{color:#8fc1ff!important}.r{border-color:#ece8e1!important}.s{border-color:#3d3b37!important}.bg>table>tbody>tr>td{background:#121212!important}}
@media (max-width:480px){.pd{padding:0 16px!important}.nm{font-size:25px!important;line-height:30px!important}}`;

function Kicker({ children }: { children: string }) {
  return <Text style={s.label} className="k">{children}</Text>;
}

function Item({ item }: { item: ArticleView }) {
  return (
    <Section style={s.item} className="s">
      <Text style={{ ...s.label, ...m('0', '6px') }} className="k">{item.kicker}</Text>
      <Heading as="h2" style={s.h2}>
        <Link href={item.url} style={s.hl} className="t">{item.headline}</Link>
      </Heading>
      <Text style={s.dek} className="t">{item.dek}</Text>
    </Section>
  );
}

/** The morning briefing: masthead, greeting, contents, the lead at length, short items, sign-up box, footer. */
export function Briefing({ view, reader }: EditionProps) {
  const fields = readerFieldValues(reader);
  const { lead } = view;
  return (
    <Html lang={view.lang} dir="ltr">
      <Head>
        <meta name="color-scheme" content="light dark" />
        <meta name="supported-color-schemes" content="light dark" />
        <title>{view.subject}</title>
        <style>{css}</style>
      </Head>
      <Preview>{view.preheader}</Preview>
      <Body style={s.body} className="bg">
        <Container style={s.card} className="cd">
          <Section style={s.pad} className="pd">
            <Text style={s.name} className="t nm">{view.newsletter.name}</Text>
            <Text style={s.date} className="m">{view.longDate}</Text>
            <div style={s.rule} className="r" />
            <Text style={s.greet} className="t">{fields.greeting}</Text>
            {view.intro ? <Text style={s.p} className="t">{view.intro}</Text> : null}

            <Text style={s.label} className="k">In this edition</Text>
            <ul style={s.list} className="t">
              {view.contents.map((entry) => (
                <li key={entry.id} style={s.li}>
                  <Link href={entry.url} style={s.a} className="l">{entry.headline}</Link>
                </li>
              ))}
            </ul>

            <Kicker>{lead.kicker}</Kicker>
            <Heading as="h1" style={s.h1}>
              <Link href={lead.url} style={s.hl} className="t">{lead.headline}</Link>
            </Heading>
            {lead.byline ? <Text style={s.by} className="m">{lead.byline}</Text> : null}
            {lead.image ? (
              <Img src={lead.image.url} alt={lead.image.alt} width={lead.image.width} height={lead.image.height} style={s.img} />
            ) : null}
            {lead.paragraphs.map((p, i) => (
              <Text key={i} style={s.p} className="t">{p}</Text>
            ))}
            <Text style={s.more}>
              <Link href={lead.url} style={s.a} className="l">Continue reading →</Link>
            </Text>
            {lead.author?.bio ? <Text style={s.bio} className="m bx">{lead.author.bio}</Text> : null}

            {view.items.map((item) => (
              <Item key={item.id} item={item} />
            ))}

            <Section style={s.box} className="bx">
              <Text style={s.boxT} className="t">
                <strong>Forwarded this?</strong>{' '}
                <Link href={view.links.signUpUrl} style={s.a} className="l">{view.signUp.linkText}</Link>
                {`. ${view.signUp.pitch}`}
              </Text>
            </Section>
          </Section>

          <Section style={s.foot} className="bg">
            <Text style={s.ft} className="m">{view.reason}</Text>
            <Text style={s.ft} className="m">{`This email was sent to ${fields.email}.`}</Text>
            <Text style={s.ft} className="m">
              <Link href={fields.unsubscribeUrl} style={s.a} className="l">Unsubscribe</Link>
              {' · '}
              <Link href={view.links.viewInBrowserUrl} style={s.a} className="l">View in your browser</Link>
            </Text>
            <Text style={{ ...s.ft, ...m('0', '0') }} className="m">{view.publisher.postalAddress}</Text>
          </Section>
        </Container>
      </Body>
    </Html>
  );
}

/** Registry entry. No imported function is called at module load (see src/render/registry.ts). */
export const briefing: EditionTemplate = {
  name: 'briefing',
  engine: 'react-email',
  kind: 'edition',
  description: 'The morning briefing: masthead, lead story at length, then short items with kickers (React Email)',
  async render(props) {
    return {
      subject: props.view.subject,
      html: await renderReactEmail(<Briefing {...props} />),
      text: briefingText(props),
      preheader: props.view.preheader,
    };
  },
};
