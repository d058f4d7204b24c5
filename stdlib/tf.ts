/**
 * TensorFlow.js, loaded on first use. `xreg check` compiles and lowers a program (lowering builds
 * closures and reports E06xx) without ever running a tensor operation, so importing the compiler and
 * the standard library must not load TensorFlow.js: its Node bundles cost more start-up time than
 * the whole check (the ESM loader lexes each CommonJS bundle for its export names). Everything in
 * compiler/ and stdlib/ reaches TensorFlow.js through `tf` here; the first property read loads
 * `@tensorflow/tfjs` (which registers every gradient and the chained tensor methods) and then reads
 * from `@tensorflow/tfjs-core`. `require` shares Node's module cache with `import`, so this is the
 * same engine (backends, variables, memory) the runtime configures through its own static imports.
 */
import { createRequire } from 'node:module';
import type * as Core from '@tensorflow/tfjs-core';
import { registerXregGradients } from './grad-registry.js';

const requireHere = createRequire(import.meta.url);

let core: typeof Core | undefined;

const load = (): typeof Core => {
  if (core === undefined) {
    requireHere('@tensorflow/tfjs');
    core = requireHere('@tensorflow/tfjs-core') as typeof Core;
    registerXregGradients(core);
  }
  return core;
};

/**
 * For a single-file bundle (bench/gpu), which has no node_modules for `require` to search: the
 * engine it carries, with `@tensorflow/tfjs` (the gradients) already imported.
 */
export const provideTf = (given: typeof Core): void => {
  core = given;
  registerXregGradients(given);
};

/** Whether anything has touched `tf` yet in this process (tests check that `xreg check` does not). */
export const tfLoaded = (): boolean => core !== undefined;

export const tf: typeof Core = new Proxy({} as typeof Core, {
  get: (_target, key) => Reflect.get(load(), key) as unknown,
  has: (_target, key) => Reflect.has(load(), key),
});

// The tensor types the compiler and the standard library name as `tf.X` (types only: no value).
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace tf {
  export type Tensor<R extends Core.Rank = Core.Rank> = Core.Tensor<R>;
  export type Scalar = Core.Scalar;
  export type Tensor1D = Core.Tensor1D;
  export type Tensor2D = Core.Tensor2D;
  export type Tensor3D = Core.Tensor3D;
  export type Tensor4D = Core.Tensor4D;
  export type Variable<R extends Core.Rank = Core.Rank> = Core.Variable<R>;
  export type GradSaveFunc = Core.GradSaveFunc;
  export type Rank = Core.Rank;
  export type DataType = Core.DataType;
}
