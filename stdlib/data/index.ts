import type { LoaderDef, TransformDef } from '../types.js';

export const loaders: readonly LoaderDef[] = [];
export const transforms: readonly TransformDef[] = [];
