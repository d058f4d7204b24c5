/**
 * A worked xreg plugin: a regularizer, a layer and an optimizer, each one `define…` call whose
 * fields say everything about the entry (shape rule, computation, gradient, option check).
 * Used by orthogonal.xreg beside it (`plugin "./plugin.ts"`); test/plugins/example.test.ts runs it.
 */
import { defineFn, defineLayer, defineOptimizer, tf } from 'xreg/plugin';

/**
 * ‖WᵀW − I‖²: how far the columns of W are from orthonormal. The same function can be written in
 * xreg itself (docs/extending.md); the plugin form shows a hand-written gradient, 4 W (WᵀW − I).
 */
export const orthogonality = defineFn({
  name: 'orthogonality',
  args: ['W'],
  shape: ([w]) => (w !== undefined && w.length === 2 ? [] : `takes a matrix, got a value of rank ${w?.length ?? 0}`),
  compute: ([w]) => {
    const W = w as tf.Tensor2D;
    const gram = tf.matMul(W, W, true, false);
    return tf.sum(tf.square(tf.sub(gram, tf.eye(W.shape[1]))));
  },
  gradient: ([w], dy) => {
    const W = w as tf.Tensor2D;
    const gap = tf.sub(tf.matMul(W, W, true, false), tf.eye(W.shape[1]));
    return [tf.mul(dy, tf.mul(4, tf.matMul(W, gap)))];
  },
});

/** A gated unit: (x·w) ⊙ sigmoid(x·g), with the gate's weights learned beside the layer's. */
export const gated = defineLayer({
  name: 'gated',
  args: [{ name: 'units', type: 'int', doc: 'output width' }],
  validate: (a) => (typeof a['units'] === 'number' && a['units'] >= 1 ? undefined : 'gated: units must be a positive integer'),
  params: (inShape, a) => {
    const fanIn = inShape.reduce((p, d) => p * d, 1);
    const units = Number(a['units']);
    return [
      { name: 'w', shape: [fanIn, units], init: { kind: 'glorot', fanIn, fanOut: units }, role: 'weight' },
      { name: 'g', shape: [fanIn, units], init: { kind: 'glorot', fanIn, fanOut: units }, role: 'weight' },
    ];
  },
  shape: (_inShape, a) => [Number(a['units'])],
  compute: (p, x) => {
    const flat = tf.reshape(x, [x.shape[0] ?? 1, -1]);
    const w = p['w'];
    const g = p['g'];
    if (w === undefined || g === undefined) throw new Error('gated: parameters missing');
    return tf.mul(tf.matMul(flat, w), tf.sigmoid(tf.matMul(flat, g)));
  },
});

/** signSGD with momentum (Bernstein et al. 2018): p ← p − lr · sign(m), m ← β m + (1 − β) g. */
export const signum = defineOptimizer({
  name: 'signum',
  options: [{ name: 'beta', type: 'number', default: 0.9 }],
  validate: (o) => {
    const beta = o['beta'] ?? 0.9;
    return typeof beta === 'number' && beta >= 0 && beta < 1 ? undefined : `signum: beta must be in [0, 1), got ${String(beta)}`;
  },
  init: (params) => ({ t: 0, slots: { m: params.map((p) => tf.zerosLike(p)) } }),
  step: (params, grads, state, lr, o) => {
    const beta = Number(o['beta'] ?? 0.9);
    const m = params.map((_, i) => tf.tidy(() => tf.add(tf.mul(beta, state.slots['m']?.[i] ?? tf.zeros([])), tf.mul(1 - beta, grads[i] ?? tf.zeros([])))));
    const next = params.map((p, i) => tf.tidy(() => tf.sub(p, tf.mul(lr, tf.sign(m[i] as tf.Tensor)))));
    return { params: next, state: { t: state.t + 1, slots: { m } } };
  },
});
