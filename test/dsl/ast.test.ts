import { describe, expect, it } from 'vitest';
import type { Decl, Expr } from '../../dsl/ast.js';
import { parseProgram } from '../../dsl/parse.js';
import { onlyDecl, parseOk, show, textOf } from './helpers.js';

const exprOf = (src: string): Expr => {
  const d = onlyDecl(`let v = ${src}`);
  if (d.kind !== 'Let') throw new Error(d.kind);
  return d.value;
};

describe('expression precedence', () => {
  it.each([
    ['a + b * c @ d', '(a + (b * (c @ d)))'],
    ['a - b - c', '((a - b) - c)'],
    ['a / b * c', '((a / b) * c)'],
    ['10^-2.5', '(10 ^ (-2.5))'],
    ['2^3^2', '(2 ^ (3 ^ 2))'],
    ['-x^2', '(-(x ^ 2))'],
    ['(a + b) * c', '((a + b) * c)'],
    ['x |> f |> g over train batch 5', 'over(pipe[x | f | g], train, 5)'],
    ['a + b |> f', 'pipe[(a + b) | f]'],
    ['mean[3] softmax(net(x))', 'mean[3](softmax(net(x)))'],
    ['deterministic net(x)', 'det(net(x))'],
    ['mean(x, 2)', 'mean(x, 2)'],
    ['sgd(lr: 0.01, momentum: 0.9)', 'sgd(lr: 0.01, momentum: 0.9)'],
    ['f(seed: 1, data: 2,)', 'f(seed: 1, data: 2)'],
    ['net.block3.noise', 'net.block3.noise'],
    ['[1, 2.5, "a", true, false]', '[1, 2.5, "a", true, false]'],
    ['params(net) - noise_scales(net)', '(params(net) - noise_scales(net))'],
    ['zscore(ce(net(x), y) over reg) + 1.0 * z', '(zscore(over(ce(net(x), y), reg)) + (1.0 * z))'],
    ['(srn(flat(params(net))) - s_meta)^2', '((srn(flat(params(net))) - s_meta) ^ 2)'],
  ])('%s', (src, expected) => {
    expect(show(exprOf(src))).toBe(expected);
  });

  it('reads numbers and their integer-ness', () => {
    const cases: Array<[string, number, boolean]> = [
      ['12', 12, true],
      ['0.5', 0.5, false],
      ['.5', 0.5, false],
      ['1e-4', 1e-4, false],
      ['5E3', 5000, false],
    ];
    for (const [src, value, isInteger] of cases) {
      const e = exprOf(src);
      expect(e).toMatchObject({ kind: 'Number', value, isInteger, text: src });
    }
  });

  it('unescapes strings', () => {
    expect(exprOf('"a\\"b\\\\c\\nd"')).toMatchObject({ kind: 'String', value: 'a"b\\c\nd' });
  });
});

describe('spans', () => {
  it('are 1-based line/column, 0-based offset, end exclusive', () => {
    const text = '# comment\n\nloss fit = mse(predict(x), y) over train\n';
    const d = onlyDecl(text);
    if (d.kind !== 'Loss') throw new Error(d.kind);
    expect(d.span.start).toEqual({ line: 3, column: 1, offset: 11 });
    expect(textOf(text, d.span)).toBe('loss fit = mse(predict(x), y) over train');
    expect(textOf(text, d.name.span)).toBe('fit');
    expect(d.name.span.start).toMatchObject({ line: 3, column: 6 });
    const body = d.body;
    if (body.kind !== 'Over') throw new Error(body.kind);
    expect(textOf(text, body.body.span)).toBe('mse(predict(x), y)');
    expect(textOf(text, body.split.span)).toBe('train');
    if (body.body.kind !== 'Call') throw new Error(body.body.kind);
    expect(body.body.args.map((a) => textOf(text, a.span))).toEqual(['predict(x)', 'y']);
  });

  it('cover binary, unary, named args and parenthesized expressions', () => {
    const text = 'let v = -(a + b) * opt(lr: 1e-3)';
    const d = onlyDecl(text);
    if (d.kind !== 'Let' || d.value.kind !== 'Binary') throw new Error('shape');
    expect(textOf(text, d.value.span)).toBe('-(a + b) * opt(lr: 1e-3)');
    expect(textOf(text, d.value.left.span)).toBe('-(a + b)');
    const right = d.value.right;
    if (right.kind !== 'Call') throw new Error(right.kind);
    expect(textOf(text, right.args[0]?.span ?? d.span)).toBe('lr: 1e-3');
    expect(right.args[0]?.name?.name).toBe('lr');
  });

  it('run across lines', () => {
    const text = 'model net(x) =\n  x |> flatten\n    |> dense(10)';
    const d = onlyDecl(text);
    expect(d.span.end).toEqual({ line: 3, column: 17, offset: text.length });
  });
});

const kindOf = (d: Decl | undefined): string => d?.kind ?? 'none';

describe('declarations', () => {
  it('import and let', () => {
    const p = parseOk('import "lib/blocks.xreg" as blocks\nimport "x.xreg"\nlet lr = 0.01');
    expect(p.decls[0]).toMatchObject({ kind: 'Import', path: { value: 'lib/blocks.xreg' }, alias: { name: 'blocks' } });
    expect(p.decls[1]).not.toHaveProperty('alias');
    expect(p.decls[2]).toMatchObject({ kind: 'Let', name: { name: 'lr' }, value: { kind: 'Number', value: 0.01 } });
  });

  it('data, split with grow and seed', () => {
    const p = parseOk(
      'seed 42\ndata d = csv("d.csv", target: "y") |> standardize\nsplit d { train: 0.8 grow from 0.2 until epoch 100, reg: 0.1, test: 0.1, } seed 7',
    );
    expect(p.decls.map(kindOf)).toEqual(['Seed', 'Data', 'Split']);
    const s = p.decls[2];
    if (s?.kind !== 'Split') throw new Error('split');
    expect(s.entries.map((e) => e.name.name)).toEqual(['train', 'reg', 'test']);
    expect(s.entries[0]?.grow).toMatchObject({ from: { value: 0.2 }, until: { unit: 'epochs', amount: { value: 100 } } });
    expect(s.seed?.value).toBe(7);
  });

  it('param and hyper with types, init, sphere and frozen', () => {
    const p = parseOk(
      'param theta : Tensor[100] ~ normal(0, 1) on sphere\nparam rho : Scalar = 1 frozen\nparam w : Tensor[B, 784]\nhyper h : Scalar',
    );
    expect(p.decls[0]).toMatchObject({
      kind: 'Param',
      hyper: false,
      type: { kind: 'TensorType', dims: [{ kind: 'Fixed', size: 100 }] },
      init: { kind: 'Sample' },
      onSphere: true,
      frozen: false,
    });
    expect(p.decls[1]).toMatchObject({ type: { kind: 'ScalarType' }, init: { kind: 'Value' }, frozen: true, onSphere: false });
    expect(p.decls[2]).toMatchObject({ type: { dims: [{ kind: 'Symbolic', name: 'B' }, { kind: 'Fixed', size: 784 }] } });
    expect(p.decls[3]).toMatchObject({ hyper: true });
  });

  it('fn, layer (with and without parameters) and model', () => {
    const p = parseOk(
      'fn predict(x) = rho * (x @ theta)\nfn zero() = 0\nlayer block(n) = dense(n) |> relu\nlayer act = relu\nmodel net(x) = x |> block(5)',
    );
    expect(p.decls[0]).toMatchObject({ kind: 'Fn', params: [{ name: 'x' }] });
    expect(p.decls[1]).toMatchObject({ kind: 'Fn', params: [] });
    expect(p.decls[2]).toMatchObject({ kind: 'Layer', params: [{ name: 'n' }], body: { kind: 'Pipe' } });
    expect(p.decls[3]).toMatchObject({ kind: 'Layer', params: [], body: { kind: 'Name', name: 'relu' } });
    expect(p.decls[4]).toMatchObject({ kind: 'Model', input: { name: 'x' } });
  });

  it('loss, metric, figure, freeze, partition', () => {
    const p = parseOk(
      'loss fit = mse(f(x), y) over train\nmetric acc = accuracy(deterministic net(x), y) over test\nfigure f = lines(rho)\nfreeze params(backbone)\npartition rho = noise_scales(net)',
    );
    expect(p.decls.map(kindOf)).toEqual(['Loss', 'Metric', 'Figure', 'Freeze', 'Partition']);
  });

  it('update with every clause', () => {
    const d = onlyDecl(
      'update w by sgd(lr: 5e-4) on fit every 30 steps from step 3000 until epoch 10 batch 64 along g orthogonal to grad(l1(w)) allow reg',
    );
    if (d.kind !== 'Update') throw new Error(d.kind);
    expect(d.clauses.map((c) => c.kind)).toEqual(['Every', 'From', 'Until', 'Batch', 'Along', 'OrthogonalTo', 'Allow']);
    expect(d.clauses[0]).toMatchObject({ every: { amount: { value: 30 }, unit: 'steps' } });
    expect(d.clauses[1]).toMatchObject({ at: { amount: { value: 3000 }, unit: 'steps' } });
    expect(d.clauses[2]).toMatchObject({ at: { amount: { value: 10 }, unit: 'epochs' } });
  });

  it('an update followed by a population schedule keeps them apart', () => {
    const p = parseOk('update a by b on c\nevery 1 epoch: explore perturb(0.8, 1.2)');
    expect(p.decls.map(kindOf)).toEqual(['Update', 'EveryDecl']);
  });

  it('run and report', () => {
    const p = parseOk('run 2000 epochs batch 512\nreport every 100: rho, test_mse = mse(f(x), y) over test\nreport every 2 epochs: a');
    expect(p.decls[0]).toMatchObject({ kind: 'Run', length: { unit: 'epochs', amount: { value: 2000 } }, batch: { value: 512 } });
    expect(p.decls[1]).toMatchObject({ kind: 'Report', every: { unit: 'steps' }, items: [{ name: { name: 'rho' } }, { value: { kind: 'Over' } }] });
    expect(p.decls[2]).toMatchObject({ every: { unit: 'epochs', amount: { value: 2 } } });
  });

  it('phase chains are flattened', () => {
    const text = 'phase fit for 100 epochs { update a by b on c } then phase cal { update t by b on g }';
    const p = parseOk(text);
    expect(p.decls.map(kindOf)).toEqual(['Phase', 'Phase']);
    expect(p.decls[0]).toMatchObject({ name: { name: 'fit' }, length: { unit: 'epochs' }, body: [{ kind: 'Update' }] });
    expect(p.decls[1]).not.toHaveProperty('length');
    expect(textOf(text, p.decls[1]?.span ?? p.span)).toBe('phase cal { update t by b on g }');
  });

  it('sweep, ensemble, population, every', () => {
    const p = parseOk(
      [
        'sweep lam in logspace(-3, 1, 1000) { loss pen = fit + lam * l2(w) } select lowest gen',
        'ensemble 5 as members { update params(net) by adam(lr: 1e-3) on fit }',
        'population 20 {\n  hyper log_sigma : Tensor[5] ~ uniform(-3, 1)\n  update params(net) by adam(lr: 1e-4) on fit\n}',
        'every 1 epoch: exploit truncation(0.2) by highest acc over reg, explore perturb(0.8, 1.2)',
      ].join('\n'),
    );
    expect(p.decls[0]).toMatchObject({ kind: 'Sweep', variable: { name: 'lam' }, select: { direction: 'lowest', metric: { name: 'gen' } } });
    expect(p.decls[1]).toMatchObject({ kind: 'Ensemble', size: { value: 5 }, alias: { name: 'members' } });
    expect(p.decls[2]).toMatchObject({ kind: 'Population', size: { value: 20 }, body: [{ kind: 'Param', hyper: true }, { kind: 'Update' }] });
    expect(p.decls[3]).toMatchObject({
      kind: 'EveryDecl',
      every: { unit: 'epochs' },
      actions: [{ kind: 'Exploit', by: { kind: 'Over' } }, { kind: 'Explore' }],
    });
  });
});

describe('recovery', () => {
  it('reports three independent errors in one run and keeps the good declarations', () => {
    const text = [
      'param theta Tensor[100] ~ normal(0, 1)',
      'loss fit = mse(x @ theta, y) over train',
      'updte theta by sgd(lr: 0.01) on fit',
      'run 6000 stepz',
      'report every 100: fit',
    ].join('\n');
    const r = parseProgram(text, 'r.xreg');
    expect(r.diagnostics.map((d) => [d.code, d.span.start.line])).toEqual([
      ['E0102', 1],
      ['E0101', 3],
      ['E0106', 4],
    ]);
    expect(r.program.decls.map(kindOf)).toContain('Loss');
    expect(r.program.decls.map(kindOf)).toContain('Report');
  });

  it('keeps the declarations of a block that is never closed', () => {
    const r = parseProgram('phase a {\n  update w by sgd on fit\n', 'b.xreg');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['E0107']);
    expect(r.program.decls[0]).toMatchObject({ kind: 'Phase', body: [{ kind: 'Update' }] });
  });

  it('an empty file is an empty program', () => {
    const r = parseProgram('  # nothing\n', 'e.xreg');
    expect(r.diagnostics).toEqual([]);
    expect(r.program.decls).toEqual([]);
  });
});
