/** `conv1d` on [L] or [L, C] and `conv2d` on [H, W] or [H, W, C]; He-initialized, zero bias. */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import type { ArgSpec, ConstArgs, LayerDef } from '../types.js';
import { choiceArg, intArg, intListArg, must } from '../functions/args.js';
import { product, showShape } from '../functions/shapes.js';
import { need, param } from './params.js';

type Padding = 'same' | 'valid';

interface ConvArgs {
  readonly filters: number;
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly padding: Padding;
}

const specs: readonly ArgSpec[] = [
  { name: 'filters', type: 'int', doc: 'output channels' },
  { name: 'kernel', type: 'int', doc: 'window size (an integer, or one per spatial axis)' },
  { name: 'stride', type: 'int', default: 1 },
  { name: 'padding', type: 'string', default: 'same', doc: '"same" or "valid"' },
];

const read = (name: string, dims: number, a: ConstArgs): E.Either<string, ConvArgs> => {
  const filters = intArg(name, a, specs, 'filters');
  if (E.isLeft(filters)) return filters;
  const kernel = intListArg(name, a, specs, 'kernel', dims, 1);
  if (E.isLeft(kernel)) return kernel;
  const stride = intListArg(name, a, specs, 'stride', dims, 1);
  if (E.isLeft(stride)) return stride;
  const padding = choiceArg(name, a, specs, 'padding', ['same', 'valid'] as const);
  if (E.isLeft(padding)) return padding;
  return E.right({ filters: filters.right, kernel: kernel.right, stride: stride.right, padding: padding.right });
};

/** Output length of one spatial axis, or undefined when a "valid" window does not fit. */
export const outLength = (len: number, kernel: number, stride: number, padding: Padding): number | undefined =>
  padding === 'same' ? Math.ceil(len / stride) : len >= kernel ? Math.floor((len - kernel) / stride) + 1 : undefined;

const spatialOut = (
  name: string,
  spatial: readonly number[],
  c: ConvArgs,
  inShape: readonly number[],
): E.Either<string, readonly number[]> => {
  const out: number[] = [];
  for (let i = 0; i < spatial.length; i++) {
    const o = outLength(spatial[i] ?? 0, c.kernel[i] ?? 1, c.stride[i] ?? 1, c.padding);
    if (o === undefined)
      return E.left(`${name}: kernel ${showShape(c.kernel)} does not fit input ${showShape(inShape)} with padding "valid"`);
    out.push(o);
  }
  return E.right(out);
};

const convLayer = (name: 'conv1d' | 'conv2d', dims: 1 | 2): LayerDef => {
  /** The input as [spatial..., channels], adding a channel axis of 1 when absent. */
  const split = (inShape: readonly number[]): E.Either<string, { spatial: readonly number[]; channels: number }> =>
    inShape.length === dims
      ? E.right({ spatial: inShape, channels: 1 })
      : inShape.length === dims + 1
        ? E.right({ spatial: inShape.slice(0, dims), channels: inShape[dims] ?? 1 })
        : E.left(`${name} expects a per-example input of rank ${dims} or ${dims + 1}, got ${showShape(inShape)}`);
  return {
    kind: 'layer',
    name,
    args: specs,
    stochastic: false,
    infer: (inShape, a) => {
      const c = read(name, dims, a);
      if (E.isLeft(c)) return c;
      const s = split(inShape);
      if (E.isLeft(s)) return s;
      const out = spatialOut(name, s.right.spatial, c.right, inShape);
      if (E.isLeft(out)) return out;
      const fanIn = product(c.right.kernel) * s.right.channels;
      return E.right({
        params: [
          param('w', [...c.right.kernel, s.right.channels, c.right.filters], { kind: 'he', fanIn }, 'weight'),
          param('b', [c.right.filters], { kind: 'zeros' }, 'bias'),
        ],
        outShape: [...out.right, c.right.filters],
      });
    },
    apply: (p, x, a) =>
      tf.tidy(() => {
        const c = must(read(name, dims, a));
        const w = need(p, 'w', name);
        const channels = w.shape[w.rank - 2] ?? 1;
        const batch = x.shape[0] ?? 1;
        const b = need(p, 'b', name);
        if (dims === 1) {
          const x3 = tf.reshape(x, [batch, x.shape[1] ?? 1, channels]) as tf.Tensor3D;
          return tf.add(tf.conv1d(x3, w as tf.Tensor3D, c.stride[0] ?? 1, c.padding), b);
        }
        const x4 = tf.reshape(x, [batch, x.shape[1] ?? 1, x.shape[2] ?? 1, channels]) as tf.Tensor4D;
        const stride: [number, number] = [c.stride[0] ?? 1, c.stride[1] ?? 1];
        return tf.add(tf.conv2d(x4, w as tf.Tensor4D, stride, c.padding), b);
      }),
  };
};

export const conv1d = convLayer('conv1d', 1);
export const conv2d = convLayer('conv2d', 2);
