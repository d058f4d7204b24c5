// Memory of `through fit for K steps`: bytes held by the unrolled forward pass (what the backward
// pass keeps alive) for a 784-64-10 MLP on a batch of 64, per K, and the time of one hyper-step.
// Memory should grow linearly in K; that is why compiler/through.ts caps K at 100.
// Run: npx tsx bench/unroll-memory.ts [--k 1,2,4,8,16]
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { unrolledGradients } from '../compiler/lower/unrolled.js';

const arg = process.argv.indexOf('--k');
const ks = (arg > 0 ? (process.argv[arg + 1] ?? '') : '1,2,4,8,16').split(',').map(Number);

const main = async (): Promise<void> => {
  await tf.setBackend('cpu');
  const x = tf.randomNormal([64, 784], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([64], 0, 10, 'int32', 2), 10);
  const base: Record<string, tf.Tensor> = {
    w1: tf.randomNormal([784, 64], 0, 0.05, 'float32', 3),
    w2: tf.randomNormal([64, 10], 0, 0.1, 'float32', 4),
    log_lam: tf.scalar(-3),
  };
  const ce = (p: Readonly<Record<string, tf.Tensor>>): tf.Tensor =>
    tf.losses.softmaxCrossEntropy(y, tf.matMul(tf.relu(tf.matMul(x, p['w1'] as tf.Tensor)), p['w2'] as tf.Tensor));
  const inner = (p: Readonly<Record<string, tf.Tensor>>): tf.Tensor =>
    tf.add(ce(p), tf.mul(tf.exp(p['log_lam'] as tf.Tensor), tf.add(tf.sum(tf.square(p['w1'] as tf.Tensor)), tf.sum(tf.square(p['w2'] as tf.Tensor)))));
  console.log(`load ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('K  order  bytes held (MB)  ms per hyper-step');
  for (const k of ks) {
    for (const order of [1, 2] as const) {
      const t0 = performance.now();
      const r = tf.tidy(() => {
        const u = unrolledGradients(ce, inner, base, ['log_lam'], ['w1', 'w2'], [0.1, 0.1], { kind: 'unrolled', steps: k, order });
        return u.bytes;
      });
      console.log(`${k}  ${order}  ${(r / 2 ** 20).toFixed(2)}  ${(performance.now() - t0).toFixed(0)}`);
    }
  }
};

void main();
