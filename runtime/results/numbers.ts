/**
 * Non-finite numbers in the run folder's JSON files: JSON has no NaN or ±Infinity, so every file
 * xreg writes (metrics.jsonl, manifest.json, the checkpoint header) spells them as the strings
 * "NaN", "Infinity" and "-Infinity" — never null, which would make NaN and +Infinity the same.
 */

export type EncodedNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export const encodeNumber = (n: number): EncodedNumber => (Number.isFinite(n) ? n : Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity');

const NON_FINITE: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** The number a JSON value stands for, or undefined when it is none. */
export const decodeNumber = (u: unknown): number | undefined => (typeof u === 'number' ? u : typeof u === 'string' ? NON_FINITE[u] : undefined);
