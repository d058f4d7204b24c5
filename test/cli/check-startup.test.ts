/**
 * `xreg check` must not load TensorFlow.js: compiling and lowering every shipped program (lowering
 * reports E06xx) reads no data and runs no tensor operation, and loading tfjs is most of the
 * start-up time an editor would wait for.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { checkFiles } from '../../cli/check.js';
import { LowerCodes } from '../../compiler/lower/codes.js';
import { tfLoaded } from '../../stdlib/tf.js';

// The front half accepts any number for min_lr; only the learning-rate schedule, built in lowering, refuses one above lr.
const LOWERING_ERROR = [
  'data d = correlated_features(base: 5, copies: 2, noise: 0.1, n: 100, seed: 1)',
  'split d { train: 0.5, reg: 0.25, test: 0.25 } seed 0',
  'param w : Tensor[10] = 0',
  'loss fit = mse(x @ w, y) over train',
  'update w by sgd(lr: 0.1, schedule: "cosine", min_lr: 0.5) on fit',
  'run 10 steps',
  '',
].join('\n');

const programs = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? programs(p) : e.name.endsWith('.xreg') ? [p] : [];
  });

describe('xreg check start-up', () => {
  it('checks every program in programs/ without touching TensorFlow.js', async () => {
    const files = programs('programs');
    expect(files.length).toBeGreaterThan(10);
    // Whether each program is clean is check.test.ts's business; here, only what checking loads.
    const r = await checkFiles(files);
    expect(r.stdout).toContain(`checked ${files.length} files`);
    expect(tfLoaded()).toBe(false);
  });

  it('a lowering diagnostic (E06xx) is still reported without TensorFlow.js', async () => {
    const r = await checkFiles(['x.xreg'], { read: () => Promise.resolve(E.right(LOWERING_ERROR)) });
    expect(r.diagnostics.map((d) => d.code)).toEqual([LowerCodes.badOptimizer]);
    expect(tfLoaded()).toBe(false);
  });
});
