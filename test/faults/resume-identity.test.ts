/**
 * A resume continues the same experiment: every source file the program reads (imports and plugins too) and
 * every data file it names must be unchanged; comments and spacing may change.
 */
import { appendFileSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { go, workspace } from '../helpers/run-program.js';
import { registryOf } from '../helpers/run-with-plugins.js';

const lib = `# helpers\nfn predict(v) = v @ w\n`;
const main = `import "lib.xreg"
data d = csv("small.csv", target: "y")
split d { train: 0.5, reg: 0.5 } seed 0
param w : Tensor[3] = 0
loss fit = mse(predict(x), y) over train
update w by sgd(lr: 0.01) on fit
run 20 steps batch 2
report every 2 steps: fit
`;
const csv = 'a,b,c,y\n1,2,3,4\n2,3,4,5\n3,1,2,6\n4,4,1,5\n0,1,1,2\n2,2,2,3\n';

const interrupted = async (): Promise<{ d: string; file: string; out: string; whole: string }> => {
  const d = workspace({ 'main.xreg': main, 'lib.xreg': lib, 'small.csv': csv });
  const file = path.join(d, 'main.xreg');
  const whole = path.join(d, 'whole');
  expect((await go({ file, out: whole })).code).toBe(0);
  const out = path.join(d, 'out');
  let at = 0;
  expect((await go({ file, out, checkpointEvery: 5 }, { onStep: (m) => (at = m.state.step), shouldStop: () => at >= 10 })).code).toBe(130);
  return { d, file, out, whole };
};

describe('resume identity', () => {
  it('comments and spacing changed in the program and in an import: the resume goes on, bit for bit', async () => {
    const { d, file, out, whole } = await interrupted();
    appendFileSync(file, '# a note added after the kill\n');
    writeFileSync(path.join(d, 'lib.xreg'), `# helpers, reformatted\nfn predict(v)   =   v @ w   # same tokens\n`);
    const r = await go({ file, resume: out });
    expect(r.errors.join('\n')).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')).toBe(readFileSync(path.join(whole, 'metrics.jsonl'), 'utf8'));
  });

  it('an edited imported fn is refused, naming the file', async () => {
    const { d, file, out } = await interrupted();
    writeFileSync(path.join(d, 'lib.xreg'), `fn predict(v) = 2 * (v @ w)\n`);
    const r = await go({ file, resume: out });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([expect.stringMatching(/cannot resume .*: .*lib\.xreg changed \(more than comments or spacing\) since the run started/)]);
  });

  it('a changed data file is refused, naming it', async () => {
    const { d, file, out } = await interrupted();
    const data = path.join(d, 'small.csv');
    writeFileSync(data, csv.replace('0,1,1,2', '0,1,1,9'));
    utimesSync(data, new Date(), new Date(Date.now() + 5000));
    const r = await go({ file, resume: out });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([expect.stringMatching(/data file .*small\.csv changed \(size .*modified/)]);
  });

  it('the manifest lists the sources and data files', async () => {
    const { out } = await interrupted();
    const m = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { sources: { path: string }[]; data: { path: string; size: number }[] };
    expect(m.sources.map((s) => path.basename(s.path))).toEqual(['main.xreg', 'lib.xreg']);
    expect(m.data.map((x) => [path.basename(x.path), x.size])).toEqual([['small.csv', csv.length]]);
  });
});

describe('resume identity: plugins', () => {
  const program = `plugin "./ops.js"
data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 40, seed: 1)
split d { train: 0.5, reg: 0.5 } seed 0
param w : Tensor[4] = 0
loss fit = mse(x @ w, y) + 0.1 * shrink(w) over train
update w by sgd(lr: 0.05) on fit
run 20 steps batch 4
report every 2 steps: fit
`;
  const ops = (body: string): string => `import { defineFn, tf } from 'xreg/plugin';
export const shrink = defineFn({ name: 'shrink', args: ['x'], shape: () => [], compute: ([x]) => ${body} });
`;

  /** A run stopped at step 10 with its plugin as `before`, and the undisturbed run's folder. */
  const stopped = async (before: string) => {
    const d = workspace({ 'p.xreg': program, 'ops.js': before });
    const file = path.join(d, 'p.xreg');
    const registry = async () => {
      const r = await registryOf(file);
      if (E.isLeft(r)) throw new Error(r.left.map((x) => x.message).join('\n'));
      return r.right;
    };
    const whole = path.join(d, 'whole');
    expect((await go({ file, out: whole, registry: await registry() })).code).toBe(0);
    const out = path.join(d, 'out');
    let at = 0;
    expect((await go({ file, out, checkpointEvery: 5, registry: await registry() }, { onStep: (m) => (at = m.state.step), shouldStop: () => at >= 10 })).code).toBe(130);
    return { d, file, out, whole, registry };
  };

  it("a plugin's comments and spacing may change; the resume goes on, bit for bit", async () => {
    const s = await stopped(ops('tf.sum(tf.square(x))'));
    writeFileSync(path.join(s.d, 'ops.js'), `// shrink: the squared norm, written out again\n${ops('tf.sum(  tf.square(x)  ) /* same */')}`);
    const r = await go({ file: s.file, resume: s.out, registry: await s.registry() });
    expect(r.errors.join('\n')).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(s.out, 'metrics.jsonl'), 'utf8')).toBe(readFileSync(path.join(s.whole, 'metrics.jsonl'), 'utf8'));
  });

  it('a plugin that computes something else is refused, naming its file', async () => {
    const s = await stopped(ops('tf.sum(tf.square(x))'));
    writeFileSync(path.join(s.d, 'ops.js'), ops('tf.sum(tf.abs(x))'));
    const r = await go({ file: s.file, resume: s.out, registry: await s.registry() });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([expect.stringMatching(/cannot resume .*: .*ops\.js changed \(more than comments or spacing\) since the run started/)]);
  });
});
