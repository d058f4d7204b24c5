import { describe, expect, it } from 'vitest';
import { reliabilityBins } from '../../runtime/results/reliability.js';

describe('reliability bins use the edges of calibration_error: (k/M, (k+1)/M]', () => {
  it('a confidence on an edge falls in the bin below it', () => {
    // Top confidences 0.5 (edge of 2 bins), 0.75 and 1.0 (the top edge).
    const probs = [0.5, 0.5, 0.25, 0.75, 0, 1];
    const labels = [0, 1, 1];
    const r = reliabilityBins(probs, 2, labels, 2);
    expect(r.bins.map((b) => b.count)).toEqual([1, 2]);
    expect(r.bins[0]?.confidence).toBeCloseTo(0.5);
    expect(r.bins[1]?.confidence).toBeCloseTo(0.875);
    // By hand: bin 0 |1 - 0.5| * 1/3, bin 1 |1 - 0.875| * 2/3.
    expect(r.ece).toBeCloseTo(0.5 / 3 + 0.125 * (2 / 3));
  });
});
