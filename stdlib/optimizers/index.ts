import type { OptimizerDef } from '../types.js';

export const optimizers: readonly OptimizerDef[] = [];
