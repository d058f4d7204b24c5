/**
 * The noise study's variants (programs/noise/small) are like-for-like: the same parameters (paths
 * and shapes), the same data and splits and the same run length; they differ only in what trains
 * the noise scales and where log σ starts. Compile only, no data read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { compileText } from '../../compiler/compile.js';
import type { IRProgram } from '../../compiler/ir.js';

const dir = 'programs/noise/small';
const readFile = (p: string): E.Either<string, string> => {
  try {
    return E.right(readFileSync(p, 'utf8'));
  } catch (e) {
    return E.left(String(e));
  }
};
const irOf = (name: string): IRProgram => {
  const file = join(dir, name);
  const r = compileText(readFileSync(file, 'utf8'), file, { readFile });
  if (r.ir === undefined) throw new Error(`${name}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.ir;
};
const shapes = (ir: IRProgram): string[] => ir.params.filter((p) => p.path.startsWith('net.')).map((p) => `${p.path} ${p.shape.join('x')}`).sort();
const noise = (ir: IRProgram): string[] => ir.params.filter((p) => p.role === 'noise_scale').map((p) => p.path).sort();
const partitionOf = (ir: IRProgram, path: string): string | undefined => ir.params.find((p) => p.path === path)?.partition;

const VARIANTS = ['plain.xreg', 'temperature.xreg', 'fixed.xreg', 'sigma_member.xreg', 'crossreg.xreg', 'crossreg_implicit.xreg', 'probe.xreg', 'ensemble.xreg', 'pbt.xreg'];

describe('the noise study compares like with like', () => {
  const irs = VARIANTS.map((v) => [v, irOf(v)] as const);
  const [, ref] = irs[0] ?? [];

  it('every variant has the same network parameters (paths and shapes), three noise scales among them', () => {
    if (ref === undefined) throw new Error('no reference');
    expect(noise(ref)).toHaveLength(3);
    for (const [name, ir] of irs) expect({ name, params: shapes(ir) }).toEqual({ name, params: shapes(ref) });
  });

  it('every variant reads the same data, splits and seeds, and trains 20 epochs of batch 64', () => {
    if (ref === undefined) throw new Error('no reference');
    const key = (ir: IRProgram): unknown => ir.data.map((d) => ({ name: d.name, loader: d.loader, args: d.args, transforms: d.transforms, splits: d.splits }));
    for (const [name, ir] of irs) {
      expect({ name, data: key(ir) }).toEqual({ name, data: key(ref) });
      // temperature.xreg adds its calibration phase after the same 20 epochs of fitting
      if (name !== 'temperature.xreg') expect({ name, run: ir.run }).toEqual({ name, run: { length: { n: 20, unit: 'epochs' }, batch: 64 } });
    }
  });

  it('only cross-regularization (both derivatives) and the probe train the noise scales; the others freeze them (or make them PBT hyper-parameters)', () => {
    for (const [name, ir] of irs) {
      const parts = noise(ir).map((p) => partitionOf(ir, p));
      const trained = name === 'crossreg.xreg' || name === 'crossreg_implicit.xreg' || name === 'probe.xreg';
      for (const part of parts) expect({ name, trained: part !== 'frozen' && part !== 'hyper' }).toEqual({ name, trained });
    }
  });
});
