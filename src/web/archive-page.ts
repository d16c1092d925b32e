import { escapeHtml as escapeReact } from '../render/index.ts';
import { escapeHtml } from '../html/index.ts';

export interface ArchiveMarkers {
  /** What the archive reader's address rendered as. */
  emailMarker: string;
  /** What the archive reader's unsubscribe URL rendered as. */
  unsubscribeMarker: string;
  signUpUrl: string;
  newsletterName: string;
  /** The edition's own "View in your browser" link, pointless on the page itself: it becomes "All editions". */
  viewInBrowserUrl?: string;
  archiveUrl?: string;
  /** The edition's "why you get this email" sentence (EditionView.reason), replaced on the web copy. */
  reason?: string;
}

/** The opening tag that most closely precedes `index` (skipping closing tags, comments and doctypes). */
function enclosingOpenTag(htmlText: string, index: number): { start: number; name: string } | null {
  const opening = /<([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>/g;
  let found: { start: number; name: string } | null = null;
  for (const m of htmlText.slice(0, index).matchAll(opening)) {
    found = { start: m.index, name: m[1]!.toLowerCase() };
  }
  return found;
}

/**
 * Turns an edition rendered for the neutral archive reader into the public web copy: the
 * element that carried the reader's address says this is the web archive instead, every unsubscribe link
 * becomes a sign-up link, and no script can run (the CSP forbids it; script elements and inline handlers
 * are removed too, in case a template ever carries one). Throws if a marker survives, so a template that
 * shows reader data somewhere new fails loudly rather than publishing a placeholder.
 */
export function archiveEditionHtml(emailHtml: string, markers: ArchiveMarkers): string {
  let out = emailHtml;

  // 1. Unsubscribe links → sign-up links, with their visible text changed to say so.
  for (let i = out.indexOf(markers.unsubscribeMarker); i !== -1; i = out.indexOf(markers.unsubscribeMarker)) {
    // The marker sits inside an attribute: the tag around it starts at the last '<' before it.
    const tagStart = out.lastIndexOf('<', i);
    const isAnchor = tagStart !== -1 && /^<a\s/i.test(out.slice(tagStart, tagStart + 3)) && out.lastIndexOf('>', i) < tagStart;
    const tagEnd = out.indexOf('>', i) + 1;
    const close = isAnchor ? out.indexOf('</a>', tagEnd) : -1;
    if (!isAnchor || close === -1) {
      out = out.slice(0, i) + escapeHtml(markers.signUpUrl) + out.slice(i + markers.unsubscribeMarker.length);
      continue;
    }
    const openTag = out.slice(tagStart, tagEnd).split(markers.unsubscribeMarker).join(escapeHtml(markers.signUpUrl));
    out = `${out.slice(0, tagStart)}${openTag}Sign up to get it by email</a>${out.slice(close + '</a>'.length)}`;
  }

  // 2. The sentence holding the reader's address → a line saying where this copy lives. The "why you get
  //    this email" sentence, true for a subscriber but not for a web reader, gives way to the same line.
  const note = `You are reading the web edition of ${escapeHtml(markers.newsletterName)}.`;
  let noted = false;
  if (markers.reason) {
    const reason = escapeReact(markers.reason);
    const at = out.indexOf(`>${reason}<`);
    if (at !== -1) {
      out = `${out.slice(0, at + 1)}${note}${out.slice(at + 1 + reason.length)}`;
      noted = true;
    }
  }
  for (let i = out.indexOf(markers.emailMarker); i !== -1; i = out.indexOf(markers.emailMarker)) {
    const inHref = out.lastIndexOf('<', i) > out.lastIndexOf('>', i);
    const block = inHref ? null : enclosingOpenTag(out, i);
    const close = block ? out.indexOf(`</${block.name}>`, i) : -1;
    if (!block || close === -1) {
      out = out.slice(0, i) + out.slice(i + markers.emailMarker.length);
      continue;
    }
    const tagEnd = out.indexOf('>', block.start) + 1;
    out = noted
      ? `${out.slice(0, block.start)}${out.slice(close + `</${block.name}>`.length)}`
      : `${out.slice(0, tagEnd)}${note}${out.slice(close)}`;
  }

  // 3. The link to this very page leads to the archive index instead.
  if (markers.viewInBrowserUrl && markers.archiveUrl) {
    const href = `href="${escapeHtml(markers.viewInBrowserUrl)}"`;
    out = out.replace(new RegExp(`(<a\\s[^>]*)${escapeRegExp(href)}([^>]*>)[^<]*</a>`, 'g'),
      (_m, before: string, after: string) => `${before}href="${escapeHtml(markers.archiveUrl!)}"${after}All editions</a>`);
  }

  // 4. No script, whatever a template did (the CSP already blocks it; this keeps the markup honest).
  out = out
    .replace(/<script\b[\s\S]*?<\/script\s*>/gi, '')
    .replace(/<[a-zA-Z][^>]*>/g, (tag) => tag.replace(/\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, ''));

  if (out.includes(markers.emailMarker) || out.includes(markers.unsubscribeMarker)) {
    throw new Error('archive: a reader placeholder survived in the web copy');
  }
  return out;
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
