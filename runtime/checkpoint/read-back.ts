// The checkpoint serializer reads tensors synchronously. A GPU backend under
// Node (webgpu) has no synchronous read, but it serves values it has already
// read asynchronously from a CPU copy: so read everything first, all at once.
import * as tf from '@tensorflow/tfjs-core';

const tensorsIn = (x: unknown, out: tf.Tensor[]): void => {
  if (x instanceof tf.Tensor) out.push(x);
  else if (Array.isArray(x)) for (const v of x) tensorsIn(v, out);
  else if (typeof x === 'object' && x !== null && !ArrayBuffer.isView(x)) for (const v of Object.values(x)) tensorsIn(v, out);
};

/** Awaits the values of every tensor inside `x` (plain objects and arrays are searched). */
export const readBack = async (x: unknown): Promise<void> => {
  const ts: tf.Tensor[] = [];
  tensorsIn(x, ts);
  await Promise.all(ts.filter((t) => !t.isDisposed).map((t) => t.data()));
};
