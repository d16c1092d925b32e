import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { contrastRatio, imageSize, liftToContrast, loadConfig, NEUTRALS, parseConfig, resolveBrand } from '../../src/content/index.ts';
import { DaybreakError } from '../../src/errors.ts';

const REPO = join(import.meta.dirname, '../..');
let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

function problems(brand: unknown, file = 'daybreak.config.json'): string[] {
  try {
    parseConfig(file, JSON.stringify({ publisher: { brand } }));
  } catch (error) {
    expect(error).toBeInstanceOf(DaybreakError);
    return (error as DaybreakError).details;
  }
  return [];
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'daybreak-brand-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('publisher.brand in the config', () => {
  it('computes WCAG contrast as the spec defines it', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(contrastRatio('#fff', '#ffffff')).toBe(1);
  });

  it('refuses an accent colour too light to read on white, naming the key, the ratio and the background', () => {
    expect(problems({ accentColor: '#e8a090' })).toEqual([
      'daybreak.config.json: publisher.brand.accentColor: "#e8a090" has a contrast of 2.13:1 on the card (#ffffff) in light mode; WCAG AA needs 4.5:1 for text (choose a darker shade)',
    ]);
  });

  it('refuses a link colour that passes on white but not on the tinted page background', () => {
    // #767676 is the classic "just passes on white" grey; the footer sits on #eeebe4.
    expect(contrastRatio('#767676', '#ffffff')).toBeGreaterThan(4.5);
    const [line] = problems({ linkColor: '#767676' });
    expect(line).toMatch(/^daybreak\.config\.json: publisher\.brand\.linkColor: "#767676" has a contrast of 3\.\d\d:1 on the page and footer \(#eeebe4\) in light mode/);
  });

  it('checks the dark-mode colours against the dark backgrounds, naming their keys', () => {
    const lines = problems({ accentColorDark: '#9c2b1c', linkColorDark: '#0b4f8a' });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/publisher\.brand\.accentColorDark: "#9c2b1c" has a contrast of \d\.\d\d:1 on the card \(#1e1e1e\) in dark mode; .* \(choose a lighter shade\)$/);
    expect(lines[1]).toMatch(/^daybreak\.config\.json: publisher\.brand\.linkColorDark: /);
  });

  it('derives a dark accent that passes AA on every dark background when none is given', () => {
    const brand = resolveBrand({ baseUrl: 'https://x.example', publisher: { name: 'P', brand: parseConfig('c.json', JSON.stringify({ publisher: { brand: { accentColor: '#9c2b1c' } } })).publisher.brand } });
    for (const bg of [NEUTRALS.dark.paper, NEUTRALS.dark.page, NEUTRALS.dark.tint, NEUTRALS.dark.site]) {
      expect(contrastRatio(brand.dark.accent, bg)).toBeGreaterThanOrEqual(4.5);
    }
    expect(brand.dark.accent).not.toBe('#9c2b1c');
    expect(liftToContrast('#9c2b1c', [NEUTRALS.dark.paper])).not.toBe('#ffffff');
  });

  it('refuses colours and font lists that are not what they claim to be', () => {
    expect(problems({ accentColor: 'red' })).toEqual(['daybreak.config.json: publisher.brand.accentColor: Expected a hex colour like "#9c2b1c"']);
    const [font] = problems({ fontFamily: 'Georgia;} body{display:none' });
    expect(font).toMatch(/^daybreak\.config\.json: publisher\.brand\.fontFamily: Expected a CSS font list/);
    expect(problems({ logo: 'data/brand/logo.svg' })).toEqual([
      'daybreak.config.json: publisher.brand.logo: Expected a .png, .jpg or .gif file (email clients do not show SVG or WebP)',
    ]);
  });

  it('says which logo file is missing, and which file is not an image', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'fake.png'), 'not a png');
    const config = join(dir, 'daybreak.config.json');
    expect(problems({ logo: 'nowhere/logo.png' }, config)).toEqual([`${config}: publisher.brand.logo: file not found: ${join(dir, 'nowhere/logo.png')}`]);
    expect(problems({ logo: 'fake.png' }, config)).toEqual([`${config}: publisher.brand.logo: ${join(dir, 'fake.png')} is not a PNG, JPEG or GIF image`]);
  });

  it('resolves the logo against the config file and gives it an absolute URL under baseUrl with the file proportions', () => {
    const dir = tempDir();
    copyFileSync(join(REPO, 'data/brand/logo.png'), join(dir, 'mark.png'));
    const file = join(dir, 'daybreak.config.json');
    writeFileSync(file, JSON.stringify({ baseUrl: 'https://news.example.org/', publisher: { brand: { logo: 'mark.png', logoWidth: 240 } } }));
    const config = loadConfig({ file });
    const brand = resolveBrand(config);
    const size = imageSize(join(dir, 'mark.png'))!;
    expect(brand.logo).toMatchObject({
      url: 'https://news.example.org/assets/brand/logo.png',
      path: '/assets/brand/logo.png',
      file: join(dir, 'mark.png'),
      contentType: 'image/png',
      width: 240,
      height: Math.round((240 * size.height) / size.width),
    });
    expect(brand.logoDark).toBeNull();
  });

  it('reads the size of PNG, GIF and JPEG headers', () => {
    const dir = tempDir();
    const gif = Buffer.from('474946383961' + '2c01' + '6400' + '000000', 'hex');
    writeFileSync(join(dir, 'a.gif'), gif);
    // A minimal JPEG: SOI, an APP0 segment to skip, then SOF0 with height 50, width 70.
    const jpeg = Buffer.from('ffd8' + 'ffe00004' + '0000' + 'ffc0000b08' + '0032' + '0046' + '01011100', 'hex');
    writeFileSync(join(dir, 'a.jpg'), jpeg);
    expect(imageSize(join(dir, 'a.gif'))).toEqual({ width: 300, height: 100, type: 'gif' });
    expect(imageSize(join(dir, 'a.jpg'))).toEqual({ width: 70, height: 50, type: 'jpeg' });
    expect(imageSize(join(REPO, 'data/brand/logo.png'))).toMatchObject({ type: 'png' });
  });

  it('takes the sample config as shipped, with both logos and every brand key', () => {
    const config = loadConfig({ file: join(REPO, 'daybreak.config.json') });
    const brand = config.publisher.brand;
    expect(Object.keys(brand).sort()).toEqual(['accentColor', 'fontFamily', 'headingFontFamily', 'linkColor', 'logo', 'logoDark', 'logoWidth'].sort());
    expect(resolveBrand(config).logoDark?.url).toBe('http://localhost:3000/assets/brand/logo-dark.png');
  });

  it('refuses a section listed twice in a newsletter', () => {
    expect(() => parseConfig('c.json', JSON.stringify({ newsletters: [{ id: 'm', name: 'M', sections: ['World', 'Politics', 'World'] }] }))).toThrow(
      'c.json: newsletters[0].sections[2]: "World" is already listed at [0]',
    );
  });
});
