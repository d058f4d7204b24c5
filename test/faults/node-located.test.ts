/**
 * A failure at run time names the expression that failed: its file:line:column, its source line
 * underlined, the shapes it met, and the update that was running it, for several kinds of node
 * (a plugin function that throws, a plugin whose computation contradicts its shape rule, a product
 * whose symbolic inner dimension meets another size only at run time, a layer, a metric).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { go, workspace } from '../helpers/run-program.js';
import { runWithPlugins } from '../helpers/run-with-plugins.js';

const HEAD = `plugin "./ops.js"
data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 40, seed: 1)
split d { train: 0.5, reg: 0.5 } seed 0
param w : Tensor[4] ~ normal(0, 1)
param v : Tensor[4] = 1 frozen
`;

const OPS = `import { defineFn, defineLayer, tf } from 'xreg/plugin';
export const boom = defineFn({ name: 'boom', args: ['x'], shape: ([s]) => s, compute: () => { throw new Error('the kernel ran out of registers'); } });
export const spread = defineFn({ name: 'spread', args: ['x'], shape: () => [], compute: ([x]) => tf.abs(x) });
// The rule promises some length n; the computation makes it 5 (one longer than its input).
export const pad1 = defineFn({ name: 'pad1', args: ['x'], shape: () => ['n'], compute: ([x]) => tf.concat([x, tf.zeros([1])]) });
export const badgrad = defineFn({ name: 'badgrad', args: ['x'], shape: () => [], compute: ([x]) => tf.sum(x), gradient: () => { throw new Error('no gradient here'); } });
export const broken = defineLayer({
  name: 'broken',
  shape: (input) => input,
  compute: () => { throw new Error('this layer has a bug'); },
});
`;

/** Runs `body` after HEAD and returns the error output and the manifest's error line. */
const failing = async (body: string) => {
  const d = workspace({ 'p.xreg': HEAD + body, 'ops.js': OPS });
  const out = path.join(d, 'out');
  const r = await runWithPlugins(path.join(d, 'p.xreg'), out);
  if (!existsSync(path.join(out, "manifest.json"))) throw new Error(`no manifest: ${r.errors.join("\n")}`);
  const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { outcome: string; error?: string };
  return { ...r, text: r.errors.join('\n'), manifest, file: path.join(d, 'p.xreg') };
};

/** The line and column of `needle` in the program (1-based), as a span would give them. */
const where = (body: string, needle: string): { line: number; column: number } => {
  const lines = (HEAD + body).split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  if (line < 0) throw new Error(`no ${needle}`);
  return { line: line + 1, column: (lines[line] ?? '').indexOf(needle) + 1 };
};

describe('run-time failures name the expression', () => {
  it('a plugin function that throws: E0701 at the call, its source line underlined, the update as a note', async () => {
    const body = `loss fit = mse(x @ boom(w), y) over train
update w by sgd(lr: 0.1) on fit
run 3 steps batch 10
`;
    const r = await failing(body);
    const at = where(body, 'boom(w)');
    const upd = where(body, 'update w');
    expect(r.code).toBe(1);
    expect(r.text).toContain(`error[E0701]: the call boom(…) on an argument of shape [4] failed at step 0: the kernel ran out of registers`);
    expect(r.text).toContain(`--> ${r.file}:${at.line}:${at.column}`);
    expect(r.text).toContain(`${at.line} | loss fit = mse(x @ boom(w), y) over train`);
    // The carets sit under `boom(w)`, not under the whole loss.
    expect(r.text).toMatch(new RegExp(`\\n\\s+\\| {${at.column}}\\^{7}\\n`));
    expect(r.text).toContain(`note: while running this update on loss fit (${r.file}:${upd.line}:${upd.column})`);
    expect(r.manifest.outcome).toBe('failed');
    expect(r.manifest.error).toBe(
      `training failed at step 0: the call boom(…) on an argument of shape [4] at ${r.file}:${at.line}:${at.column} failed (in the update at ${r.file}:${upd.line}:${upd.column} on loss fit): the kernel ran out of registers`,
    );
  });

  it('a shape rule that lies is named at the call of the entry that lied, not at the expression around it', async () => {
    const body = `loss fit = mse(x @ w, y) + 0.1 * spread(w) over train
update w by sgd(lr: 0.1) on fit
run 3 steps batch 10
`;
    const r = await failing(body);
    const at = where(body, 'spread(w)');
    expect(r.code).toBe(1);
    expect(r.text).toContain(`--> ${r.file}:${at.line}:${at.column}`);
    expect(r.text).toContain("the call spread(…) on an argument of shape [4] failed at step 0: the plugin function 'spread' broke its own shape rule: the rule says [], the computation returned [4]");
  });

  it("a product whose symbolic inner dimension meets another size at run time is named at '@' with both shapes", async () => {
    const body = `metric m = sum(v) over reg
loss fit = mse(x @ w, y) + l2(pad1(w) @ v) over train
update w by sgd(lr: 0.1) on fit
run 3 steps batch 10
`;
    const r = await failing(body);
    const at = where(body, 'pad1(w) @ v');
    expect(r.code).toBe(1);
    expect(r.text).toContain(`error[E0701]: the product '@' of shapes [5] and [4] failed at step 0: `);
    expect(r.text).toContain(`--> ${r.file}:${at.line}:${at.column}`);
    // The call inside the product ran fine: it is not the one named.
    expect(r.text).not.toContain('pad1(…)');
    // The whole output, as a user sees it, pinned (read by eye; UPDATE_GOLDEN=1 rewrites it).
    const golden = path.join(import.meta.dirname, 'golden', 'runtime-matmul.expected');
    const shown = `${r.text.replaceAll(path.dirname(r.file), '<dir>')}\n`;
    if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(golden)) writeFileSync(golden, shown);
    expect(shown).toBe(readFileSync(golden, 'utf8'));
  });

  it("a plugin's hand-written gradient that throws (the backward pass, outside every expression) names the entry and the update", async () => {
    const body = `loss fit = mse(x @ w, y) + badgrad(w) over train
update w by sgd(lr: 0.1) on fit
run 3 steps batch 10
`;
    const r = await failing(body);
    const upd = where(body, 'update w');
    expect(r.code).toBe(1);
    expect(r.text).toBe(`error: training failed at step 0: the update at ${r.file}:${upd.line}:${upd.column} (on loss fit) failed: the gradient of the plugin function 'badgrad' failed: no gradient here`);
  });

  it('a layer that fails is named at the layer call, with its input shape', async () => {
    const body = `model net(x) = x |> broken
loss fit = mse(net(x) @ w, y) over train
update w by sgd(lr: 0.1) on fit
run 3 steps batch 10
`;
    const r = await failing(body);
    expect(r.code).toBe(1);
    expect(r.text).toContain('error[E0701]: the layer broken on an input of shape [10, 4] failed at step 0: this layer has a bug');
    const at = where(body, 'broken');
    expect(r.text).toContain(`--> ${r.file}:${at.line}:`);
  });

  it('a failure in a reported metric (no update running) is named at its expression, without an update note', async () => {
    const body = `loss fit = mse(x @ w, y) over train
metric bad = sum(boom(w)) over reg
update w by sgd(lr: 0.1) on fit
run 4 steps batch 10
report every 2: fit, bad
`;
    const r = await failing(body);
    const at = where(body, 'boom(w)');
    expect(r.code).toBe(1);
    expect(r.text).toContain(`--> ${r.file}:${at.line}:${at.column}`);
    expect(r.text).toContain('failed at step 2: the kernel ran out of registers');
    expect(r.errors.at(-1)).toBe('error: training failed at step 2; the run is marked failed');
    expect(r.text).not.toContain('while running this update');
  });
});

/** A program whose fourth line is `param` (frozen, finite) and fifth the loss, run until it diverges. */
const diverging = async (param: string, loss: string, needle: string) => {
  const text = `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 40, seed: 1)
split d { train: 0.5, reg: 0.5 } seed 0
param w : Tensor[4] = 0.5
${param}
loss fit = ${loss} over train
update w by sgd(lr: 0.01) on fit
run 6 steps batch 10
report every 2: fit
`;
  const d = workspace({ 'p.xreg': text });
  const out = path.join(d, 'out');
  const r = await go({ file: path.join(d, 'p.xreg'), out });
  const m = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { divergences: { first?: { what: string; at: string } }[] };
  return { ...r, text: r.errors.join('\n'), first: m.divergences[0]?.first, file: path.join(d, 'p.xreg'), col: (text.split('\n')[4] ?? '').indexOf(needle) + 1 };
};

describe('a figure drawn at the end of a run', () => {
  it('a reliability figure whose expression fails is a note naming the expression and its place; the trained run stands', async () => {
    const text = `plugin "./ops.js"
data d = digits(path: ${JSON.stringify(path.resolve('data/digits.csv.gz'))})
split d { train: 0.7, reg: 0.1, test: 0.2 } seed 0
model net(x) = x |> dense(10)
loss fit = cross_entropy(net(x), y) over train
update params(net) by adam(lr: 1e-3) on fit
run 4 steps batch 16
figure rel = reliability(softmax(boom(net(x))), y)
`;
    const d = workspace({ 'p.xreg': text, 'ops.js': OPS });
    const file = path.join(d, 'p.xreg');
    const r = await runWithPlugins(file, path.join(d, 'out'));
    const col = (text.split('\n')[7] ?? '').indexOf('boom(') + 1;
    expect(r.code).toBe(0);
    expect(r.errors.join('\n')).toMatch(new RegExp(`^note: figure rel: the call boom\\(…\\) on an argument of shape \\[\\d+, 10\\] at ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:8:${col} failed: the kernel ran out of registers$`, 'm'));
  });
});

describe('a loss that is not finite names where it came from', () => {
  it('exp(s) overflowing inside the loss: the divergence names the call exp(…) at its place, in the message and the manifest', async () => {
    const r = await diverging('param s : Scalar = 100 frozen', 'mse(x @ w, y) + 0.001 * exp(s)', 'exp(s)');
    expect(r.code).toBe(1);
    // exp(100) is beyond float32 (3.4e38) while w stays finite: the loss, not a parameter, is named.
    expect(r.text).toContain(`diverged at step 2: the loss fit is Infinity (its update is at ${r.file}:6:1); the first value that is not finite: the call exp(…) at ${r.file}:5:${r.col}`);
    expect(r.first).toEqual({ what: 'the call exp(…)', at: `${r.file}:5:${r.col}` });
  });

  it('a sum of two terms, one of which is log(0): the log is named, not the product or the sum around it', async () => {
    const r = await diverging('param z : Scalar = 0 frozen', 'mse(x @ w, y) - 0.1 * log(z * z)', 'log(');
    expect(r.code).toBe(1);
    expect(r.first).toEqual({ what: 'the call log(…)', at: `${r.file}:5:${r.col}` });
  });
});
