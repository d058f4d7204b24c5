/**
 * The Structural Risk Network's output head, r = head(p) for the network's last pre-activation p.
 * The SRN paper's Table 1 puts a Softplus and a cap r_max = 10 there: r ∈ [0, r_max]. Its
 * meta-target s_meta is a sum of z-scores, negative whenever the losses fall, so a non-negative r
 * cannot follow it: the outer loss pushes p to −∞, where r and ∇r both vanish (docs/results-srn.md,
 * "The collapse"). The signed head lets r take the target's sign; it is a choice the program states.
 *
 *   head: "softplus" (the paper's): min(softplus(p), r_max), a hard clamp;
 *   head: "softplus_tanh":          r_max · tanh(softplus(p) / r_max), the smooth cap;
 *   head: "signed":                 r_max · tanh(p / r_max), r ∈ (−r_max, r_max).
 */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, FnDef } from '../types.js';
import { choiceArg, must, numArg } from './args.js';
import { unary } from './define.js';

const HEADS = ['softplus', 'softplus_tanh', 'signed'] as const;
type Head = (typeof HEADS)[number];

const spec: readonly ArgSpec[] = [
  { name: 'head', type: 'string', default: 'softplus', doc: '"softplus" (the paper), "softplus_tanh" or "signed"' },
  { name: 'r_max', type: 'number', default: 10, doc: 'the cap' },
];

const optionsOf = (o: ConstArgs): E.Either<string, { readonly head: Head; readonly rMax: number }> => {
  const head = choiceArg('risk_head', o, spec, 'head', HEADS);
  const rMax = E.chain((r: number) => (r > 0 ? E.right(r) : E.left(`risk_head: r_max must be positive, got ${r}`)))(numArg('risk_head', o, spec, 'r_max'));
  if (E.isLeft(head)) return head;
  if (E.isLeft(rMax)) return rMax;
  return E.right({ head: head.right, rMax: rMax.right });
};

const capTanh = (x: tf.Tensor, rMax: number): tf.Tensor => tf.mul(tf.tanh(tf.div(x, rMax)), rMax);

export const riskHead: FnDef = unary(
  'risk_head',
  (p, o) => {
    const { head, rMax } = must(optionsOf(o));
    if (head === 'signed') return capTanh(p, rMax);
    const sp = tf.softplus(p);
    return head === 'softplus' ? tf.minimum(sp, rMax) : capTanh(sp, rMax);
  },
  { options: spec, check: optionsOf },
);
