/**
 * `xreg/plugin`: what a plugin module imports. A plugin exports entries made by these constructors
 * (as its default export, an array, or named exports); `xreg` loads it when a program says
 * `plugin "./my.js"`, when `xreg.config.json` beside the program lists it, or with `--plugin`.
 *
 * `tf` is the TensorFlow.js the runtime itself uses: tensors from another copy of TensorFlow.js
 * would belong to another engine and could not meet the runtime's.
 */
export { tf } from '../tf.js';
export { defineFn, defineLayer, defineLoader, defineOptimizer, ShapeRuleBroken } from './define.js';
export type { FnSpec, LayerSpec, LoaderSpec, OptimizerSpec, ShapeAnswer } from './define.js';
export type {
  ApplyContext,
  ArgSpec,
  ConstArgs,
  ConstValue,
  Dataset,
  DataError,
  Field,
  FieldSchema,
  Init,
  OptState,
  ParamRole,
  ParamSpec,
  Schema,
  Shape,
} from '../types.js';
