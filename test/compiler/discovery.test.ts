/**
 * The second elaboration pass is skipped where it cannot change the result: these compile
 * programs both ways and require identical IR and diagnostics, and check that both ways are taken.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { largeProgram } from '../../bench/check-large.js';
import { compileProgram } from '../../compiler/compile.js';
import { parseProgram } from '../../dsl/parse.js';
import { RIDGE } from './helpers.js';

const root = join(import.meta.dirname, '..', '..');
const readFile = (p: string): E.Either<string, string> => {
  try {
    return E.right(readFileSync(join(root, p), 'utf8'));
  } catch (e) {
    return E.left(String(e));
  }
};

const programFiles = readdirSync(join(root, 'programs'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(root, 'programs', d.name)).filter((f) => f.endsWith('.xreg')).map((f) => join('programs', d.name, f)));

const docExamples = (): string[] => {
  const md = readFileSync(join(root, 'docs', 'language.md'), 'utf8');
  return [...md.matchAll(/^```xreg[^\n]*\n([\s\S]*?)^```\s*$/gm)].map((m) => m[1] ?? '');
};

const HEAD = `data d = correlated_features(base: 5, copies: 2, noise: 0.1, n: 300, seed: 1)
split d { train: 1/2, reg: 1/2 }
`;

/** Programs whose meaning depends on what a first pass finds, and mistakes. */
const written: Record<string, string> = {
  'selector in a loss, model applied further down': `${HEAD}model net(x) = x |> dense(4) |> relu |> dense(1)
loss pen = sum(flat(weights(net))^2) over train
loss fit = mse(net(x), y) + 0.1 * pen over train
update params(net) by adam(lr: 1e-3) on fit
run 10 steps`,
  'a model parameter by path before the model is applied': `${HEAD}model net(x) = x |> dense(1)
loss pen = sum(net.dense.w^2) over train
loss fit = mse(net(x), y) + pen over train
update params(net) by adam(lr: 1e-3) on fit
run 10 steps`,
  'a partition named in an expression': `${HEAD}model net(x) = x |> dense(1)
partition ws = weights(net)
loss fit = mse(net(x), y) + sum(flat(ws)^2) over train
update params(net) by adam(lr: 1e-3) on fit
run 10 steps`,
  'unknown names and a bad shape': `${HEAD}param w : Tensor[3] = 0
loss fit = mse(x @ w, y) + nosuch over train
update w by adam on fitt
run 10 steps`,
  'leak and no partition': `${HEAD}param w : Tensor[10] = 0
param v : Tensor[10] = 0
loss fit = mse(x @ w, y) over train
loss gen = mse(x @ w, y) over reg
update w by adam on fit
update w by sgd on gen`,
  'a data width bound by a product': `data d = csv(path: "no/such.csv", target: "y")
split d { train: 1/2, reg: 1/2 }
model net(x) = x |> dense(1)
param w : Tensor[3] = 0
loss a = mse(net(x), y) over train
loss b = mse(x @ w, y) over train
update params(net) by adam(lr: 1e-3) on a
update w by adam(lr: 1e-3) on b
run 10 steps`,
  'no run': `${HEAD}param w : Tensor[10] = 0
update w by adam on mse(x @ w, y) over train`,
};

const compileBoth = (text: string, file: string) => {
  const parsed = parseProgram(text, file);
  return {
    program: parsed.program,
    auto: compileProgram(parsed.program, { readFile }),
    always: compileProgram(parsed.program, { readFile, discoveryPass: 'always' }),
  };
};

const passesOf = (text: string, file = 'main.xreg'): number => {
  let n = 0;
  compileProgram(parseProgram(text, file).program, {
    readFile,
    onPasses: (p) => {
      n = p;
    },
  });
  return n;
};

describe('skipping the discovery pass changes nothing', () => {
  const cases: [string, string][] = [
    ...programFiles.map((f) => [f, readFileSync(join(root, f), 'utf8')] as [string, string]),
    ...docExamples().map((t, i) => [`docs/language.md example ${i + 1}`, t] as [string, string]),
    ...Object.entries(written),
    ['helpers RIDGE', RIDGE],
    ['bench program, 600 lines', largeProgram(600)],
  ];
  for (const [name, text] of cases)
    it(name, () => {
      const r = compileBoth(text, name.endsWith('.xreg') ? name : 'main.xreg');
      expect(r.auto).toEqual(r.always);
    });

  it('the programs that depend on the first pass compile clean', () => {
    for (const k of ['selector in a loss, model applied further down', 'a model parameter by path before the model is applied', 'a partition named in an expression', 'a data width bound by a product']) {
      const r = compileBoth(written[k]!, 'main.xreg');
      expect(r.auto.diagnostics).toEqual([]);
      expect(r.auto.ir).toBeDefined();
    }
  });

  it('takes one pass for plain programs, two where a selector in an expression or a data width needs them', () => {
    expect(passesOf(largeProgram(100))).toBe(1);
    expect(passesOf(RIDGE)).toBe(1);
    expect(passesOf(written['no run']!)).toBe(1);
    expect(passesOf(written['unknown names and a bad shape']!)).toBe(1);
    for (const k of ['selector in a loss, model applied further down', 'a model parameter by path before the model is applied', 'a partition named in an expression'])
      expect(passesOf(written[k]!)).toBe(2);
    expect(passesOf(written['a data width bound by a product']!)).toBe(2);
    const counts = programFiles.map((f) => passesOf(readFileSync(join(root, f), 'utf8'), f));
    expect(counts).toContain(1);
  });
});
