import { describe, expect, it } from 'vitest';
import { at, compile, errors } from './helpers.js';

const PROGRAM = `data d = digits()
split d { train: 0.7, reg: 0.1, test: 0.2 } seed 0
model net(x) = x |> dense(16) |> noise(init: -3) |> relu |> dense(10)
loss fit = cross_entropy(net(x), y) over train
update params(net) - noise_scales(net) by adam(lr: 1e-3) on fit
freeze noise_scales(net)
FIGURE
run 2 epochs batch 64
`;

const withFigure = (f: string): string => PROGRAM.replace('FIGURE', f);

describe('figures drawn from data', () => {
  it('bare data fields in a figure range over the test split', () => {
    const r = compile(withFigure('figure r = reliability(mean[3] softmax(net(x)), y)'));
    expect(errors(r)).toEqual([]);
    const [p, y] = r.ir!.figures[0]!.args;
    expect(y).toMatchObject({ kind: 'field', field: 'y', split: 'test', data: 'd', shape: ['B'] });
    expect(p!.kind).toBe('mean');
    expect(p!.shape).toEqual(['B', 10]);
    expect(JSON.stringify(p)).toContain('"split":"test"');
  });

  it('the explicit over form gives the same figure', () => {
    const bare = compile(withFigure('figure r = reliability(mean[3] softmax(net(x)), y)')).ir!.figures[0]!;
    const explicit = compile(withFigure('figure r = reliability(mean[3] softmax(net(x)) over test, y over test)')).ir!.figures[0]!;
    expect(explicit.args.map((a) => a.kind)).toEqual(['over', 'over']);
    expect(explicit.args.map((a) => (a.kind === 'over' ? a.body.shape : []))).toEqual(bare.args.map((a) => a.shape));
  });

  it('a logged name next to a data field: the name is a series, the field an argument', () => {
    // a logged value is one number (E0306 otherwise), so the series here is a scalar
    const r = compile(withFigure('report every 1 epoch: p = mean(mean[3] softmax(net(x))) over test\nfigure r = reliability(p, y)'));
    expect(errors(r)).toEqual([]);
    expect(r.ir!.figures[0]!.series).toEqual(['p']);
    expect(r.ir!.figures[0]!.args.map((a) => a.kind)).toEqual(['field']);
  });

  it('a report item that is not one number cannot be logged: E0306 at it, with its shape', () => {
    const text = withFigure('report every 1 epoch: p = mean[3] softmax(net(x)) over test\nfigure r = reliability(p, y)');
    const es = errors(compile(text));
    expect(es.map((e) => e.code)).toEqual(['E0306']);
    expect(es[0]!.message).toContain("report item 'p'");
    expect(es[0]!.message).toContain('[B, 10]');
    expect({ line: es[0]!.span.start.line, column: es[0]!.span.start.column }).toEqual(at(text, 'mean[3] softmax'));
  });

  it('without a test split: one error for the figure, at its first data field', () => {
    const text = withFigure('figure r = reliability(mean[3] softmax(net(x)), y)').replace('reg: 0.1, test: 0.2', 'reg: 0.3');
    const es = errors(compile(text));
    expect(es.map((e) => e.code)).toEqual(['E0210']);
    expect(es[0]!.message).toContain("no 'test' split");
    expect({ line: es[0]!.span.start.line, column: es[0]!.span.start.column }).toEqual(at(text, 'x)), y)'));
  });
});
