/** Comma-separated numbers, as found in small public data sets; every cell decoded with io-ts. */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import type { DataError } from '../types.js';
import { dataError } from './errors.js';

/** A cell holding a finite decimal number (surrounding spaces and quotes allowed). */
export const NumberFromCell = new t.Type<number, string, unknown>(
  'NumberFromCell',
  (u): u is number => typeof u === 'number' && Number.isFinite(u),
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c);
    const s = unquote(u);
    // Decimal only: Number() would also read "0x1A" as 26, "0b11" as 3 and "" as 0.
    if (!DECIMAL.test(s)) return t.failure(u, c);
    const v = Number(s);
    return Number.isFinite(v) ? t.success(v) : t.failure(u, c);
  },
  String,
);

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const unquote = (s: string): string => {
  const v = s.trim();
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replaceAll('""', '"').trim() : v;
};

/**
 * The cells of one CSV line (RFC 4180): a quoted cell may hold commas and doubled quotes
 * (`"income, net"`); cells keep their quotes for `unquote`.
 */
export const splitCsvLine = (line: string): string[] => {
  const cells: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      cells.push(line.slice(start, i));
      start = i + 1;
    }
  }
  cells.push(line.slice(start));
  return cells;
};

export interface NumericTable {
  /** Column names, when the file has a header row. */
  readonly header: readonly string[] | undefined;
  readonly width: number;
  readonly rows: number;
  /** Row-major values. */
  readonly values: Float64Array;
}

const describeCell = (raw: string): string => (raw.trim() === '' ? 'is empty' : `${JSON.stringify(raw.trim())} is not a number`);

/** Parses the text of a CSV file whose cells are all numbers, optionally below a header row. */
export const parseNumericCsv = (
  file: string,
  text: string,
  opts: { readonly header: boolean },
): E.Either<DataError, NumericTable> => {
  const lines = text.split(/\r?\n/);
  // Line numbers in messages are the file's own (1-based), so blank lines are skipped, not removed.
  const content = lines.map((l, i) => ({ line: i + 1, text: l })).filter((l) => l.text.trim() !== '');
  const first = content[0];
  if (first === undefined) return E.left(dataError(`is empty (expected ${opts.header ? 'a header row, then ' : ''}rows of numbers)`, file));
  const header = opts.header ? splitCsvLine(first.text).map(unquote) : undefined;
  const width = header?.length ?? splitCsvLine(first.text).length;
  const body = opts.header ? content.slice(1) : content;
  if (body.length === 0) return E.left(dataError('has a header row but no data rows', file));
  const values = new Float64Array(body.length * width);
  for (let r = 0; r < body.length; r++) {
    const row = body[r] as { line: number; text: string };
    const cells = splitCsvLine(row.text);
    if (cells.length !== width) {
      const what = header ? 'the header has' : `line ${first.line} has`;
      return E.left(dataError(`line ${row.line} has ${cells.length} columns but ${what} ${width}`, file));
    }
    for (let c = 0; c < width; c++) {
      const raw = cells[c] as string;
      const v = NumberFromCell.decode(raw);
      if (E.isLeft(v)) {
        const col = header ? `column '${header[c] ?? c + 1}'` : `column ${c + 1}`;
        return E.left(dataError(`line ${row.line}, ${col}: ${describeCell(raw)}`, file));
      }
      values[r * width + c] = v.right;
    }
  }
  return E.right({ header, width, rows: body.length, values });
};
