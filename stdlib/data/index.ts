import type { LoaderDef, TransformDef } from '../types.js';
import { correlatedFeatures } from './correlated_features.js';
import { splineSamples } from './spline_samples.js';
import { csv } from './csv.js';
import { digits } from './digits.js';
import { fashionMnist } from './fashion_mnist.js';
import { idx } from './idx.js';
import { cifar10 } from './cifar10.js';
import { cifar100 } from './cifar100.js';
import { svhn } from './svhn.js';
import { standardize } from './standardize.js';
import { subset } from './subset.js';

export const loaders: readonly LoaderDef[] = [
  correlatedFeatures,
  splineSamples,
  csv,
  digits,
  fashionMnist,
  idx,
  cifar10,
  cifar100,
  svhn,
];

export const transforms: readonly TransformDef[] = [standardize, subset];
