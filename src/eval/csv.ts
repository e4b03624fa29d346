/**
 * A small RFC 4180 CSV reader: comma-separated fields, optional double quotes around a field (inside
 * them "" is a quote, and commas and line breaks are literal), LF or CRLF line ends, a leading BOM
 * dropped, blank lines skipped. Malformed quoting is an IrisError('bad-input') with the line number.
 */
import { IrisError } from '../errors';

export interface CsvRow {
  fields: string[];
  /** 1-based line on which the row starts. */
  line: number;
}

type FieldState = 'start' | 'unquoted' | 'quoted' | 'closed';

export function parseCsv(text: string, name = 'CSV file'): CsvRow[] {
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let state: FieldState = 'start';
  let quotedRow = false;
  let line = 1;
  let rowLine = 1;
  let quoteLine = 1;
  const fail = (message: string): never => {
    throw new IrisError('bad-input', `${name}: line ${line}: ${message}`);
  };
  const endField = (): void => {
    fields.push(field);
    field = '';
    state = 'start';
  };
  const endRow = (): void => {
    endField();
    const blank = fields.length === 1 && !quotedRow && fields[0].trim() === '';
    if (!blank) rows.push({ fields, line: rowLine });
    fields = [];
    quotedRow = false;
  };

  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i];
    if (state === 'quoted') {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        state = 'closed';
      } else {
        if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
        field += c;
      }
    } else if (c === ',') {
      endField();
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else if (state === 'closed') {
      fail(`unexpected ${JSON.stringify(c)} after a closing quote.`);
    } else if (c === '"') {
      if (state === 'unquoted') fail('a quote inside an unquoted field (quote the whole field and double the quote).');
      state = 'quoted';
      quotedRow = true;
      quoteLine = line;
    } else {
      state = 'unquoted';
      field += c;
    }
  }
  if (state === 'quoted') {
    line = quoteLine;
    fail('the quoted field that starts here is never closed.');
  }
  endRow();
  return rows;
}
