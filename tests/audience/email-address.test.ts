import { describe, expect, it } from 'vitest';
import { EmailSchema, emailKey, NameSchema, normalizeEmail } from '../../src/audience/index.ts';

const message = (value: unknown) => {
  const result = EmailSchema.safeParse(value);
  return result.success ? null : result.error.issues[0]!.message;
};

describe('email addresses', () => {
  it('trims and lower-cases the domain only', () => {
    expect(normalizeEmail('  Ann.Lee@Example.COM \n')).toBe('Ann.Lee@example.com');
    expect(EmailSchema.parse(' Ann@EXAMPLE.org ')).toBe('Ann@example.org');
  });

  it('accepts ordinary addresses with plus tags and subdomains', () => {
    for (const ok of ['a@b.co', 'first.last+news@mail.example.co.uk', "o'brien@example.ie"]) expect(message(ok)).toBeNull();
  });

  it.each([
    ['', 'Please enter your email address.'],
    ['   ', 'Please enter your email address.'],
    ['ann.example.com', 'missing an @'],
    ['ann@', "doesn't look like an email address"],
    ['ann@localhost', "doesn't look like an email address"],
    ['a..b@example.com', "doesn't look like an email address"],
    ['ann@exa mple.com', "doesn't look like an email address"],
    ['ann@example.com\r\nBcc: x@evil.test', 'line breaks or angle brackets'],
    ['Ann <ann@example.com>', 'line breaks or angle brackets'],
    ['"ann"@example.com', 'Quotation marks'],
    [`${'a'.repeat(64)}@${'b'.repeat(190)}.com`, 'too long'],
  ])('refuses %j with a readable message', (input, expected) => {
    expect(message(input)).toContain(expected);
  });

  it('refuses international domain names and non-ASCII local parts (as the README says), but takes the xn-- form', () => {
    for (const bad of ['ann@bücher.example', 'zoë@example.com', 'ann@例え.jp', 'ann@example.рф']) {
      expect(message(bad), bad).toContain("doesn't look like an email address");
    }
    expect(message('ann@xn--bcher-kva.example')).toBeNull();
  });

  it('keys an address case-insensitively, local part included', () => {
    expect(emailKey(' Ann.Lee@Example.COM ')).toBe('ann.lee@example.com');
    expect(emailKey('VICTIM@example.com')).toBe(emailKey('vIctim@EXAMPLE.com'));
    expect(emailKey('ann@example.com')).not.toBe(emailKey('anne@example.com'));
  });

  it('refuses a non-string', () => {
    expect(message(42)).toBe('Please enter your email address.');
  });

  it('treats an empty name as none and refuses long or bracketed names', () => {
    expect(NameSchema.parse('  ')).toBeNull();
    expect(NameSchema.parse(' Ann ')).toBe('Ann');
    expect(NameSchema.safeParse('x'.repeat(101)).success).toBe(false);
    expect(NameSchema.safeParse('x'.repeat(100)).success).toBe(true);
    expect(NameSchema.safeParse('<b>Ann</b>').success).toBe(false);
    expect(NameSchema.safeParse('Ann\nBcc').success).toBe(false);
  });
});
