import type { LayerDef } from '../types.js';

export const layers: readonly LayerDef[] = [];
