import type { DataError } from '../types.js';

export const dataError = (message: string, file?: string, hint?: string): DataError => ({
  message,
  ...(file !== undefined ? { file } : {}),
  ...(hint !== undefined ? { hint } : {}),
});

/** Adds a hint to an error that has none (a parser does not know where its file comes from). */
export const withHint = (e: DataError, hint: string | undefined): DataError =>
  hint === undefined || e.hint !== undefined ? e : { ...e, hint };
