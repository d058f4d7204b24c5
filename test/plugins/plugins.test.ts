/**
 * Plugins end to end: every place that can name one (a declaration, xreg.config.json, --plugin, an
 * installed package), a plugin that contradicts its own shape rule, a hand-written gradient against
 * finite differences, and `eye` with an in-language penalty that must train exactly as the same
 * penalty written as a plugin.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { readTextSync } from '../../cli/check.js';
import { programRegistry, registryForFile } from '../../cli/plugins/registry.js';
import { compileText } from '../../compiler/compile.js';
import { defineFn } from '../../stdlib/plugin/define.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { tf } from '../../stdlib/tf.js';
import { workspace } from '../helpers/run-program.js';
import { registryOf, runWithPlugins } from '../helpers/run-with-plugins.js';
import { checkWithPlugins } from './check.js';

const HEAD = `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 40, seed: 1)
split d { train: 0.5, reg: 0.5 } seed 0
param w : Tensor[4] ~ normal(0, 1)
`;
const BODY = `loss fit = mse(x @ w, y) over train
update w by sgd(lr: 0.1) on fit
run 1 steps
`;
const usesSpread = `${HEAD}loss fit = mse(x @ w, y) + spread(w) over train
update w by sgd(lr: 0.1) on fit
run 4 steps batch 10
report every 2: fit, s = spread(w)
`;
const spreadPlugin = `import { defineFn, tf } from 'xreg/plugin';
export default [defineFn({ name: 'spread', args: ['x'], shape: () => [], compute: ([x]) => tf.sub(tf.max(x), tf.min(x)) })];
`;

const records = (out: string): Record<string, unknown>[] =>
  readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('where plugins are named', () => {
  it('without its plugin the program does not know the name; a declaration, the project file and --plugin each supply it', async () => {
    const d = workspace({ 'p.xreg': usesSpread, 'decl.xreg': `plugin "./spread.js"\n${usesSpread}`, 'spread.js': spreadPlugin });
    const bare = await checkWithPlugins([path.join(d, 'p.xreg')]);
    expect(bare.diagnostics.map((x) => x.code)).toContain('E0201');
    expect((await checkWithPlugins([path.join(d, 'decl.xreg')])).exitCode).toBe(0);
    const byFlag = await registryOf(path.join(d, 'p.xreg'), ['./spread.js']);
    expect(E.isRight(byFlag) && byFlag.right.entries.has('spread')).toBe(true);

    const project = workspace({ 'xreg.config.json': '{ "plugins": ["./lib/spread.js"] }' });
    mkdirSync(path.join(project, 'lib'));
    mkdirSync(path.join(project, 'programs'));
    writeFileSync(path.join(project, 'lib', 'spread.js'), spreadPlugin);
    writeFileSync(path.join(project, 'programs', 'p.xreg'), usesSpread);
    // The project file is found above the program's folder, and its paths are relative to it.
    expect((await checkWithPlugins([path.join(project, 'programs', 'p.xreg')])).exitCode).toBe(0);
  });

  it('an installed package (an ES module with exports) is a plugin by its name, through the command line; one file named twice loads once', () => {
    const d = workspace({ 'p.xreg': `plugin "xreg-spread"\nplugin "xreg-spread"\n${usesSpread}` });
    const pkg = path.join(d, 'node_modules', 'xreg-spread');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'xreg-spread', type: 'module', exports: { '.': { import: './index.js' } } }));
    writeFileSync(path.join(pkg, 'index.js'), spreadPlugin);
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.resolve('cli/xreg.ts'), 'check', path.join(d, 'p.xreg')], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stdout).toContain('all clean');
    expect(r.status).toBe(0);
  });

  it('the registry is per program: a plugin one program declares is unknown to another checked with it', async () => {
    const d = workspace({ 'a.xreg': `plugin "./spread.js"\n${usesSpread}`, 'b.xreg': usesSpread, 'spread.js': spreadPlugin });
    const r = await checkWithPlugins([path.join(d, 'a.xreg'), path.join(d, 'b.xreg')]);
    expect([...new Set(r.diagnostics.filter((x) => x.code === 'E0201').map((x) => path.basename(x.span.file)))]).toEqual(['b.xreg']);
  });
});

describe('running with plugins', () => {
  it('a computation that contradicts its own shape rule stops the run at its first evaluation, naming the entry and both shapes', async () => {
    const liar = `import { defineFn, tf } from 'xreg/plugin';
export const spread = defineFn({ name: 'spread', args: ['x'], shape: () => [], compute: ([x]) => tf.abs(x) });
`;
    const d = workspace({ 'p.xreg': `plugin "./liar.js"\n${usesSpread}`, 'liar.js': liar });
    expect((await checkWithPlugins([path.join(d, 'p.xreg')])).exitCode).toBe(0);
    const r = await runWithPlugins(path.join(d, 'p.xreg'), path.join(d, 'out'));
    expect(r.code).toBe(1);
    expect(r.errors.join('\n')).toContain("the plugin function 'spread' broke its own shape rule: the rule says [], the computation returned [4]");
  });

  it('a plugin penalty trains: spread(w) (max − min, by subgradient) shrinks under its own pressure', async () => {
    const d = workspace({ 'p.xreg': `plugin "./spread.js"\n${usesSpread.replace('mse(x @ w, y) + spread(w)', 'spread(w)')}`, 'spread.js': spreadPlugin });
    const r = await runWithPlugins(path.join(d, 'p.xreg'), path.join(d, 'out'));
    expect(r.errors.join('\n')).toBe('');
    expect(r.code).toBe(0);
    const rs = records(path.join(d, 'out'));
    // Each sgd step moves the largest and the smallest entry 0.1 towards each other.
    expect((rs[0]?.['s'] as number) - (rs.at(-1)?.['s'] as number)).toBeCloseTo(0.4, 4);
  });
});

describe('the plugin API', () => {
  it("a hand-written gradient is the one used, and it agrees with finite differences (float64)", () => {
    const cube = defineFn({
      name: 'cube_sum',
      args: ['x'],
      shape: () => [],
      compute: ([x]) => tf.sum(tf.pow(x as tf.Tensor, 3)),
      gradient: ([x], dy) => [tf.mul(dy, tf.mul(3, tf.square(x as tf.Tensor)))],
    });
    const x0 = [0.3, -1.2, 2.0];
    const g = tf.grad((x: tf.Tensor) => cube.apply([x], {}))(tf.tensor1d(x0)).arraySync() as number[];
    const f = (v: readonly number[]): number => v.reduce((a, b) => a + b ** 3, 0);
    const h = 1e-6;
    const fd = x0.map((_, i) => (f(x0.map((v, j) => (j === i ? v + h : v))) - f(x0.map((v, j) => (j === i ? v - h : v)))) / (2 * h));
    g.forEach((gi, i) => expect(gi).toBeCloseTo(fd[i] as number, 3));
    // A wrong gradient is visibly used (not silently replaced by autodiff).
    const wrong = defineFn({ name: 'w', args: ['x'], shape: () => [], compute: ([x]) => tf.sum(x as tf.Tensor), gradient: ([x]) => [tf.zerosLike(x as tf.Tensor)] });
    expect(tf.grad((x: tf.Tensor) => wrong.apply([x], {}))(tf.tensor1d(x0)).arraySync()).toEqual([0, 0, 0]);
  });

  it('shape rules answer at compile time through the same compiler path as built-ins (option check included)', async () => {
    const d = workspace({ 'spread.js': spreadPlugin, 'p.xreg': `plugin "./spread.js"\n${usesSpread}` });
    const reg = await programRegistry(standardLibrary, path.join(d, 'p.xreg'), undefined, readTextSync, { flags: ['./spread.js'], cwd: d });
    if (E.isLeft(reg)) throw new Error('no registry');
    const r = compileText(`${HEAD}${BODY}metric s = spread(w, w)\n`, 'x.xreg', { registry: reg.right });
    expect(r.diagnostics.map((x) => `${x.code} ${x.message}`)).toEqual(["E0206 'spread' takes at most 0 arguments"]);
    const fine = compileText(`${HEAD}${BODY}metric s = spread(w)\n`, 'x.xreg', { registry: reg.right });
    expect(fine.diagnostics).toEqual([]);
  });
});

describe('eye and a penalty written in the language', () => {
  const inLanguage = `data d = correlated_features(base: 5, copies: 2, noise: 0.1, n: 120, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
param W : Tensor[10, 3] ~ normal(0, 1)
param v : Tensor[3] ~ normal(0, 1)
fn orthogonality(M) = l2(transpose(M) @ M - eye(3))
loss fit = mse((x @ W) @ v, y) + 0.1 * orthogonality(W) over train
update W by sgd(lr: 0.01) on fit
update v by sgd(lr: 0.01) on fit
run 20 steps batch 20
report every 5: fit, gap = orthogonality(W)
`;

  it('eye(n) is the identity: a shape [n, n] at compile time, I at run time', () => {
    const r = compileText(`${HEAD}${BODY}let n = 3\nmetric e = sum(eye(n) @ eye(n))\n`, 'e.xreg');
    expect(r.diagnostics).toEqual([]);
    expect(r.ir?.metrics.find((m) => m.name === 'e')).toBeDefined();
    expect(tf.eye(3).arraySync()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    const bad = compileText(`${HEAD}${BODY}metric e = sum(eye(0))\n`, 'e.xreg');
    expect(bad.diagnostics.map((x) => x.code)).toEqual(['E0303']);
  });

  it("the in-language orthogonality and the example plugin's (hand-written gradient) train identically", async () => {
    const pluginFile = path.resolve('examples/plugin/plugin.ts');
    const d = workspace({
      'lang.xreg': inLanguage,
      'plugin.xreg': `plugin "${pluginFile}"\n${inLanguage.replace(/^fn orthogonality.*\n/m, '')}`,
    });
    const a = await runWithPlugins(path.join(d, 'lang.xreg'), path.join(d, 'a'));
    const b = await runWithPlugins(path.join(d, 'plugin.xreg'), path.join(d, 'b'));
    expect([a.code, b.code, a.errors.join(''), b.errors.join('')]).toEqual([0, 0, '', '']);
    const ra = records(path.join(d, 'a'));
    const rb = records(path.join(d, 'b'));
    expect(ra.length).toBeGreaterThan(3);
    ra.forEach((r, i) => {
      expect(rb[i]?.['gap'] as number).toBeCloseTo(r['gap'] as number, 3);
      expect(rb[i]?.['fit'] as number).toBeCloseTo(r['fit'] as number, 4);
    });
    // The penalty did something: the columns moved towards orthonormal.
    expect(ra.at(-1)?.['gap'] as number).toBeLessThan(ra[0]?.['gap'] as number);
  });
});

describe('the worked example (examples/plugin)', () => {
  it('orthogonal.xreg trains with its plugin regularizer, layer and optimizer; the strength moves by cross-regularization', async () => {
    const d = workspace({});
    const r = await runWithPlugins('examples/plugin/orthogonal.xreg', path.join(d, 'out'), 30);
    expect(r.errors.join('\n')).toBe('');
    expect(r.code).toBe(0);
    const last = records(path.join(d, 'out')).at(-1) as Record<string, number>;
    expect(last['log_lam']).not.toBe(-2);
    expect(Number.isFinite(last['gap'])).toBe(true);
  });
});

describe('xreg check --json', () => {
  it('carries related notes with their places (a name two plugins define: where the other was named)', async () => {
    const r = await checkWithPlugins(['test/plugins/golden/twice.xreg'], true);
    const [d] = JSON.parse(r.stdout) as { code: string; line: number; related: { message: string; file: string; line: number; column: number }[] }[];
    expect(d?.code).toBe('E0804');
    expect(d?.line).toBe(2);
    expect(d?.related).toEqual([{ message: "'./twice_a.plugin.js' is named here", file: 'test/plugins/golden/twice.xreg', line: 1, column: 8, endLine: 1, endColumn: 29 }]);
  });
});

describe('a plugin loader', () => {
  const loader = `import { defineLoader } from 'xreg/plugin';
export const line = defineLoader({
  name: 'line',
  args: [{ name: 'n', type: 'int' }, { name: 'slope', type: 'number', default: 2 }],
  schema: () => ({ x: { dtype: 'float32', shape: [1] }, y: { dtype: 'float32', shape: [] } }),
  load: async (a) => {
    const n = Number(a.n);
    if (n > 1000) return { message: 'line: at most 1000 examples', hint: 'ask for fewer' };
    const x = Float32Array.from({ length: n }, (_, i) => (i / n) * 2 - 1);
    return { size: n, fields: { x: { dtype: 'float32', shape: [1], data: x }, y: { dtype: 'float32', shape: [], data: x.map((v) => Number(a.slope) * v) } } };
  },
});
`;
  const program = (n: number): string => `plugin "./line.js"
data d = line(n: ${n}, slope: 3)
split d { train: 0.5, reg: 0.5 } seed 0
param w : Tensor[1] = 0
loss fit = mse(x @ w, y) over train
update w by sgd(lr: 0.5) on fit
run 60 steps batch 20
report every 20: fit, slope = sum(w)
`;

  it('feeds a program: the fitted slope is the one the loader generated', async () => {
    const d = workspace({ 'line.js': loader, 'p.xreg': program(200) });
    const r = await runWithPlugins(path.join(d, 'p.xreg'), path.join(d, 'out'));
    expect(r.errors.join('\n')).toBe('');
    expect(r.code).toBe(0);
    expect(records(path.join(d, 'out')).at(-1)?.['slope'] as number).toBeCloseTo(3, 2);
  });

  it('a data error the loader returns ends the run with its message and hint, not a stack trace', async () => {
    const d = workspace({ 'line.js': loader, 'p.xreg': program(5000) });
    const r = await runWithPlugins(path.join(d, 'p.xreg'), path.join(d, 'out'));
    expect(r.code).toBe(1);
    expect(r.errors.join('\n')).toContain('line: at most 1000 examples');
    expect(r.errors.join('\n')).not.toMatch(/\n\s+at /);
  });
});
