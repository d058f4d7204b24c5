/**
 * Every program of programs/ compiled, lowered at a sweep's first value, and fed small synthetic
 * batches shaped by the IR's data schemas: shared by the lowering tests and bench/gpu (so it
 * imports nothing from vitest).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { compileText } from '../../compiler/compile.js';
import { children, type IRExpr, type IRProgram } from '../../compiler/ir.js';
import { lowerProgram } from '../../compiler/lower/index.js';
import { type Batches, batchKey, type LoweredProgram } from '../../compiler/lower/types.js';
import { formatSpan } from '../../dsl/span.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { numbers } from './lower-ir.js';

// Names starting with `_` are scratch copies.
const root = 'programs';
export const programs = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'lib')
  .flatMap((d) => readdirSync(join(root, d.name)).filter((f) => f.endsWith('.xreg') && !f.startsWith('_')).map((f) => join(root, d.name, f)));

const readFile = (p: string): E.Either<string, string> => {
  try {
    return E.right(readFileSync(p, 'utf8'));
  } catch (e) {
    return E.left(String(e));
  }
};

export const compileFile = (file: string): IRProgram => {
  const r = compileText(readFileSync(file, 'utf8'), file, { readFile });
  const errs = r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${formatSpan(d.span)} ${d.message}`);
  if (r.ir === undefined || errs.length > 0) throw new Error(`does not compile:\n${errs.join('\n')}`);
  return r.ir;
};

/** One member: a sweep's first value (a population's and an ensemble's members are lowering's or the runtime's). */
export const lowerFirst = (ir: IRProgram): LoweredProgram => {
  const sw = ir.sweep;
  const r = lowerProgram(ir, standardLibrary, sw?.members[0] === undefined ? {} : { sweep: sw.members[0] });
  if (E.isLeft(r)) throw new Error(r.left.map((d) => `${formatSpan(d.span)} ${d.code} ${d.message}`).join('\n'));
  return r.right;
};

/**
 * Sizes of data dimensions known only at load time (a CSV's width `F`), read off the parameters
 * they meet: `x @ w` with x : [B, F] and w : [n, …] makes F = n.
 */
const dataDims = (ir: IRProgram): Map<string, number> => {
  const dims = new Map<string, number>();
  const walk = (e: IRExpr): void => {
    if (e.kind === 'binary' && e.op === '@') {
      const l = e.left.shape[e.left.shape.length - 1];
      const r = e.right.shape.length === 1 ? e.right.shape[0] : e.right.shape[e.right.shape.length - 2];
      if (typeof l === 'string' && l !== 'B' && typeof r === 'number') dims.set(l, r);
    }
    for (const c of children(e)) walk(c);
  };
  const exprs = [...ir.rules, ...ir.phases.flatMap((p) => p.rules), ...(ir.sweep?.body.rules ?? []), ...(ir.population?.body.rules ?? [])].map((r) => r.loss);
  for (const e of exprs) walk(e);
  return dims;
};

// Small: tfjs-cpu's gradient of gather (unsortedSegmentSum) is quadratic in the batch, and the
// learned augmentation differentiates through it.
const BATCH = 2;

/** A batch of every split of every data set: float fields from a fixed stream, labels in range. */
export const syntheticBatches = (ir: IRProgram, batch = BATCH): Batches => {
  const dims = dataDims(ir);
  const out: Record<string, Record<string, tf.Tensor>> = {};
  let seed = 1;
  for (const d of ir.data) {
    for (const s of d.splits) {
      const fields: Record<string, tf.Tensor> = {};
      for (const [name, f] of Object.entries(d.schema)) {
        const shape = [batch, ...f.shape.map((x) => (typeof x === 'number' ? x : (dims.get(x) ?? 4)))];
        const size = shape.reduce((a, b) => a * b, 1);
        const u = numbers(size, seed++);
        if (f.dtype === 'int32') {
          const classes = f.classes ?? 2;
          fields[name] = tf.tensor(Int32Array.from(u, (v) => Math.min(classes - 1, Math.floor(((v + 1) / 2) * classes))), shape, 'int32');
        } else {
          fields[name] = tf.tensor(Float32Array.from(u), shape);
        }
      }
      out[batchKey(d.name, s.name)] = fields;
    }
  }
  return out;
};

/** Programs whose steps differentiate through convolutions or resampling (slow on tfjs-cpu). */
const heavyLayers = new Set(['conv1d', 'conv2d', 'translate', 'rotate', 'shear']);
export const isHeavy = (ir: IRProgram): boolean => {
  const heavy = (e: IRExpr): boolean => (e.kind === 'layer' && heavyLayers.has(e.layer)) || children(e).some(heavy);
  const rules = [...ir.rules, ...ir.phases.flatMap((p) => p.rules), ...(ir.sweep?.body.rules ?? []), ...(ir.population?.body.rules ?? []), ...(ir.ensemble?.body.rules ?? [])];
  return rules.some((r) => heavy(r.loss));
};

