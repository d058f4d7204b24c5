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
    if (s === '') return t.failure(u, c);
    const v = Number(s);
    return Number.isFinite(v) ? t.success(v) : t.failure(u, c);
  },
  String,
);

const unquote = (s: string): string => {
  const v = s.trim();
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).trim() : v;
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
  const header = opts.header ? first.text.split(',').map(unquote) : undefined;
  const width = header?.length ?? first.text.split(',').length;
  const body = opts.header ? content.slice(1) : content;
  if (body.length === 0) return E.left(dataError('has a header row but no data rows', file));
  const values = new Float64Array(body.length * width);
  for (let r = 0; r < body.length; r++) {
    const row = body[r] as { line: number; text: string };
    const cells = row.text.split(',');
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
