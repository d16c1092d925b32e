import { describe, expect, it } from 'vitest';
import { encodeDisplayName, encodeUnstructured, formatMailbox, isSafeAddress, qpEncode, sanitizeHeaderText } from '../../src/delivery/index.ts';

/** A strict quoted-printable decoder (RFC 2045 §6.7) to check the encoder against. */
function qpDecode(encoded: string): string {
  const bytes: number[] = [];
  const lines = encoded.split('\r\n');
  lines.forEach((line, i) => {
    let soft = false;
    for (let j = 0; j < line.length; j++) {
      const c = line[j]!;
      if (c === '=') {
        if (j === line.length - 1) {
          soft = true;
          break;
        }
        const hex = line.slice(j + 1, j + 3);
        if (!/^[0-9A-F]{2}$/.test(hex)) throw new Error(`bad escape "=${hex}"`);
        bytes.push(parseInt(hex, 16));
        j += 2;
      } else bytes.push(...Buffer.from(c, 'utf8'));
    }
    if (!soft && i < lines.length - 1) bytes.push(13, 10);
  });
  return Buffer.from(bytes).toString('utf8');
}

describe('qpEncode', () => {
  const samples = [
    '',
    'plain ascii',
    'a=b and ==',
    'trailing space ',
    'tab\t',
    'line one\nline two \nline three',
    'crlf\r\nkept',
    'Zoë "Z" <O\'Brien> & 🦊 — “quotes”',
    'x'.repeat(500),
    '🦊'.repeat(100),
    `<a href="https://example.com/?a=1&b=2">${'word '.repeat(60)}</a>`,
  ];
  for (const sample of samples) {
    it(`round-trips ${JSON.stringify(sample.slice(0, 30))} with every line at most 76 characters`, () => {
      const encoded = qpEncode(sample);
      expect(qpDecode(encoded)).toBe(sample.replace(/\r?\n/g, '\r\n'));
      for (const line of encoded.split('\r\n')) {
        expect(line.length).toBeLessThanOrEqual(76);
        expect(line).not.toMatch(/[ \t]$/);
      }
      expect(encoded.endsWith('=') && !encoded.endsWith('==')).toBe(false);
    });
  }

  it('never starts a line with a dot, so SMTP has no line to dot-stuff', () => {
    const sample = `.leading\n..two\n${'a'.repeat(75)}.wrapped\n. spaced.\n.`;
    const encoded = qpEncode(sample);
    expect(qpDecode(encoded)).toBe(sample.replace(/\n/g, '\r\n'));
    expect(encoded.split('\r\n').filter((line) => line.startsWith('.'))).toEqual([]);
    expect(encoded.startsWith('=2Eleading\r\n=2E.two\r\n')).toBe(true);
    // a dot that lands at the start of a line after a soft break is encoded too
    expect(encoded).toContain('=\r\n=2Ewrapped');
  });

  it('joins encoded pieces with soft breaks into exactly the concatenated text', () => {
    const a = qpEncode('Hello, ');
    const b = qpEncode('Zoë 🦊');
    const c = qpEncode('! Bye.');
    expect(qpDecode(`${a}=\r\n${b}=\r\n${c}`)).toBe('Hello, Zoë 🦊! Bye.');
    expect(qpDecode(`${qpEncode('')}=\r\n${qpEncode('')}=\r\n`)).toBe('');
  });
});

describe('header encoders', () => {
  it('removes CR and LF so user text can never start a new header', () => {
    expect(sanitizeHeaderText('Eve\r\nBcc: x@example.com')).toBe('Eve Bcc: x@example.com');
    expect(encodeDisplayName('Eve\r\nBcc: x@example.com')).toBe('"Eve Bcc: x@example.com"');
    expect(encodeUnstructured('Hi\r\nBcc: x@example.com', 9)).toBe('Hi Bcc: x@example.com');
  });

  it('quotes ASCII names with escapes and encodes the rest as RFC 2047 words of at most 75 characters', () => {
    expect(encodeDisplayName('Ann "The Reader" \\o/')).toBe('"Ann \\"The Reader\\" \\\\o/"');
    const encoded = encodeDisplayName('Zoë 🦊 '.repeat(20));
    for (const word of encoded.split('\r\n ')) {
      expect(word).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
      expect(word.length).toBeLessThanOrEqual(75);
    }
    expect(encodeDisplayName('plain =?utf-8?q?trick?=')).toMatch(/^=\?UTF-8\?B\?/);
  });

  it('folds a long ASCII subject at spaces under 78 characters a line', () => {
    const subject = encodeUnstructured('The Morning Briefing: ' + 'words '.repeat(40).trim(), 9);
    const lines = ('Subject: ' + subject).split('\r\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(78);
    expect(lines.join('').replace(/\s+/g, ' ')).toBe(('Subject: The Morning Briefing: ' + 'words '.repeat(40).trim()).replace(/\s+/g, ' '));
  });

  it('accepts ordinary addresses and refuses anything that could break a header or an envelope', () => {
    for (const ok of ['ana@example.com', 'a.b+tag@sub.example.co.uk', "o'brien@example.ie", 'zoë@exämple.com']) expect(isSafeAddress(ok)).toBe(true);
    for (const bad of ['a@b.com\r\nBcc: c@d.com', 'a b@example.com', '<a@example.com>', 'a@example.com>', '"q"@example.com', 'noat', 'a@', '@b.com', 'a..b@example.com']) {
      expect(isSafeAddress(bad)).toBe(false);
    }
    expect(formatMailbox('ana@example.com', null)).toBe('ana@example.com');
    expect(formatMailbox('ana@example.com', 'Ana')).toBe('"Ana" <ana@example.com>');
  });
});
