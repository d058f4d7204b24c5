import type { LayerDef } from '../types.js';
import { dense } from './dense.js';
import { conv1d, conv2d } from './conv.js';
import { avgPool, globalAvgPool, maxPool } from './pool.js';
import { flatten, reshape } from './reshape.js';
import { layerNorm } from './norm.js';
import { dropout, multNoise, noise } from './noise.js';
import { rotate, shear, translate } from './augment.js';
import { spectralDense } from './spectral.js';
import { randomErase } from './erase.js';

export { fnAsLayer, isStageFn } from './from-fn.js';
export { bilinearSample } from './resample.js';

export const layers: readonly LayerDef[] = [
  dense,
  conv1d,
  conv2d,
  maxPool,
  avgPool,
  globalAvgPool,
  flatten,
  reshape,
  layerNorm,
  noise,
  multNoise,
  dropout,
  translate,
  rotate,
  shear,
  spectralDense,
  randomErase,
];
