import { describe, expect, it } from 'vitest';
import { linesChart } from '../../runtime/plot/lines.js';
import { axes, countItems, labelNumber, legendLabels, ruleYs, titleText, xmlProblem } from './svg.js';

const steps = Array.from({ length: 61 }, (_, i) => i * 100);
const decay = (scale: number, tau: number, floor: number) => steps.map((s) => ({ x: s, y: scale * Math.exp(-s / tau) + floor }));

/** Pixel y of value v on an axis, interpolated from its first and last ticks (in log10 when log). */
const yOf = (ticks: { pos: number; label: string }[], v: number, log: boolean): number => {
  const f = (u: number) => (log ? Math.log10(u) : u);
  const a = ticks[0];
  const b = ticks[ticks.length - 1];
  if (a === undefined || b === undefined) throw new Error('no ticks');
  const va = f(labelNumber(a.label));
  const vb = f(labelNumber(b.label));
  return a.pos + ((f(v) - va) / (vb - va)) * (b.pos - a.pos);
};

describe('linesChart', () => {
  it('draws one line per series with a legend naming them', async () => {
    const svg = await linesChart({
      title: 'Losses',
      series: [
        { name: 'fit', points: decay(3, 700, 0.01) },
        { name: 'gen', points: decay(3, 900, 0.2) },
        { name: 'test_mse', points: decay(2, 900, 0.3) },
      ],
    });
    expect(xmlProblem(svg)).toBeUndefined();
    expect(countItems(svg, 'line mark')).toBe(3);
    expect(legendLabels(svg)).toEqual(['fit', 'gen', 'test_mse']);
    expect(titleText(svg)).toBe('Losses');
    const x = axes(svg).x;
    expect(x?.ticks.map((t) => labelNumber(t.label))).toContain(0);
    expect(x?.ticks.map((t) => labelNumber(t.label))).toContain(6000);
  });

  it('labels a linear y axis with increasing values that cover the data', async () => {
    const pts = steps.map((s) => ({ x: s, y: 1 + 2.4 * (1 - Math.exp(-s / 1000)) }));
    const svg = await linesChart({ title: 'rho', series: [{ name: 'rho', points: pts }] });
    const y = axes(svg).y?.ticks ?? [];
    const vals = y.map((t) => labelNumber(t.label));
    expect(vals.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < vals.length; i++) expect(vals[i]).toBeGreaterThan(vals[i - 1] ?? Infinity);
    // Larger values higher up: smaller pixel y.
    for (let i = 1; i < y.length; i++) expect(y[i]?.pos).toBeLessThan(y[i - 1]?.pos ?? -Infinity);
    expect(vals[0]).toBeLessThanOrEqual(Math.min(...pts.map((p) => p.y)));
    expect(vals[vals.length - 1]).toBeGreaterThanOrEqual(Math.max(...pts.map((p) => p.y)) - 1e-9);
  });

  it('puts only powers of ten on a log y axis, enclosing the data', async () => {
    const svg = await linesChart({ title: 'Losses', logY: true, series: [{ name: 'fit', points: decay(5, 800, 1e-3) }] });
    expect(xmlProblem(svg)).toBeUndefined();
    const labels = (axes(svg).y?.ticks ?? []).map((t) => labelNumber(t.label));
    expect(labels.length).toBeGreaterThanOrEqual(3);
    for (const v of labels) expect(Math.abs(Math.log10(v) - Math.round(Math.log10(v)))).toBeLessThan(1e-9);
    expect(Math.min(...labels)).toBeLessThanOrEqual(1e-3);
    expect(Math.max(...labels)).toBeGreaterThanOrEqual(5);
  });

  it('draws a reference line where the y axis maps its value (linear axis)', async () => {
    const pts = steps.map((s) => ({ x: s, y: 1 + 2.4 * (1 - Math.exp(-s / 1000)) }));
    const svg = await linesChart({ title: 'rho', series: [{ name: 'rho', points: pts }], references: [{ value: 3.2, label: 'best ridge norm' }] });
    const rules = ruleYs(svg);
    expect(rules).toHaveLength(1);
    expect(Math.abs((rules[0] ?? NaN) - yOf(axes(svg).y?.ticks ?? [], 3.2, false))).toBeLessThan(1);
    expect(svg).toContain('best ridge norm = 3.2');
  });

  it('draws a reference line where the y axis maps its value (log axis)', async () => {
    const svg = await linesChart({ title: 'gen', logY: true, series: [{ name: 'gen', points: decay(5, 800, 1e-3) }], references: [{ value: 0.05, label: 'best' }] });
    const rules = ruleYs(svg);
    expect(rules).toHaveLength(1);
    expect(Math.abs((rules[0] ?? NaN) - yOf(axes(svg).y?.ticks ?? [], 0.05, true))).toBeLessThan(1);
  });

  it('skips non-finite values (and non-positive ones on a log axis) without breaking the chart', async () => {
    const pts = [{ x: 0, y: 1 }, { x: 1, y: NaN }, { x: 2, y: 0 }, { x: 3, y: 0.01 }];
    const svg = await linesChart({ title: 't', logY: true, series: [{ name: 'a', points: pts }] });
    expect(xmlProblem(svg)).toBeUndefined();
    // Few points get a marker each: the two drawable ones.
    expect(countItems(svg, 'point')).toBe(2);
  });

  it('renders an empty chart when no value is drawable', async () => {
    const svg = await linesChart({ title: 'nothing yet', logY: true, series: [{ name: 'a', points: [{ x: 0, y: NaN }, { x: 1, y: -1 }] }] });
    expect(xmlProblem(svg)).toBeUndefined();
    expect(countItems(svg, 'point')).toBe(0);
  });
});
