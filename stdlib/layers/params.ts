import type * as tf from '@tensorflow/tfjs-core';
import type { Init, ParamRole, ParamSpec } from '../types.js';

export const param = (name: string, shape: readonly number[], init: Init, role: ParamRole): ParamSpec => ({
  name,
  shape,
  init,
  role,
});

/** `apply` runs only with the parameters `infer` declared, so a missing one is a caller bug. */
export const need = (p: Readonly<Record<string, tf.Tensor>>, name: string, layer: string): tf.Tensor => {
  const v = p[name];
  if (v === undefined) throw new Error(`internal: ${layer} applied without its parameter '${name}'`);
  return v;
};
