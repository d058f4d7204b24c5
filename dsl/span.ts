/** A position in a source file. Lines and columns are 1-based; offset is 0-based in UTF-16 units. */
export interface Position {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** A half-open range [start, end) of a source file. */
export interface Span {
  readonly file: string;
  readonly start: Position;
  readonly end: Position;
}

export const spanUnion = (a: Span, b: Span): Span => ({
  file: a.file,
  start: a.start.offset <= b.start.offset ? a.start : b.start,
  end: a.end.offset >= b.end.offset ? a.end : b.end,
});

export const formatSpan = (s: Span): string => `${s.file}:${s.start.line}:${s.start.column}`;
