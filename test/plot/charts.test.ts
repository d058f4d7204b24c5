import { describe, expect, it } from 'vitest';
import { membersChart, meanOverMembers } from '../../runtime/plot/members.js';
import { bestPathPoint, normAxisTitle, pathChart } from '../../runtime/plot/path.js';
import { expectedCalibrationError, reliabilityChart } from '../../runtime/plot/reliability.js';
import { scatterChart } from '../../runtime/plot/scatter.js';
import { coefficientsChart } from '../../runtime/plot/coefficients.js';
import { splineChart } from '../../runtime/plot/spline.js';
import { axes, countItems, labelNumber, legendLabels, ruleYs, titleText, xmlProblem } from './svg.js';

/** A small deterministic generator (the charts need varied data, not randomness). */
const lcg = (seed: number) => {
  let s = seed >>> 0;
  return (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
};

describe('membersChart', () => {
  const members = Array.from({ length: 12 }, (_, m) => ({
    member: m,
    points: Array.from({ length: 20 }, (_, i) => ({ x: i * 10, y: 1 + m * 0.1 + Math.exp(-i / (3 + m)) })),
  }));

  it('averages over the members that logged at each step', () => {
    const ragged = [
      { member: 0, points: [{ x: 0, y: 1 }, { x: 1, y: 3 }] },
      { member: 1, points: [{ x: 0, y: 2 }, { x: 1, y: NaN }, { x: 2, y: 7 }] },
    ];
    expect(meanOverMembers(ragged, false)).toEqual([{ x: 0, y: 1.5 }, { x: 1, y: 3 }, { x: 2, y: 7 }]);
  });

  it('draws a thin line per member, the mean, and the highlighted member', async () => {
    const svg = await membersChart({ title: 'gen per member', yLabel: 'gen', members, highlight: 4 });
    expect(xmlProblem(svg)).toBeUndefined();
    expect(countItems(svg, 'line mark')).toBe(12 + 1 + 1);
    // Over ten members there is no per-member legend.
    expect(legendLabels(svg)).toEqual([]);
    expect(svg).toContain('12 members');
  });

  it('names up to ten members in a legend', async () => {
    const svg = await membersChart({ title: 'gen', yLabel: 'gen', members: members.slice(0, 3) });
    expect(countItems(svg, 'line mark')).toBe(3 + 1);
    expect(legendLabels(svg)).toEqual(['0', '1', '2']);
  });
});

describe('pathChart', () => {
  const lams = Array.from({ length: 30 }, (_, i) => 10 ** (-2.5 + (2.5 * i) / 29));
  const points = lams.map((lambda) => {
    const norm = 30 / (1 + 20 * lambda);
    return { lambda, norm, reg_loss: 0.5 + 0.002 * (norm - 18) ** 2, test_loss: 0.55 + 0.0025 * (norm - 17) ** 2 };
  });

  it('finds the point of lowest validation loss', () => {
    const best = bestPathPoint(points);
    const direct = points.map((p) => p.reg_loss).indexOf(Math.min(...points.map((p) => p.reg_loss)));
    expect(best).toEqual(points[direct]);
    expect(bestPathPoint([])).toBeUndefined();
  });

  it('draws the validation and test curves, rings the best point, and marks the cross-regularization result', async () => {
    const svg = await pathChart({
      title: 'LASSO path',
      normLabel: normAxisTitle('l1'),
      lossLabel: 'MSE',
      points,
      markers: [{ norm: 18.5, reg_loss: 0.51, label: 'cross-regularization' }],
    });
    expect(xmlProblem(svg)).toBeUndefined();
    expect(countItems(svg, 'line mark')).toBe(2);
    // A marker per path point on each curve, the ring, the diamond.
    expect(countItems(svg, 'point')).toBe(2 * points.length + 1 + 1);
    const best = bestPathPoint(points);
    const legend = legendLabels(svg);
    expect(legend).toContain('cross-regularization');
    expect(legend.some((l) => l.startsWith('best on path') && l.includes(String(Number(best?.lambda.toPrecision(4)))))).toBe(true);
    expect(svg).toContain('>L1 norm<');
  });
});

describe('reliabilityChart', () => {
  // Predictions from an over-confident model: correct with probability below the stated confidence.
  const rnd = lcg(7);
  const samples = Array.from({ length: 4000 }, () => {
    const conf = 0.1 + 0.9 * rnd();
    return { conf, correct: rnd() < conf - 0.15 * conf * conf };
  });
  const nBins = 15;
  const bins = Array.from({ length: nBins }, (_, b) => {
    const inBin = samples.filter((s) => Math.min(nBins - 1, Math.floor(s.conf * nBins)) === b);
    const n = inBin.length;
    return {
      confidence: n > 0 ? inBin.reduce((a, s) => a + s.conf, 0) / n : 0,
      accuracy: n > 0 ? inBin.filter((s) => s.correct).length / n : 0,
      count: n,
    };
  });

  it('computes ECE from bins as the per-sample definition gives it', () => {
    // (1/N) Σ_b |Σ_{i∈b} (correct_i − conf_i)|, summed from the samples directly.
    const perBin = new Map<number, number>();
    for (const s of samples) {
      const b = Math.min(nBins - 1, Math.floor(s.conf * nBins));
      perBin.set(b, (perBin.get(b) ?? 0) + (s.correct ? 1 : 0) - s.conf);
    }
    const direct = [...perBin.values()].reduce((a, v) => a + Math.abs(v), 0) / samples.length;
    expect(expectedCalibrationError(bins)).toBeCloseTo(direct, 12);
  });

  it('draws an accuracy bar and a gap bar per non-empty bin, the diagonal, and ECE in the title', async () => {
    const svg = await reliabilityChart({ title: 'calibration', bins });
    expect(xmlProblem(svg)).toBeUndefined();
    const nonEmpty = bins.filter((b) => b.count > 0).length;
    expect(countItems(svg, 'bar')).toBe(2 * nonEmpty);
    expect(countItems(svg, 'line mark')).toBe(1);
    expect(titleText(svg)).toContain(`ECE = ${expectedCalibrationError(bins).toFixed(3)}`);
    const x = (axes(svg).x?.ticks ?? []).map((t) => labelNumber(t.label));
    expect(x[0]).toBe(0);
    expect(x[x.length - 1]).toBe(1);
  });
});

describe('splineChart', () => {
  it('draws each data point and each curve, with the splits in the legend', async () => {
    const f = (x: number) => Math.sin(2 * Math.PI * x) + 0.5 * Math.sin(8 * Math.PI * x);
    const rnd = lcg(3);
    const data = Array.from({ length: 24 }, (_, i) => {
      const x = rnd();
      return { x, y: f(x) + 0.1 * (rnd() - 0.5), split: i % 3 === 0 ? 'reg' : 'train' };
    });
    const grid = Array.from({ length: 101 }, (_, i) => i / 100);
    const svg = await splineChart({
      title: 'spline',
      data,
      curves: [
        { name: 'fitted', points: grid.map((x) => ({ x, y: 0.9 * f(x) })) },
        { name: 'true', points: grid.map((x) => ({ x, y: f(x) })) },
      ],
    });
    expect(xmlProblem(svg)).toBeUndefined();
    expect(countItems(svg, 'point')).toBe(24);
    expect(countItems(svg, 'line mark')).toBe(2);
    expect(new Set(legendLabels(svg))).toEqual(new Set(['data: reg', 'data: train', 'fitted', 'true']));
  });
});

describe('coefficientsChart', () => {
  it('draws a point per finite coefficient and series, by index, with a zero line', async () => {
    const rnd = lcg(5);
    const w = Array.from({ length: 100 }, () => rnd() - 0.5);
    const svg = await coefficientsChart({
      title: 'coefficients',
      series: [
        { name: 'cross-regularization', values: w },
        { name: 'best ridge', values: [...w.slice(0, 99).map((v) => v * 1.01), NaN] },
      ],
    });
    expect(xmlProblem(svg)).toBeUndefined();
    expect(countItems(svg, 'point')).toBe(199);
    expect(ruleYs(svg)).toHaveLength(1);
    expect(new Set(legendLabels(svg))).toEqual(new Set(['cross-regularization', 'best ridge']));
    expect(svg).toContain('coefficient index');
  });

  it('names the coefficients when labels are given', async () => {
    const labels = ['age', 'sex', 'bmi'];
    const svg = await coefficientsChart({ title: 'w', labels, series: [{ name: 'ours', values: [0, 2, -1] }, { name: 'path', values: [0, 2.1, -0.9] }] });
    expect(xmlProblem(svg)).toBeUndefined();
    // The labels are rotated (no plain translate to parse): read them in drawing order.
    const at = labels.map((l) => svg.indexOf(`>${l}</text>`));
    for (const i of at) expect(i).toBeGreaterThan(0);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(svg).not.toContain('coefficient index');
  });
});

describe('scatterChart', () => {
  it('draws a point per finite pair, joined in order, and the highlights', async () => {
    const pts = Array.from({ length: 40 }, (_, i) => ({ order: i, x: i / 4, y: (i / 4 - 5) ** 2 }));
    const svg = await scatterChart({
      title: 'path',
      xLabel: 'norm_w',
      yLabel: 'gen',
      orderLabel: 'member',
      points: [...pts, { order: 40, x: NaN, y: 1 }],
      highlights: [{ x: 5, y: 0, label: 'selected: member 20' }],
    });
    expect(xmlProblem(svg)).toBeUndefined();
    expect(countItems(svg, 'point')).toBe(40 + 1);
    expect(countItems(svg, 'line mark')).toBe(1);
    expect(svg).toContain('selected: member 20');
  });
});
