/**
 * What `xreg plot` finds in a finished run: the manifest's losses and declared figures, and the
 * reliability.json the runtime writes for a `reliability` figure, checked against the program's own
 * `calibration_error` metric (the stdlib's computation, on the same final model and examples).
 */
import * as E from 'fp-ts/lib/Either.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderAll } from '../../cli/commands/run.js';
import { plotRun } from '../../runtime/plot/run.js';
import { ReliabilityFile } from '../../runtime/plot/formats.js';
import { reliabilityBins } from '../../runtime/results/reliability.js';
import { readManifest } from '../../runtime/results/manifest.js';
import { runProgram } from '../../runtime/run.js';
import { standardLibrary } from '../../stdlib/registry.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const run = async (file: string, steps: number): Promise<string> => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'xreg-fig-'));
  dirs.push(out);
  const errors: string[] = [];
  const code = await runProgram(
    { registry: standardLibrary, file, out, steps, set: {}, checkpointEvery: 1000, argv: [] },
    { info: () => undefined, error: (l) => errors.push(l), renderDiagnostics: renderAll },
  );
  expect(errors).toEqual([]);
  expect(code).toBe(0);
  return out;
};

const lastRecord = (dir: string): Record<string, number> => {
  const lines = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '{}') as Record<string, number>;
};

describe('reliability bins', () => {
  it('bins by the top probability and weighs |accuracy − confidence| by bin size (hand count)', () => {
    // Three examples, two classes, four bins of width 0.25.
    const probs = [0.9, 0.1, 0.2, 0.8, 0.6, 0.4];
    const r = reliabilityBins(probs, 2, [0, 0, 0], 4);
    expect(r.bins.map((b) => b.count)).toEqual([0, 0, 1, 2]);
    expect(r.bins[2]).toEqual({ confidence: 0.6, accuracy: 1, count: 1 });
    expect(r.bins[3]?.confidence).toBeCloseTo(0.85);
    expect(r.bins[3]?.accuracy).toBe(0.5);
    // (1/3)·|1 − 0.6| + (2/3)·|0.5 − 0.85|
    expect(r.ece).toBeCloseTo(0.4 / 3 + (2 / 3) * 0.35, 12);
    // One-hot labels mean the same classes.
    expect(reliabilityBins(probs, 2, [1, 0, 1, 0, 1, 0], 4)).toEqual(r);
  });
});

describe('a finished run is ready for xreg plot', () => {
  it('ensemble: reliability.json agrees with the program ECE metric; losses and the declared figure are drawn', async () => {
    const dir = await run('programs/calibration/ensemble.xreg', 60);
    const m = await readManifest(dir);
    expect(m?.mode).toBe('ensemble');
    expect(m?.members).toBe(5);
    expect(m?.losses).toContain('fit');
    expect(m?.figures).toEqual([{ name: 'calibration', kind: 'reliability', series: [] }]);
    const rel = ReliabilityFile.decode(JSON.parse(readFileSync(path.join(dir, 'reliability.json'), 'utf8')));
    if (E.isLeft(rel)) throw new Error('reliability.json does not decode');
    // The program's `ece` is calibration_error(avg(softmax(net(x))), y, bins: 15) over test.
    expect(rel.right.ece).toBeCloseTo(lastRecord(dir)['ece'] ?? NaN, 5);
    expect(rel.right.bins.reduce((s, b) => s + b.count, 0)).toBe(359);
    const plot = await plotRun(dir);
    if (E.isLeft(plot)) throw new Error(plot.left);
    const names = plot.right.files.map((f) => path.basename(f));
    expect(names).toContain('losses.svg');
    expect(names).toContain('figure-calibration.svg');
    for (const f of plot.right.files) expect(existsSync(f)).toBe(true);
    expect(plot.right.notes).toEqual([]);
  });

  it('ridge: the losses fit and gen share one chart; rho and test_mse get their own', async () => {
    const dir = await run('programs/crossreg/ridge.xreg', 300);
    expect((await readManifest(dir))?.losses).toEqual(['fit', 'gen']);
    const plot = await plotRun(dir);
    if (E.isLeft(plot)) throw new Error(plot.left);
    const names = plot.right.files.map((f) => path.basename(f)).sort();
    expect(names).toEqual(['index.html', 'losses.svg', 'metric-rho.svg', 'metric-test_mse.svg']);
    const svg = readFileSync(path.join(dir, 'figures', 'losses.svg'), 'utf8');
    expect(svg).toContain('fit');
    expect(svg).toContain('gen');
  });
});
