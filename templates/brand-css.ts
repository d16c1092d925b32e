import type { Brand } from '../src/content/resolve-brand.ts';

/**
 * The briefing's `<style>` block: colour-scheme declarations, the dark-mode overrides for the class names
 * its elements carry (!important beats the inline light colours) in the brand's dark colours, the logo
 * swap, and the phone padding. Built from validated hex colours only, so nothing from content enters it.
 *
 * Classes: bg page, cd card, bx box, t ink text, m muted text, k accent text, l link, r double rule,
 * s hairline, kb accent border, lgl/lgd light/dark logo, lgp a light panel behind a logo without a dark one.
 *
 * @example
 * <style>{brandCss(view.brand)}</style>
 */
export function brandCss(brand: Brand): string {
  const d = brand.dark;
  const logo = brand.logoDark
    ? '.lgl{display:none!important}.lgd{display:block!important}'
    : `.lgp{background:${brand.light.paper}!important;padding:12px 8px 4px!important}.lgp .t{color:${brand.light.ink}!important}`;
  // iOS Mail turns dates, times and addresses into blue links of its own (x-apple-data-detectors); they
  // keep the text's look instead.
  return `:root{color-scheme:light dark;supported-color-schemes:light dark}
a[x-apple-data-detectors]{color:inherit!important;text-decoration:none!important;font-size:inherit!important;font-family:inherit!important;font-weight:inherit!important;line-height:inherit!important}
@media (prefers-color-scheme:dark){.bg{background:${d.page}!important}.cd{background:${d.paper}!important}.bx{background:${d.tint}!important}.t{color:${d.ink}!important}.m{color:${d.muted}!important}.k{color:${d.accent}!important}.l{color:${d.link}!important}.r{border-color:${d.ink}!important}.s{border-color:${d.rule}!important}.kb{border-top-color:${d.accent}!important;border-bottom-color:${d.rule}!important}.bg>table>tbody>tr>td{background:${d.page}!important}${logo}}
@media (max-width:480px){.pd{padding:0 16px!important}.nm{font-size:25px!important;line-height:30px!important}}`;
}
