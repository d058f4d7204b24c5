/**
 * Loaded data against the shapes the compiler assumed. A symbolic width (a CSV's `F`) is bound by
 * the program, e.g. by a declared `Tensor[4]`; a file with another width would otherwise fail deep
 * inside a matMul mid-training, with no word about the file.
 */
import { children, type IRBody, type IRExpr, type IRProgram } from '../../compiler/ir.js';
import type { Span } from '../../dsl/span.js';
import type { Shape } from '../../stdlib/types.js';
import type { PreparedData } from './data.js';

interface FieldUse {
  readonly data: string;
  readonly split: string;
  readonly field: string;
  readonly shape: Shape;
  readonly span: Span;
}

const fieldUses = (e: IRExpr, out: FieldUse[]): void => {
  if (e.kind === 'field') out.push({ data: e.data, split: e.split, field: e.field, shape: e.shape, span: e.span });
  for (const c of children(e)) fieldUses(c, out);
};

const bodyExprs = (b: IRBody): IRExpr[] => [...b.losses.map((l) => l.expr), ...b.metrics.map((m) => m.expr), ...b.rules.map((r) => r.loss)];

const programExprs = (ir: IRProgram): IRExpr[] => [
  ...bodyExprs(ir),
  ...ir.phases.flatMap((p) => p.rules.map((r) => r.loss)),
  ...(ir.report?.items.map((i) => i.expr) ?? []),
  ...(ir.sweep !== undefined ? bodyExprs(ir.sweep.body) : []),
  ...(ir.ensemble !== undefined ? bodyExprs(ir.ensemble.body) : []),
  ...(ir.population !== undefined ? bodyExprs(ir.population.body) : []),
];

const show = (s: Shape): string => `[${s.join(', ')}]`;

interface Binding {
  readonly use: FieldUse;
  readonly loaded: readonly number[];
  readonly value: number;
}

const fileOf = (ir: IRProgram, data: string): string | undefined => {
  const decl = ir.data.find((d) => d.name === data);
  return decl !== undefined && typeof decl.args['path'] === 'string' ? decl.args['path'] : decl?.loader;
};

/** A field whose data contradicts the program: where it is used, and the expression that fixes its width. */
export interface ShapeMismatch {
  readonly use: FieldUse;
  readonly loaded: readonly number[];
  readonly expected: Shape;
  /** The matrix product that binds the width (`x @ w`), when that is what contradicts the data. */
  readonly at?: Span;
  readonly file?: string;
}

const mismatch = (ir: IRProgram, u: FieldUse, loaded: readonly number[], expected: Shape, at?: Span): ShapeMismatch => {
  const file = fileOf(ir, u.data);
  return { use: u, loaded, expected, ...(at === undefined ? {} : { at }), ...(file === undefined ? {} : { file }) };
};

const message = (m: ShapeMismatch): string =>
  `error: data set ${m.use.data}: field ${m.use.field} holds examples of shape ${show(m.loaded)}, ` +
  `but the program uses it as ${show(m.expected)}` +
  (m.file !== undefined ? ` (loaded from ${m.file})` : '');

/** The dimensions `a @ b` contracts: the last of `a`, the first (vector) or second-to-last of `b`. */
const contracted = (a: Shape, b: Shape): [Shape[number] | undefined, Shape[number] | undefined] => [
  a[a.length - 1],
  b.length === 1 ? b[0] : b[b.length - 2],
];

/**
 * The first field whose loaded per-example shape contradicts the program, as a message: a numeric
 * dimension of the field's IR shape, or a symbolic one (bound by the data) that a matrix product
 * meets with a number, as `x @ w` does with `param w : Tensor[4]`.
 */
export const checkDataShapes = (ir: IRProgram, data: PreparedData): string | undefined => {
  const m = dataShapeMismatch(ir, (u) => data.splits[`${u.data}.${u.split}`]?.fields[u.field]?.shape);
  return m === undefined ? undefined : message(m);
};

/** The first field use whose per-example shape (`loadedOf`; undefined: unknown) contradicts the program. */
export const dataShapeMismatch = (ir: IRProgram, loadedOf: (u: FieldUse) => readonly number[] | undefined): ShapeMismatch | undefined => {
  const exprs = programExprs(ir);
  const uses: FieldUse[] = [];
  for (const e of exprs) fieldUses(e, uses);
  const bound = new Map<string, Binding>();
  for (const u of uses) {
    const loaded = loadedOf(u);
    if (loaded === undefined) continue;
    const expected = u.shape.slice(1);
    const fits = expected.length === loaded.length && expected.every((d, i) => typeof d !== 'number' || d === loaded[i]);
    if (!fits) return mismatch(ir, u, loaded, expected);
    expected.forEach((d, i) => {
      const v = loaded[i];
      if (typeof d === 'string' && v !== undefined && !bound.has(d)) bound.set(d, { use: u, loaded, value: v });
    });
  }
  const visit = (e: IRExpr): ShapeMismatch | undefined => {
    if (e.kind === 'binary' && e.op === '@') {
      const [l, r] = contracted(e.left.shape, e.right.shape);
      for (const [sym, num] of [
        [l, r],
        [r, l],
      ] as const) {
        const b = typeof sym === 'string' ? bound.get(sym) : undefined;
        if (b !== undefined && typeof num === 'number' && num !== b.value) {
          return mismatch(ir, b.use, b.loaded, b.use.shape.slice(1).map((d) => (d === sym ? num : d)), e.span);
        }
      }
    }
    for (const c of children(e)) {
      const m = visit(c);
      if (m !== undefined) return m;
    }
    return undefined;
  };
  for (const e of exprs) {
    const m = visit(e);
    if (m !== undefined) return m;
  }
  return undefined;
};
