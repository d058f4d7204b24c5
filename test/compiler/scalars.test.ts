import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { lowerProgram } from '../../compiler/lower/index.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { at, compile, errors } from './helpers.js';

const HEAD = `data d = correlated_features(base: 5, copies: 2, noise: 0.1, n: 100, seed: 1)
split d { train: 0.5, reg: 0.25, test: 0.25 } seed 0
param w : Tensor[10] = 0
`;
const program = (...lines: string[]): string => `${HEAD}${lines.join('\n')}\nrun 10 steps\n`;

const e0306 = (text: string) => errors(compile(text)).filter((d) => d.code === 'E0306');
const where = (d: { span: { start: { line: number; column: number } } }) => ({ line: d.span.start.line, column: d.span.start.column });

describe('E0306: a loss, metric or report item that is not one number', () => {
  it('a loss of one value per example, at the loss body, with its shape and a hint to reduce it', () => {
    const text = program('loss fit = (x @ w - y)^2 over train', 'update w by sgd(lr: 0.01) on fit');
    const es = errors(compile(text));
    expect(es.map((d) => d.code)).toEqual(['E0306']);
    expect(es[0]!.message).toContain("loss 'fit'");
    expect(es[0]!.message).toContain('[B]');
    expect(es[0]!.hint).toContain('mean(...)');
    expect(es[0]!.hint).toContain('sum(...)');
    expect(where(es[0]!)).toEqual(at(text, '(x @ w - y)^2'));
  });

  it('the same loss used by two rules (and observed) is one error', () => {
    const text = program(
      'param v : Tensor[10] = 0',
      'loss fit = x @ w + x @ v over train',
      'update w by sgd(lr: 0.01) on fit',
      'update v by sgd(lr: 0.01) on fit',
    );
    expect(e0306(text)).toHaveLength(1);
  });

  it("a rule's own loss expression, named by its rule", () => {
    const text = program('update w by sgd(lr: 0.01) on x @ w over train');
    const es = e0306(text);
    expect(es).toHaveLength(1);
    expect(es[0]!.message).toContain('the loss of rule update1');
    expect(where(es[0]!)).toEqual(at(text, 'x @ w over train'));
  });

  it('a loss without over, completed by the rule that uses it', () => {
    const text = program('loss sq = (x @ w - y)^2', 'update w by sgd(lr: 0.01) on sq over train');
    const es = e0306(text);
    expect(es).toHaveLength(1);
    expect(es[0]!.message).toContain("loss 'sq'");
    expect(where(es[0]!)).toEqual(at(text, '(x @ w - y)^2'));
  });

  it('a metric that is a vector, and a report item that is a parameter vector', () => {
    const text = program(
      'loss fit = mse(x @ w, y) over train',
      'update w by sgd(lr: 0.01) on fit',
      'metric pred = x @ w over reg',
      'report every 5 steps: fit, w, n = norm(w)',
    );
    const es = e0306(text);
    expect(es.map((d) => d.message)).toEqual([
      expect.stringContaining("metric 'pred'"),
      expect.stringContaining("report item 'w' must be a scalar, but it has shape [10]"),
    ]);
    expect(where(es[0]!)).toEqual(at(text, 'x @ w over reg'));
    expect(where(es[1]!)).toEqual(at(text, 'w, n ='));
  });

  it("a rule's direction: grad of a vector", () => {
    const text = program(
      'loss fit = mse(x @ w, y) over train',
      'loss gen = mse(x @ w, y) over reg',
      'update w by sgd(lr: 0.01) on fit orthogonal to grad(w)',
      'update w by sgd(lr: 0.01) on gen along grad(w) allow reg',
    );
    const es = e0306(text);
    expect(es.map((d) => d.message)).toEqual([
      'the argument of grad(...) in rule update1 must be a scalar, but it has shape [10]',
      'the argument of grad(...) in rule update2 must be a scalar, but it has shape [10]',
    ]);
    expect(es.map(where)).toEqual([at(text, 'w)\nupdate'), at(text, 'w) allow')]);
  });

  it('scalars pass: reduced losses, metrics and report items, and a value whose dims are all 1', () => {
    const text = program(
      'param s : Tensor[1] = 1',
      'param t : Tensor[1, 1] = 1',
      'loss fit = mean((x @ w - y)^2) + s * s over train',
      'loss fit2 = sum(x @ w - y) + t over train',
      'update w + s by sgd(lr: 0.01) on fit',
      'update t by sgd(lr: 0.01) on fit2',
      'metric gen = mse(x @ w, y) over reg',
      'report every 5 steps: fit, gen, s, t, n = norm(w)',
    );
    const r = compile(text);
    expect(errors(r)).toEqual([]);
    // lowering, which reads all-1 shapes as scalars, agrees
    expect(E.isRight(lowerProgram(r.ir!, standardLibrary))).toBe(true);
  });

});
