/** Programs from `.xreg` text to IR and to lowered step functions, for the lowering tests. */
import * as E from 'fp-ts/lib/Either.js';
import type { IRProgram } from '../../compiler/ir.js';
import { lowerProgram } from '../../compiler/lower/index.js';
import type { LoweredProgram } from '../../compiler/lower/types.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { compile, errors } from './helpers.js';

/** The IR of a program that must compile without errors. */
export const irOf = (text: string): IRProgram => {
  const c = compile(text);
  if (c.ir === undefined || errors(c).length > 0) throw new Error(errors(c).map((d) => d.message).join('\n'));
  return c.ir;
};

/** The lowered program of a program that must compile and lower without errors. */
export const lowerText = (text: string): LoweredProgram => {
  const r = lowerProgram(irOf(text), standardLibrary);
  if (E.isLeft(r)) throw new Error(r.left.map((d) => d.message).join('\n'));
  return r.right;
};
