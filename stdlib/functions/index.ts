import type { FnDef, StatefulFnDef } from '../types.js';
import { activations } from './activations.js';
import { reductions } from './reductions.js';
import { losses } from './losses.js';
import { metrics } from './metrics.js';
import { splines } from './bspline.js';
import { ema, zscore } from './zscore.js';
import { riskHead } from './risk-head.js';
import { baselineLosses } from './baseline-losses.js';
import { eye } from './eye.js';

export { smoothnessMatrix, bsplineBasis } from './bspline.js';
export { checkStatefulOptions } from './zscore.js';

export const functions: readonly (FnDef | StatefulFnDef)[] = [
  ...activations,
  ...reductions,
  ...losses,
  ...metrics,
  ...splines,
  ...baselineLosses,
  riskHead,
  zscore,
  ema,
  eye,
];
