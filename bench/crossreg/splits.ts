/**
 * The exact splits a program trains on, read through the compiler and the runtime's data loaders
 * (so the baselines and scikit-learn see the same examples as `xreg run`).
 */
import * as E from 'fp-ts/lib/Either.js';
import { readFileSync } from 'node:fs';
import { compileText } from '../../compiler/compile.js';
import { hasErrors } from '../../dsl/diagnostic.js';
import { prepareData } from '../../runtime/exec/data.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { problem, type Problem } from '../../stdlib/baselines/index.js';

const readText = (p: string): E.Either<string, string> => {
  try {
    return E.right(readFileSync(p, 'utf8'));
  } catch (e) {
    return E.left(`cannot read ${p}: ${String(e)}`);
  }
};

/** Split name → its examples as a float64 problem (x flattened per example). */
export const programSplits = async (file: string): Promise<E.Either<string, Record<string, Problem>>> => {
  const text = readText(file);
  if (E.isLeft(text)) return text;
  const c = compileText(text.right, file, { readFile: readText });
  if (hasErrors(c.diagnostics) || c.ir === undefined) return E.left(`${file}: ${c.diagnostics.map((d) => d.message).join('; ')}`);
  const data = await prepareData(c.ir, standardLibrary);
  if (E.isLeft(data)) return E.left(data.left.message);
  const out: Record<string, Problem> = {};
  for (const [key, ds] of Object.entries(data.right.splits)) {
    const x = ds.fields['x'];
    const y = ds.fields['y'];
    if (x === undefined || y === undefined) return E.left(`${file}: split ${key} lacks x or y`);
    const d = x.shape.reduce((a, b) => a * b, 1);
    out[key.slice(key.indexOf('.') + 1)] = problem(x.data, y.data, d);
  }
  return E.right(out);
};

/** `programSplits` for scripts and tests: the splits, or a thrown error with the reason. */
export const requireSplits = async (file: string): Promise<Record<string, Problem>> => {
  const s = await programSplits(file);
  if (E.isLeft(s)) throw new Error(s.left);
  return s.right;
};

/** One split of `requireSplits`' result, or a thrown error naming it. */
export const need = (s: Record<string, Problem>, k: string): Problem => {
  const p = s[k];
  if (p === undefined) throw new Error(`no split ${k}`);
  return p;
};
