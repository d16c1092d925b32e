import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/web/index.ts';
import { parseUrlEncoded } from '../../src/web/read-body.ts';

describe('form decoding', () => {
  it('decodes plus signs, escapes, repeated keys and raw or escaped UTF-8 including emoji', () => {
    const fields = parseUrlEncoded('name=Zo%C3%AB+%F0%9F%A6%8A&newsletters=a&newsletters=b&raw=🦊é%21&empty=&flag');
    expect(fields.get('name')).toEqual(['Zoë 🦊']);
    expect(fields.get('newsletters')).toEqual(['a', 'b']);
    expect(fields.get('raw')).toEqual(['🦊é!']);
    expect(fields.get('empty')).toEqual(['']);
    expect(fields.get('flag')).toEqual(['']);
  });

  it('refuses escapes that are not UTF-8 and stray percent signs with a 400', () => {
    for (const bad of ['email=%FF', 'email=%C3', 'email=50%', 'email=%zz']) {
      let caught: unknown;
      try {
        parseUrlEncoded(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(HttpError);
      expect((caught as HttpError).status).toBe(400);
    }
  });
});
