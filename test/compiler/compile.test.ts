import { describe, expect, it } from 'vitest';
import { explain } from '../../compiler/explain.js';
import { at, codes, compile, errors, NOISE, RIDGE } from './helpers.js';

const loc = (d: { span: { start: { line: number; column: number } } }) => ({ line: d.span.start.line, column: d.span.start.column });

describe('the brief sketches', () => {
  it('ridge compiles clean with θ / ρ partitions and shapes', () => {
    const r = compile(RIDGE);
    expect(errors(r)).toEqual([]);
    const ir = r.ir!;
    expect(ir.partitions['theta']).toEqual(['theta']);
    expect(ir.partitions['rho']).toEqual(['rho']);
    const fit = ir.rules[0]!;
    expect(fit.loss.shape).toEqual([]);
    expect(ir.rules[1]!.schedule.from).toEqual({ n: 3000, unit: 'steps' });
    expect(ir.params.find((p) => p.path === 'theta')!.onSphere).toBe(true);
    expect(ir.report!.items.map((i) => i.name)).toEqual(['rho', 'fit', 'gen', 'test_mse']);
  });

  it('layer-wise noise: hierarchical paths, partitions by selector, K = 3', () => {
    const r = compile(NOISE);
    expect(errors(r)).toEqual([]);
    const paths = r.ir!.params.map((p) => p.path);
    expect(paths).toContain('net.block3.noise.log_sigma');
    expect(paths).toContain('net.block1.dense.w');
    expect(paths).toContain('net.dense.b');
    expect(r.ir!.params.find((p) => p.path === 'net.block1.dense.w')!.shape).toEqual([784, 32]);
    expect(r.ir!.partitions['rho']).toEqual(['net.block1.noise.log_sigma', 'net.block2.noise.log_sigma', 'net.block3.noise.log_sigma']);
    expect(r.ir!.rules[0]!.batch).toBe(512);
    expect(explain(r.ir!)).toContain('mean[3]');
  });

  it('compiles without any data file existing (schema from the loader)', () => {
    const r = compile(`data d = csv("nowhere/missing.csv", target: "y") |> standardize
split d { train: 0.8, reg: 0.2 } seed 0
param w : Tensor[10] = 0
loss fit = mse(x @ w, y) over train
loss gen = mse(x @ w, y) over reg
update w by sgd(lr: 5e-4, momentum: 0.99) on fit orthogonal to grad(l1(w))
update w by sgd(lr: 0.01) on gen along grad(l1(w))
run 2000 epochs batch 512
`);
    expect(errors(r)).toEqual([]);
    expect(r.ir!.rules.map((x) => x.geometry.kind)).toEqual(['orthogonal', 'along']);
  });
});

describe('shapes', () => {
  it('a matmul that cannot meet names both shapes at the @', () => {
    const text = `data d = fashion_mnist()
split d { train: 0.8, reg: 0.2 }
param w : Tensor[100, 10] = 0
loss fit = mse(flat_x(x) @ w, y) over train
`.replace('flat_x(x)', '(x |> flatten)');
    const r = compile(text);
    const d = errors(r).find((e) => e.code === 'E0302')!;
    expect(d.message).toBe('cannot multiply [B, 784] by [100, 10]: inner dimensions 784 and 100 differ');
    expect(loc(d)).toEqual(at(text, '(x |> flatten) @'));
  });

  it('a symbolic CSV width unifies with a declared parameter', () => {
    const r = compile(`data d = csv("a.csv", target: "y")
split d { train: 0.5, reg: 0.5 }
param w : Tensor[7] = 0
loss fit = mse(x @ w, y) over train
update w by sgd(lr: 0.1) on fit
`);
    expect(errors(r)).toEqual([]);
  });
});

describe('names', () => {
  it('unknown names get a did-you-mean hint at the right place', () => {
    const text = RIDGE.replace('mse(predict(x), y) over train', 'mse(predcit(x), y) over train');
    const d = errors(compile(text)).find((e) => e.code === 'E0201')!;
    expect(d.hint).toBe("did you mean 'predict'?");
    expect(loc(d)).toEqual(at(text, 'predcit'));
  });

  it('an unknown split is reported with the closest split', () => {
    const text = RIDGE.replace('over reg', 'over val');
    const d = errors(compile(text)).find((e) => e.code === 'E0508')!;
    expect(d.message).toContain("did you mean 'reg'?");
    expect(loc(d)).toEqual(at(text, 'val'));
  });

  it('duplicate declarations', () => {
    const text = RIDGE + 'loss fit = mse(predict(x), y) over train\n';
    const d = errors(compile(text)).find((e) => e.code === 'E0202')!;
    expect(loc(d)).toEqual(at(text, 'fit = mse', 1));
    expect(d.related?.[0]?.span.start.line).toBe(6);
  });

  it('wrong arguments: unknown named, wrong type', () => {
    const text = RIDGE.replace('sgd(lr: 0.01) on fit', 'sgd(lrr: 0.01) on fit').replace('sgd(lr: 0.01) on gen', 'sgd(lr: "fast") on gen');
    const cs = codes(compile(text));
    expect(cs).toContain('E0203');
    expect(cs).toContain('E0205');
  });

  it('data fields exist only inside over', () => {
    const text = RIDGE.replace('loss gen = mse(predict(x), y) over reg', 'loss gen = mse(predict(x), y)').replace('on gen from', 'on gen from');
    const d = errors(compile(text)).find((e) => e.code === 'E0210');
    expect(d).toBeDefined();
  });
});

describe('lets, overrides and imports', () => {
  it('--set overrides a let', () => {
    const text = `let n = 16\n${NOISE.replace(/block\(32\)/g, 'block(n)')}`;
    const a = compile(text);
    const b = compile(text, {}, { n: 8 });
    expect(a.ir!.params.find((p) => p.path === 'net.block1.dense.w')!.shape).toEqual([784, 16]);
    expect(b.ir!.params.find((p) => p.path === 'net.block1.dense.w')!.shape).toEqual([784, 8]);
    expect(codes(compile(text, {}, { m: 1 }))).toContain('W0212');
  });

  it('imports resolve relative to the importing file and cycles are reported', () => {
    const lib = 'layer block(n) = dense(n) |> layer_norm(affine: false) |> noise(init: -3) |> relu\n';
    const text = `import "lib/blocks.xreg"\n${NOISE.replace(/^layer block.*$/m, '')}`;
    expect(errors(compile(text, { 'lib/blocks.xreg': lib }))).toEqual([]);
    const cyc = compile(`import "a.xreg"\n${RIDGE}`, { 'a.xreg': 'import "b.xreg"\n', 'b.xreg': 'import "a.xreg"\n' });
    expect(codes(cyc)).toContain('E0208');
    expect(codes(compile(`import "nope.xreg"\n${RIDGE}`))).toContain('E0207');
  });
});
