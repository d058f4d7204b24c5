import { describe, expect, it } from 'vitest';
import { at, compile, errors } from './helpers.js';

const loc = (d: { span: { start: { line: number; column: number } } }) => ({ line: d.span.start.line, column: d.span.start.column });

// digits() declares y with 10 classes in its schema
const prog = (width: number, body: string) => `data d = digits()
split d { train: 0.7, reg: 0.1, test: 0.2 } seed 0
model net(x) = x |> dense(16) |> relu |> dense(${width})
${body}
update params(net) by adam(lr: 1e-3) on fit
run 10 steps batch 32
`;

describe('E0307: label classes against the width of the scores', () => {
  it('cross_entropy on 5 columns of 10-class labels: an error at the call with both numbers', () => {
    const text = prog(5, 'loss fit = cross_entropy(net(x), y) over train');
    const es = errors(compile(text));
    expect(es.map((d) => d.code)).toEqual(['E0307']);
    expect(es[0]!.message).toContain('the labels have 10 classes but the scores have 5 columns');
    expect(loc(es[0]!)).toEqual(at(text, 'cross_entropy('));
    expect(errors(compile(prog(10, 'loss fit = cross_entropy(net(x), y) over train')))).toEqual([]);
  });

  it.each(['nll(softmax(net(x)), y)', 'accuracy(net(x), y)', 'calibration_error(softmax(net(x)), y)', 'margin(net(x), y)', 'inverse_margin(net(x), y)'])(
    'also %s, in a metric',
    (call) => {
      const body = `loss fit = cross_entropy(net(x), y) over train\nmetric m = ${call} over test`;
      const es = errors(compile(prog(12, body)));
      expect(es.map((d) => d.code)).toEqual(['E0307', 'E0307']);
      expect(es.map((d) => d.message)).toContainEqual(expect.stringContaining('the scores have 12 columns'));
      expect(errors(compile(prog(10, body)))).toEqual([]);
    },
  );

  it('labels whose classes the schema does not state are not checked', () => {
    const text = `data d = csv("t.csv", target: "y")
split d { train: 0.8, reg: 0.2 } seed 0
model net(x) = x |> dense(3)
loss fit = cross_entropy(net(x), y) over train
update params(net) by adam(lr: 1e-3) on fit
run 10 steps
`;
    expect(errors(compile(text)).map((d) => d.code)).not.toContain('E0307');
  });
});
