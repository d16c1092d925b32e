import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const [file, out, width, scheme, full] = process.argv.slice(2);
const page = await browser.newPage({ viewport: { width: Number(width), height: 900 }, colorScheme: scheme });
// Serve the logo from the repo instead of localhost:3000.
await page.route('**/*', (route) => {
  const url = route.request().url();
  if (url.includes('/assets/brand/')) return route.fulfill({ body: readFileSync('data/brand/' + url.split('/').pop()), contentType: 'image/png' });
  return url.startsWith('http') ? route.abort() : route.continue();
});
await page.setContent(readFileSync(file, 'utf8'), { waitUntil: 'load' });
await page.screenshot({ path: out, fullPage: full === 'full' });
await browser.close();
