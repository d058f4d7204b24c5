/**
 * Hostile program generators shared by the fast property test (test/faults/parser-fuzz.test.ts)
 * and the long campaign (bench/faults/parser-fuzz.ts): deep nesting of every bracket and
 * operator, long chains, huge literals, and every keyword at every position of a valid program.
 */
import fc from 'fast-check';
import { keywordNames } from '../../dsl/lexer.js';

/**
 * Every keyword the lexer knows (read from it, so a keyword added to the language is fuzzed too), and
 * the names that act as words in some position without being reserved (types, `grad`, the words of
 * `on divergence continue|stop`).
 */
export const KEYWORDS: readonly string[] = [...keywordNames, 'grad', 'Tensor', 'Scalar', 'divergence', 'continue', 'stop'];

export const HEAD = `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 60, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[4] = 0
`;
const TAIL = `update w by sgd(lr: 0.1) on fit\nrun 10 steps\n`;
const inLoss = (e: string): string => `${HEAD}loss fit = mse(${e}, y) over train\n${TAIL}`;

const openClose: readonly [string, string][] = [['(', ')'], ['[', ']'], ['{', '}'], ['f(', ')'], ['-', ''], ['mean[2] ', ''], ['2 ^ ', '']];

/** Nesting of random brackets and prefix operators, up to `max` deep, closed or left open. */
export const deepNesting = (max: number): fc.Arbitrary<string> =>
  fc.tuple(fc.array(fc.constantFrom(...openClose), { minLength: 1, maxLength: max }), fc.boolean()).map(([levels, closed]) => {
    const open = levels.map((l) => l[0]).join('');
    const close = closed ? [...levels].reverse().map((l) => l[1]).join('') : '';
    return inLoss(`${open}x @ w${close}`);
  });

const chainOps = [' |> relu', ' + l2(w)', ' * 1', ' ^ 1', ' - 1', ' @ w', ' |> dense(4)'];

/** A chain of one binary operator (or pipeline stage), up to `max` long. */
export const longChain = (max: number): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom(...chainOps), fc.integer({ min: 1, max })).map(([op, n]) => inLoss(`x @ w${op.repeat(n)}`));

/** Numbers and strings far outside any sensible range. */
export const hugeLiteral: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 300, max: 5000 }).map((n) => `${HEAD}let k = ${'9'.repeat(n)}\nloss fit = mse(x @ w, y) * k over train\n${TAIL}`),
  fc.constantFrom('1e999', '1e-999', '0x1A', '1e', '.e5', '00000000000000000001', '1_000').map((lit) => `${HEAD}let k = ${lit}\nloss fit = mse(x @ w, y) * k over train\n${TAIL}`),
  fc.integer({ min: 1000, max: 200_000 }).map((n) => `${HEAD}data e = csv("${'a'.repeat(n)}.csv", target: "y")\nloss fit = mse(x @ w, y) over train\n${TAIL}`),
  fc.integer({ min: 1, max: 9 }).map((k) => `${HEAD}param big : Tensor[${'9'.repeat(k * 3)}, ${'9'.repeat(k * 3)}] = 0\nloss fit = mse(x @ w, y) over train\n${TAIL}`),
  fc.integer({ min: 1, max: 30 }).map((k) => `${HEAD}loss fit = mse(x @ w, y) over train\nupdate w by sgd(lr: 0.1) on fit\nrun ${'9'.repeat(k)} steps batch ${'9'.repeat(k)}\n`),
);

/** The valid program with keyword `k` inserted before its `i`-th token (text positions of its tokens). */
export const withKeywordAt = (text: string, offsets: readonly number[], i: number, k: string): string => {
  const at = offsets[i % offsets.length] ?? 0;
  return `${text.slice(0, at)}${k} ${text.slice(at)}`;
};

export const VALID = inLoss('x @ w');
