import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { compileText } from '../../compiler/compile.js';
import { at, codes, compile, errors } from './helpers.js';

const readFile = (p: string): E.Either<string, string> => {
  try {
    return E.right(readFileSync(p, 'utf8'));
  } catch (e) {
    return E.left(String(e));
  }
};

const POP = `data d = digits()
split d { train: 0.7, reg: 0.1, test: 0.2 } seed 0
model net(x) = x |> dense(16) |> noise(init: -3) |> relu |> dense(10)
metric val_acc = accuracy(deterministic net(x), y) over reg
population 4 {
  hyper wd : Scalar ~ uniform(0.0001, 0.01)
  loss fit = cross_entropy(net(x), y) + wd * l2(flat(weights(net))) over train
  freeze noise_scales(net)
  update params(net) - noise_scales(net) by adam(lr: 1e-3) on fit
}
every 1 epoch: exploit truncation(0.25) by highest val_acc, explore perturb(0.8, 1.2)
run 2 epochs batch 64
`;

describe('population hyper-parameters', () => {
  it('pbt.xreg: the frozen noise scales are the population hyper-parameters, in partition hyper', () => {
    const file = 'programs/noise/pbt.xreg';
    const r = compileText(readFileSync(file, 'utf8'), file, { readFile });
    expect(errors(r)).toEqual([]);
    const ir = r.ir!;
    const scales = ir.params.filter((p) => p.role === 'noise_scale').map((p) => p.path);
    expect(scales).toHaveLength(3);
    expect(ir.population!.hyper).toEqual(scales);
    expect(ir.partitions['hyper']).toEqual(scales);
    expect(ir.partitions['frozen']).toBeUndefined();
    for (const s of scales) expect(ir.params.find((p) => p.path === s)!.partition).toBe('hyper');
    expect(ir.population!.explore).toEqual({ strategy: 'perturb', args: [0.8, 1.2] });
  });

  it('hyper declarations join freeze-selected parameters, with their initial distribution', () => {
    const r = compile(POP);
    expect(errors(r)).toEqual([]);
    const ir = r.ir!;
    expect(ir.population!.hyper).toEqual(['net.noise.log_sigma', 'wd']);
    const wd = ir.params.find((p) => p.path === 'wd')!;
    expect(wd.partition).toBe('hyper');
    expect(wd.init).toEqual({ kind: 'uniform', low: 0.0001, high: 0.01 });
  });

  it('a freeze outside the population still freezes', () => {
    const r = compile(POP.replace('  freeze noise_scales(net)\n', '').replace('population 4 {', 'freeze noise_scales(net)\npopulation 4 {'));
    expect(errors(r)).toEqual([]);
    expect(r.ir!.population!.hyper).toEqual(['wd']);
    expect(r.ir!.partitions['frozen']).toEqual(['net.noise.log_sigma']);
  });

  it('E0405 a rule that updates a hyper-parameter', () => {
    const text = POP.replace('update params(net) - noise_scales(net)', 'update params(net)');
    const d = compile(text).diagnostics.find((x) => x.code === 'E0405')!;
    expect(d.message).toContain("'net.noise.log_sigma'");
    expect({ line: d.span.start.line, column: d.span.start.column }).toEqual(at(text, 'params(net) by'));
    expect(codes(compile(text)).filter((c) => c.startsWith('E'))).toEqual(['E0405']);
  });
});
