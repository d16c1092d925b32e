import { describe, expect, it } from 'vitest';
import { csvCell, parseCsv, toCsv } from '../../src/audience/index.ts';

describe('CSV', () => {
  it('parses quoted fields with commas, doubled quotes and line breaks, reporting start lines', () => {
    const { records, errors } = parseCsv('email,name\r\nann@example.com,"Lee, Ann"\n"bob@example.com","Bob ""B"" \nJones"\ncat@example.com\n');
    expect(errors).toEqual([]);
    expect(records).toEqual([
      { line: 1, cells: ['email', 'name'] },
      { line: 2, cells: ['ann@example.com', 'Lee, Ann'] },
      { line: 3, cells: ['bob@example.com', 'Bob "B" \nJones'] },
      { line: 5, cells: ['cat@example.com'] },
    ]);
  });

  it('reports malformed quoting by line', () => {
    expect(parseCsv('a@b.co,x"y\n').errors).toEqual([{ line: 1, message: 'a quote inside an unquoted field' }]);
    expect(parseCsv('ok@b.co\n"open@b.co,name\n').errors).toEqual([{ line: 2, message: 'a quoted field is never closed' }]);
  });

  it('prefixes formula-looking cells with a quote', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(csvCell(`${start}SUM(A1)`).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('Ann')).toBe('Ann');
  });

  it('writes RFC 4180 records with CRLF and quotes only where needed', () => {
    expect(toCsv([['a', 'b,c', null], ['line\nbreak', 'q"uote', '']])).toBe('a,"b,c",\r\n"line\nbreak","q""uote",\r\n');
  });
});
