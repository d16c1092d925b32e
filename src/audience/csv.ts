/**
 * RFC 4180 CSV: fields separated by commas, records by CRLF (LF accepted on input), fields holding a
 * comma, quote, CR or LF wrapped in double quotes with inner quotes doubled.
 */

export interface CsvRecord {
  /** 1-based line on which the record starts (a quoted field may span lines). */
  line: number;
  cells: string[];
}

/** Parses CSV text; an unterminated quote is reported by the line it started on. */
export function parseCsv(text: string): { records: CsvRecord[]; errors: { line: number; message: string }[] } {
  const records: CsvRecord[] = [];
  const errors: { line: number; message: string }[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a BOM from spreadsheet exports
  let line = 1;
  while (i < text.length) {
    const start = line;
    const cells: string[] = [];
    let cell = '';
    let bad: string | null = null;
    for (;;) {
      if (text[i] === '"') {
        i += 1;
        let closed = false;
        while (i < text.length) {
          if (text[i] === '"') {
            if (text[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i += 1;
            closed = true;
            break;
          }
          if (text[i] === '\n') line += 1;
          cell += text[i];
          i += 1;
        }
        if (!closed) {
          errors.push({ line: start, message: 'a quoted field is never closed' });
          return { records, errors };
        }
        // Anything between the closing quote and the next separator is malformed.
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          bad ??= 'text after a closing quote';
          i += 1;
        }
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '"') bad ??= 'a quote inside an unquoted field';
          cell += text[i];
          i += 1;
        }
      }
      cells.push(cell);
      cell = '';
      if (text[i] === ',') {
        i += 1;
        continue;
      }
      if (text[i] === '\r') i += 1;
      if (text[i] === '\n') {
        i += 1;
        line += 1;
      }
      break;
    }
    if (bad) errors.push({ line: start, message: bad });
    else if (!(cells.length === 1 && cells[0] === '')) records.push({ line: start, cells });
  }
  return { records, errors };
}

/**
 * One CSV cell. A value starting with = + - @ tab or CR is prefixed with a single quote so spreadsheets
 * show it instead of running it as a formula (OWASP "CSV injection").
 */
export function csvCell(value: string | null | undefined): string {
  let v = value ?? '';
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function toCsv(rows: (string | null | undefined)[][]): string {
  return rows.map((r) => r.map(csvCell).join(',') + '\r\n').join('');
}
