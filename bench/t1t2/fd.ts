/**
 * The T1–T2 hyper-gradient of programs/baselines/t1t2.xreg against central finite differences, on
 * its own data and network: at θ after `--warm` plain steps, d gen(θ − η∇θ fit(θ, λ))/dλ_i as the
 * λ rule computes it (reverse mode through the step, Hessian-vector products), and as
 * (gen(λ_i + h) − gen(λ_i − h)) / 2h with each side one real θ step of the program's θ rule.
 * Both on the same train and reg batches of 64, in float32 (tfjs has no float64).
 *
 *   npx tsx bench/t1t2/fd.ts [--warm 100] [--h 1e-3] [--lam 1e-3]
 */
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { compileText } from '../../compiler/compile.js';
import { lowerProgram } from '../../compiler/lower/index.js';
import type { Batches, RunState } from '../../compiler/lower/types.js';
import { readSourceSync } from '../../dsl/read-source.js';
import { prepareData } from '../../runtime/exec/data.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { tf } from '../../stdlib/tf.js';

const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const warm = arg('warm', 100);
const h = arg('h', 1e-3);
const lam = arg('lam', 1e-3);

const file = path.resolve('programs/baselines/t1t2.xreg');
const text = readSourceSync(file);
if (E.isLeft(text)) throw new Error(text.left);
// sgd(lr: 1) without the clamp: the step on λ is then exactly the hyper-gradient
const probe = text.right.replace('sgd(lr: 1e-2, min: 0)', 'sgd(lr: 1)').replace(/ every 10 steps/, '');
const ir = compileText(probe, file, { readFile: readSourceSync }).ir;
if (ir === undefined) throw new Error('t1t2.xreg does not compile');
const low = lowerProgram(ir, standardLibrary, { stepsPerEpoch: 17 });
if (E.isLeft(low)) throw new Error(low.left.map((d) => d.message).join('\n'));
const p = low.right;
const data = await prepareData(ir, standardLibrary);
if (E.isLeft(data)) throw new Error(JSON.stringify(data.left));

const first = (key: string, n: number, offset: number): Batches[string] => {
  const d = data.right.splits[key];
  if (d === undefined) throw new Error(`no split ${key}`);
  const out: Record<string, tf.Tensor> = {};
  for (const [name, f] of Object.entries(d.fields)) {
    const per = f.shape.reduce((a, b) => a * b, 1);
    out[name] = tf.tensor(f.data.slice(offset * per, (offset + n) * per), [n, ...f.shape]);
  }
  return out as Batches[string];
};
const batchesAt = (k: number): Batches => ({ 'd.train': first('d.train', 64, (k * 64) % 960), 'd.reg': first('d.reg', 64, 0) });

const [lamRule, thetaRule] = p.rules;
if (lamRule === undefined || thetaRule === undefined) throw new Error('t1t2.xreg has two rules');
const genObs = p.losses.find((o) => o.name === 'gen');
if (genObs === undefined) throw new Error('no loss gen');

let s: RunState = p.init(0);
for (let k = 0; k < warm; k++) s = thetaRule.step(s, batchesAt(k), k);
const names = ['lam1', 'lam2', 'lam3'];
const withLam = (st: RunState, values: readonly number[]): RunState => ({ ...st, params: { ...st.params, ...Object.fromEntries(names.map((n, i) => [n, tf.scalar(values[i] ?? 0)])) } });
const b = batchesAt(warm);
const at = (values: readonly number[]): number => genObs.evaluate(thetaRule.step(withLam(s, values), b, 0), b, 0).value;
const base = [lam, lam, lam];
const stepped = lamRule.step(withLam(s, base), b, 0);
console.log(`T1–T2 hyper-gradient of t1t2.xreg at θ after ${warm} steps, λ = ${lam}, h = ${h} (float32, batches of 64)`);
console.log('param   reverse mode     finite diff.     rel. diff');
for (const [i, n] of names.entries()) {
  const g = (base[i] ?? 0) - (stepped.params[n]?.dataSync()[0] ?? Number.NaN);
  const up = base.map((v, j) => (j === i ? v + h : v));
  const dn = base.map((v, j) => (j === i ? v - h : v));
  const fd = (at(up) - at(dn)) / (2 * h);
  console.log(`${n}    ${g.toExponential(6)}    ${fd.toExponential(6)}    ${(Math.abs(g - fd) / Math.abs(fd)).toExponential(2)}`);
}
