import type { FnDef, StatefulFnDef } from '../types.js';

export const functions: readonly (FnDef | StatefulFnDef)[] = [];
