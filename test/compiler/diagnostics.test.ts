/**
 * A researcher's typical mistakes, one per program: each must give exactly one diagnostic, at the
 * place of the mistake, with a message that names it and a hint, and no follow-on errors.
 */
import { describe, expect, it } from 'vitest';
import { at, compile } from './helpers.js';

const BASE = `data d = digits()
split d { train: 0.7, reg: 0.1, test: 0.2 } seed 0
model net(x) = x |> dense(32) |> noise(init: -3) |> relu |> dense(10)
loss fit = cross_entropy(net(x), y) over train
loss gen = nll(mean[3] softmax(net(x)), y) over reg
update params(net) - noise_scales(net) by adam(lr: 1e-3) on fit
update noise_scales(net) by adam(lr: 0.1) on gen every 30 steps
metric acc = accuracy(deterministic net(x), y) over test
run 2 epochs batch 64
`;

const edit = (from: string, to: string): string => {
  if (!BASE.includes(from)) throw new Error(`'${from}' not in the base program`);
  return BASE.replace(from, to);
};

interface Case {
  readonly name: string;
  readonly text: string;
  readonly code: string;
  /** Where the diagnostic must point: the nth occurrence of this text. */
  readonly where: string;
  readonly nth?: number;
  readonly message: string;
  readonly hint: string;
}

const cases: readonly Case[] = [
  {
    name: 'a misspelled layer',
    text: edit('dense(32)', 'dens(32)'),
    code: 'E0201',
    where: 'dens(32)',
    message: "unknown name 'dens'",
    hint: "did you mean 'dense'?",
  },
  {
    name: 'a wrong optimizer option (no "needs lr" on top)',
    text: edit('adam(lr: 1e-3)', 'adam(learning_rate: 0.1)'),
    code: 'E0203',
    where: 'learning_rate',
    message: "has no argument 'learning_rate' (it needs 'lr')",
    hint: "did you mean 'lr'?",
  },
  {
    name: 'a loss over a split that does not exist (no "in no partition" for its targets)',
    text: edit('over reg', 'over valid'),
    code: 'E0508',
    where: 'valid',
    message: "split 'valid' does not exist; did you mean 'reg'?",
    hint: 'the splits are train, reg, test',
  },
  {
    name: 'shapes that do not meet in a pipeline',
    text: edit('x |> dense(32) |> noise', 'x |> dense(10) |> conv2d(3, 3) |> noise'),
    code: 'E0303',
    where: 'conv2d(3, 3)',
    message: 'conv2d on input [B, 10]',
    hint: 'comes from the dense before it',
  },
  {
    name: 'two readings of the history in one z-score',
    text: `${BASE}metric z = zscore(cross_entropy(net(x), y) over reg, window: 5, freeze: 5)\n`,
    code: 'E0303',
    where: 'zscore(',
    message: 'zscore: give window or freeze, not both',
    hint: 'two readings of the history',
  },
  {
    name: 'an SRN head that does not exist (the name said once)',
    text: `${BASE}metric r = risk_head(mean(net(x)), head: "relu") over reg\n`,
    code: 'E0303',
    where: 'risk_head(',
    message: 'risk_head: argument \'head\' must be one of "softplus", "softplus_tanh", "signed", got "relu"',
    hint: '',
  },
  {
    name: 'a ρ parameter the loss never uses',
    text: `${BASE}param rho : Scalar = 1\nupdate rho by sgd(lr: 0.1) on gen\n`,
    code: 'E0503',
    where: 'gen\n',
    message: "'rho' does not occur in the loss of rule update3 ('gen')",
    hint: "use 'rho' in the model or the loss",
  },
  {
    name: 'an update on a metric',
    text: edit('by adam(lr: 0.1) on gen', 'by adam(lr: 0.1) on acc'),
    code: 'E0510',
    where: 'acc every',
    message: "'acc' is a metric",
    hint: "declare it as 'loss acc",
  },
  {
    name: 'a metric as the target of an update',
    text: edit('update noise_scales(net) by adam(lr: 0.1) on gen every 30 steps', 'update acc by adam(lr: 0.1) on gen'),
    code: 'E0403',
    where: 'acc by',
    message: "'acc' is a metric, not a set of parameters",
    hint: "takes its metric after 'on'",
  },
  {
    name: 'no run',
    text: edit('run 2 epochs batch 64\n', ''),
    code: 'W0512',
    where: 'update params',
    message: "no 'run': it trains for 10 epochs",
    hint: "'run 10 epochs batch 64'",
  },
  {
    name: 'two splits of the same data',
    text: `${BASE}split d { train: 0.5, reg: 0.5 }\n`,
    code: 'E0202',
    where: 'd {',
    nth: 1,
    message: "'d' is split again: 'train', 'reg' are already declared",
    hint: "one 'split d { ... }'",
  },
  {
    name: 'a let used before its definition (no follow-ons where it is used)',
    text: `let h = width * 2\nlet width = 16\n${edit('dense(32)', 'dense(h)')}`,
    code: 'E0209',
    where: 'width * 2',
    message: "'width' is used before its 'let'",
    hint: "move 'let width = ...' above this line",
  },
  {
    name: 'mean[0]',
    text: edit('mean[3]', 'mean[0]'),
    code: 'E0205',
    where: '0]',
    message: 'mean[K] needs a positive integer K, the number of random draws averaged; got 0',
    hint: 'deterministic e',
  },
  {
    name: 'a misspelled optimizer',
    text: edit('by adam(lr: 1e-3)', 'by adm(lr: 1e-3)'),
    code: 'E0201',
    where: 'adm(',
    message: "unknown optimizer 'adm'",
    hint: "did you mean 'adam'?",
  },
];

describe('one clear, located diagnostic per mistake', () => {
  it('the base program is clean', () => {
    expect(compile(BASE).diagnostics).toEqual([]);
  });

  for (const c of cases) {
    it(c.name, () => {
      const ds = compile(c.text).diagnostics;
      expect(ds.map((d) => `${d.code} ${d.message}`)).toHaveLength(1);
      const d = ds[0]!;
      expect(d.code).toBe(c.code);
      expect({ line: d.span.start.line, column: d.span.start.column }).toEqual(at(c.text, c.where, c.nth ?? 0));
      expect(d.message).toContain(c.message);
      expect(d.hint ?? '').toContain(c.hint);
    });
  }
});
