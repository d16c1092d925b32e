/**
 * Runs in the page: every element with its own visible text, whose colour has a contrast ratio under
 * 4.5:1 (WCAG AA) against the first opaque background found walking up from it.
 */
export function lowContrastText(): Array<{ text: string; color: string; background: string; ratio: number }> {
  const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
  const lum = (c: string) => {
    const [r, g, b] = rgb(c).slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const opaque = (c: string) => c !== 'transparent' && !(rgb(c).length === 4 && rgb(c)[3] === 0);
  const out: Array<{ text: string; color: string; background: string; ratio: number }> = [];
  for (const el of Array.from(document.body.querySelectorAll('*'))) {
    const own = Array.from(el.childNodes).filter((n) => n.nodeType === 3).map((n) => n.textContent ?? '').join('').trim();
    const style = getComputedStyle(el);
    if (!own || style.display === 'none' || style.opacity === '0') continue;
    let background = 'rgb(255, 255, 255)'; // what a client paints under a transparent page
    for (let e: Element | null = el; e; e = e.parentElement) {
      const bg = getComputedStyle(e).backgroundColor;
      if (opaque(bg)) {
        background = bg;
        break;
      }
    }
    const [a, b] = [lum(style.color), lum(background)].sort((x, y) => y - x) as [number, number];
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) out.push({ text: own.slice(0, 40), color: style.color, background, ratio: Math.round(ratio * 100) / 100 });
  }
  return out;
}

