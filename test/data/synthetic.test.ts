import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { correlatedFeatures } from '../../stdlib/data/correlated_features.js';
import { splineSamples, SPLINE_GAPS } from '../../stdlib/data/spline_samples.js';
import { field, left, right } from './helpers.js';

const corr = (a: readonly number[], b: readonly number[]): number => {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
};

describe('correlated_features', () => {
  const args = { base: 3, copies: 4, noise: 0.1, n: 3000, seed: 2 };

  it('has the schema of the docs', () => {
    expect(correlatedFeatures.schema(args)).toEqual(
      E.right({ x: { dtype: 'float32', shape: [12] }, y: { dtype: 'float32', shape: [] } }),
    );
    expect(correlatedFeatures.schema({})).toEqual(
      E.right({ x: { dtype: 'float32', shape: [100] }, y: { dtype: 'float32', shape: [] } }),
    );
  });

  it('copies of a base feature correlate above 0.9; different bases do not', async () => {
    const ds = right(await correlatedFeatures.load(args, '.'));
    const x = field(ds, 'x');
    const col = (j: number): number[] => Array.from({ length: ds.size }, (_, i) => x.data[i * 12 + j] as number);
    for (let g = 0; g < 3; g++) {
      for (let k = 1; k < 4; k++) expect(corr(col(g * 4), col(g * 4 + k))).toBeGreaterThan(0.9);
    }
    expect(Math.abs(corr(col(0), col(4)))).toBeLessThan(0.1);
    expect(Math.abs(corr(col(4), col(8)))).toBeLessThan(0.1);
  });

  it('y is x·β plus unit noise with β alternating +1/−1 within each group', async () => {
    const ds = right(await correlatedFeatures.load(args, '.'));
    const x = field(ds, 'x');
    const y = field(ds, 'y');
    const residual = (beta: (f: number) => number): number[] =>
      Array.from({ length: ds.size }, (_, i) => {
        let dot = 0;
        for (let f = 0; f < 12; f++) dot += (x.data[i * 12 + f] as number) * beta(f);
        return (y.data[i] as number) - dot;
      });
    const r = residual((f) => ((f % 4) % 2 === 0 ? 1 : -1));
    const m = r.reduce((s, v) => s + v, 0) / r.length;
    const v = r.reduce((s, e) => s + (e - m) ** 2, 0) / r.length;
    expect(Math.abs(m)).toBeLessThan(5 / Math.sqrt(ds.size));
    expect(Math.abs(v - 1)).toBeLessThan(5 * Math.sqrt(2 / ds.size));
    // The same coefficients without the alternation explain y far worse.
    const wrong = residual(() => 1);
    expect(wrong.reduce((s, e) => s + e * e, 0) / wrong.length).toBeGreaterThan(10);
  });

  it('is reproducible by seed and differs for another seed', async () => {
    const a = right(await correlatedFeatures.load(args, '.'));
    const b = right(await correlatedFeatures.load(args, '.'));
    const c = right(await correlatedFeatures.load({ ...args, seed: 3 }, '.'));
    expect(field(b, 'x').data).toEqual(field(a, 'x').data);
    expect(field(b, 'y').data).toEqual(field(a, 'y').data);
    expect(field(c, 'x').data).not.toEqual(field(a, 'x').data);
  });

  it('rejects bad arguments by name', async () => {
    expect(left(await correlatedFeatures.load({ n: -3 }, '.')).message).toMatch(/argument 'n' must be a positive integer, got -3/);
    expect(correlatedFeatures.schema({ bases: 3 })).toEqual(E.left(expect.stringMatching(/unknown argument 'bases'/)));
  });
});

describe('spline_samples', () => {
  it('samples sorted x in [0,1] outside the gaps', async () => {
    const ds = right(await splineSamples.load({ n: 500, seed: 4 }, '.'));
    const x = Array.from(field(ds, 'x').data);
    expect(x.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(x).toEqual([...x].sort((a, b) => a - b));
    for (const [a, b] of SPLINE_GAPS) expect(x.filter((v) => v >= a && v < b)).toEqual([]);
    const noGaps = right(await splineSamples.load({ n: 500, seed: 4, gaps: false }, '.'));
    const [a, b] = SPLINE_GAPS[0] as readonly [number, number];
    expect(Array.from(field(noGaps, 'x').data).filter((v) => v >= a && v < b).length).toBeGreaterThan(30);
  });

  it('has noise of deviation (0.5 + x)σ around sin 2πx + 0.5 sin 8πx', async () => {
    const sigma = 0.2;
    const ds = right(await splineSamples.load({ n: 6000, sigma, seed: 1 }, '.'));
    const x = field(ds, 'x').data;
    const y = field(ds, 'y').data;
    const z = Array.from(x, (xi, i) => ((y[i] as number) - (Math.sin(2 * Math.PI * xi) + 0.5 * Math.sin(8 * Math.PI * xi))) / ((0.5 + xi) * sigma));
    const m = z.reduce((s, v) => s + v, 0) / z.length;
    const v = z.reduce((s, e) => s + (e - m) ** 2, 0) / z.length;
    expect(Math.abs(m)).toBeLessThan(5 / Math.sqrt(z.length));
    expect(Math.abs(v - 1)).toBeLessThan(5 * Math.sqrt(2 / z.length) + 1e-3);
  });

  it('is reproducible by seed', async () => {
    const a = right(await splineSamples.load({}, '.'));
    const b = right(await splineSamples.load({}, '.'));
    const c = right(await splineSamples.load({ seed: 5 }, '.'));
    expect(a.size).toBe(20);
    expect(field(b, 'y').data).toEqual(field(a, 'y').data);
    expect(field(c, 'y').data).not.toEqual(field(a, 'y').data);
  });
});
