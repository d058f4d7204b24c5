/**
 * λ_max of the training loss over training (the SRN paper's curvature claim: it falls by about 30%
 * over the last 50 epochs, with SRN lower than weight decay). Each program of the comparison runs
 * through the real runtime; every `EVERY` epochs the classifier's parameters are read from the
 * step callback and λ_max of the mean cross-entropy over the whole training split is estimated by
 * power iteration on Hessian-vector products (stdlib/curvature/hessian.ts). The loss is the
 * classifier's own (the MLP written out here: dense–relu–dense–relu–dense), without any penalty,
 * so every row is measured on the same function.
 *
 *   nice -n 5 npx tsx bench/srn/curvature.ts [OUT=runs/srn-curvature] [SEED=0]
 *
 * Writes OUT/curvature.json ({ rows: [{ label, points: [{ epoch, lambda_max, products }] }] }).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { runProgram } from '../../runtime/run.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { largestHessianEigenvalue } from '../../stdlib/curvature/hessian.js';
import { need, requireSplits } from '../crossreg/splits.js';
import { runDir, SIGNED_FROZEN, type Row } from './rows.js';

const [root = 'runs/srn-curvature', seedArg = '0'] = process.argv.slice(2);
const seed = Number(seedArg);
const EVERY = 5;
const ROWS: readonly Row[] = [
  { label: 'plain', program: 'plain', set: {} },
  { label: 'weight decay', program: 'weight_decay', set: {} },
  { label: 'SRN online, paper reading', program: 'srn_online', set: {} },
  { label: 'SRN online, signed head, z frozen', program: 'srn_online', set: SIGNED_FROZEN },
];

const train = need(await requireSplits('programs/srn/plain.xreg'), 'train');
/** The training split as tensors, made once the run has started the backend. */
let data: { x: tf.Tensor; y: tf.Tensor } | undefined;
const trainTensors = (): { x: tf.Tensor; y: tf.Tensor } => {
  data ??= tf.tidy(() => ({
    x: tf.keep(tf.tensor2d(Float32Array.from(train.x), [train.n, train.d])),
    y: tf.keep(tf.oneHot(tf.tensor1d(Int32Array.from(train.y), 'int32'), 10).toFloat()),
  }));
  return data;
};

/** The classifier's three dense layers, in order, from a parameter table. */
const layersOf = (params: Readonly<Record<string, tf.Tensor>>): { w: tf.Tensor; b: tf.Tensor }[] =>
  [1, 2, 3].map((i) => {
    const find = (leaf: string): tf.Tensor => {
      const k = Object.keys(params).find((p) => p.startsWith('net.') && p.endsWith(`dense${i}.${leaf}`));
      const t = k === undefined ? undefined : params[k];
      if (t === undefined) throw new Error(`no net dense${i}.${leaf} in ${Object.keys(params).join(', ')}`);
      return t;
    };
    return { w: find('w'), b: find('b') };
  });

const lambdaMax = (params: Readonly<Record<string, tf.Tensor>>): { value: number; products: number } => {
  const theta = layersOf(params).flatMap((l) => [l.w, l.b]);
  const { x, y } = trainTensors();
    const loss = (t: readonly tf.Tensor[]): tf.Tensor => {
    let h = x;
    for (let i = 0; i < t.length; i += 2) {
      const z = tf.add(tf.matMul(h, t[i] as tf.Tensor), t[i + 1] as tf.Tensor);
      h = i + 2 < t.length ? tf.relu(z) : z;
    }
    return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(h)), -1)));
  };
  const e = largestHessianEigenvalue(loss, theta, { iterations: 100, tolerance: 1e-4, seed: 1 });
  return { value: e.value, products: e.products };
};

mkdirSync(root, { recursive: true });
const out: { label: string; program: string; set: Row['set']; points: { epoch: number; lambda_max: number; products: number }[] }[] = [];
for (const r of ROWS) {
  const points: { epoch: number; lambda_max: number; products: number }[] = [];
  await runProgram(
    { registry: standardLibrary, file: `programs/srn/${r.program}.xreg`, out: runDir(root, r, seed), seed, set: r.set, checkpointEvery: 1e12, argv: ['curvature', r.program] },
    {
      info: () => undefined,
      error: (l) => console.error(l),
      renderDiagnostics: (ds) => ds.map((d) => d.message).join('\n'),
      onStep: (m, info) => {
        const step = m.state.step;
        if (step % (EVERY * info.spe) !== 0) return;
        const e = lambdaMax(m.state.params);
        points.push({ epoch: step / info.spe, lambda_max: e.value, products: e.products });
      },
    },
  );
  out.push({ label: r.label, program: r.program, set: r.set, points });
  console.log(`${r.label}: ${points.map((p) => `${p.epoch}:${p.lambda_max.toFixed(3)}`).join(' ')}  (load ${readFileSync('/proc/loadavg', 'utf8').trim()})`);
  writeFileSync(`${root}/curvature.json`, JSON.stringify({ seed, every: EVERY, rows: out }, null, 1));
}
