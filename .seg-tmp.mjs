import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const [file, prefix, width, scheme, ...offsets] = process.argv.slice(2);
const page = await browser.newPage({ viewport: { width: Number(width), height: 900 }, colorScheme: scheme });
await page.route('**/*', (route) => {
  const url = route.request().url();
  if (url.includes('/assets/brand/')) return route.fulfill({ body: readFileSync('data/brand/' + url.split('/').pop()), contentType: 'image/png' });
  return url.startsWith('http') ? route.abort() : route.continue();
});
await page.setContent(readFileSync(file, 'utf8'), { waitUntil: 'load' });
const h = await page.evaluate(() => document.documentElement.scrollHeight);
console.log('height', h);
for (const o of offsets) {
  const y = o === 'end' ? h - 900 : Number(o);
  await page.screenshot({ path: `${prefix}-${o}.png`, clip: { x: 0, y, width: Number(width), height: 900 }, fullPage: true });
}
await browser.close();
