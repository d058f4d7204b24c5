/** Reading the noise study's run folders: metrics rows, last values, mean ± sd. */
import * as E from 'fp-ts/lib/Either.js';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { MetricsRow } from '../../runtime/plot/formats.js';

export const rowsOf = (dir: string): MetricsRow[] => {
  const f = path.join(dir, 'metrics.jsonl');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      const r = MetricsRow.decode(JSON.parse(l));
      return E.isRight(r) ? [r.right] : [];
    });
};

export const num = (r: MetricsRow | undefined, k: string): number => {
  const v = r?.[k];
  return typeof v === 'number' ? v : Number.NaN;
};

/** The last row of each member (rows without a `member` tag are member 0). */
export const memberFinals = (rows: readonly MetricsRow[]): MetricsRow[] => {
  const by = new Map<number, MetricsRow>();
  for (const r of rows) by.set(typeof r.member === 'number' ? r.member : 0, r);
  return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
};

/** The logged log σ of each noise block in a row, in block order. */
export const logSigmas = (r: MetricsRow | undefined): number[] =>
  Object.keys(r ?? {})
    .filter((k) => k.endsWith('noise.log_sigma'))
    .sort()
    .map((k) => num(r, k));

export const meanSd = (xs: readonly number[]): { mean: number; sd: number; n: number } => {
  const v = xs.filter((x) => Number.isFinite(x));
  const n = v.length;
  const mean = v.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const sd = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : Number.NaN;
  return { mean, sd, n };
};

/** "mean ± sd" with `d` decimals (just the mean for one value, "—" for none). */
export const fmt = (xs: readonly number[], d = 3, scale = 1): string => {
  const { mean, sd, n } = meanSd(xs.map((x) => x * scale));
  if (n === 0) return '—';
  return n === 1 ? mean.toFixed(d) : `${mean.toFixed(d)} ± ${sd.toFixed(d)}`;
};

export const timingOf = (dir: string): { wall_s: number; cpu_s: number; load_before: string } | undefined => {
  const f = path.join(dir, 'timing.json');
  if (!existsSync(f)) return undefined;
  const v: unknown = JSON.parse(readFileSync(f, 'utf8'));
  if (typeof v !== 'object' || v === null || !('wall_s' in v) || !('cpu_s' in v) || !('load_before' in v)) return undefined;
  const { wall_s, cpu_s, load_before } = v;
  return typeof wall_s === 'number' && typeof cpu_s === 'number' && typeof load_before === 'string' ? { wall_s, cpu_s, load_before } : undefined;
};
