/**
 * Figures → what the runtime logs or evaluates for them (`LoweredFigure`, naming rules in
 * types.ts). A figure that cannot be drawn never stops a run: it says why in `notes`.
 */
import { tf } from '../../stdlib/tf.js';
import * as E from 'fp-ts/lib/Either.js';
import type { Registry } from '../../stdlib/registry.js';
import type { IRExpr, IRFigure, IRParam } from '../ir.js';
import { memberPath } from './ensemble.js';
import { compileExpr, type Ev, type SweepValues } from './eval.js';
import { needsOf } from './needs.js';
import { observable } from './observe.js';
import { makeEnv } from './rule.js';
import { Salt } from './seeds.js';
import type { Batches, LoweredFigure, LoweredObservable, LoweredPredictions, RunState } from './types.js';

/** A parameter (or vector argument) of at most this many elements is drawn one line per element. */
export const ELEMENT_SERIES_MAX = 16;

/** Functions that map each element on its own: `exp(noise_scales(net))` keeps one value per parameter element. */
const ELEMENTWISE = new Set(['relu', 'tanh', 'sigmoid', 'softplus', 'exp', 'log', 'sqrt', 'abs', 'sign', 'square']);

export interface FigureContext {
  /** The program as written (an ensemble not yet unrolled): figure arguments read as declared. */
  readonly source: readonly IRFigure[];
  /** The lowered program's figures (an ensemble's arguments averaged over members), same order. */
  readonly lowered: readonly IRFigure[];
  /** Parameters of the lowered program by path. */
  readonly params: ReadonlyMap<string, IRParam>;
  /** Ensemble size when the program was unrolled. */
  readonly members?: number;
  /** Names logged by losses, metrics and report items. */
  readonly logged: ReadonlySet<string>;
  readonly registry: Registry;
  readonly sweep: SweepValues;
}

/** A figure argument made only of parameters under elementwise functions. */
interface ParamShape {
  readonly paths: readonly string[];
  /** The argument around one parameter, as IR (so it compiles like any expression). */
  readonly wrap: (p: IRExpr) => IRExpr;
  readonly label: (inner: string) => string;
}

const paramShape = (e: IRExpr): ParamShape | undefined => {
  switch (e.kind) {
    case 'param':
      return { paths: [e.path], wrap: (p) => p, label: (s) => s };
    case 'flatParams':
      return { paths: e.paths, wrap: (p) => p, label: (s) => s };
    case 'call': {
      const [a] = e.args;
      if (!ELEMENTWISE.has(e.fn) || e.args.length !== 1 || a === undefined) return undefined;
      const inner = paramShape(a);
      if (inner === undefined) return undefined;
      return {
        paths: inner.paths,
        wrap: (p) => {
          const x = inner.wrap(p);
          return { ...e, args: [x], shape: x.shape };
        },
        label: (s) => `${e.fn}(${inner.label(s)})`,
      };
    }
    default:
      return undefined;
  }
};

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Series of one value `ev` of `size` elements: itself, one per element, or its norm. */
const seriesOf = (label: (element: string) => string, base: string, size: number, ev: Ev, needs: LoweredObservable['needs']): LoweredObservable[] => {
  if (size === 1) return [observable(label(base), needs, (env) => tf.reshape(ev(env), []))];
  if (size <= ELEMENT_SERIES_MAX)
    return Array.from({ length: size }, (_, i) =>
      observable(label(`${base}[${i}]`), needs, (env) => tf.reshape(tf.slice(tf.reshape(ev(env), [-1]), [i], [1]), [])),
    );
  return [observable(`norm(${label(base)})`, needs, (env) => tf.norm(ev(env)))];
};

/** The lowered program's paths a declared path stands for: itself, or each ensemble member's copy. */
const resolvePath = (c: FigureContext, path: string): string[] => {
  if (c.params.has(path)) return [path];
  const n = c.members ?? 0;
  return Array.from({ length: n }, (_, i) => memberPath(i, path)).filter((p) => c.params.has(p));
};

const paramSeries = (c: FigureContext, s: ParamShape, figure: string): { obs: LoweredObservable[]; notes: string[] } => {
  const obs: LoweredObservable[] = [];
  const notes: string[] = [];
  for (const declared of s.paths) {
    for (const path of resolvePath(c, declared)) {
      const p = c.params.get(path);
      if (p === undefined) continue;
      const ir = s.wrap({ kind: 'param', path, shape: p.shape, span: p.span });
      const ev = compileExpr(ir, c.registry, c.sweep);
      if (E.isLeft(ev)) notes.push(`figure ${figure}: ${path}: ${ev.left.map((d) => d.message).join('; ')}`);
      else obs.push(...seriesOf(s.label, path, sizeOf(p.shape), ev.right, []));
    }
  }
  return { obs, notes };
};

/** Parameters a bare name in a figure stands for: the parameter itself, or every one under it (`net`). */
const pathsUnder = (c: FigureContext, name: string): string[] => {
  const all = [...c.params.keys()];
  const declared = c.members === undefined ? all : all.map((p) => p.replace(/^m\d+\./, ''));
  return [...new Set(declared.filter((p) => p === name || p.startsWith(`${name}.`)))];
};

const otherSeries = (c: FigureContext, e: IRExpr, base: string, figure: string, k: number): { obs: LoweredObservable[]; notes: string[] } => {
  const numeric = e.shape.every((d): d is number => typeof d === 'number');
  const size = numeric ? sizeOf(e.shape as readonly number[]) : NaN;
  const needs = needsOf([e], 'all');
  if (!(size === 1 || (needs.length === 0 && Number.isFinite(size))))
    return { obs: [], notes: [`figure ${figure}: argument ${k} has shape [${e.shape.join(', ')}]; lines draws scalars over time`] };
  const ev = compileExpr(e, c.registry, c.sweep);
  if (E.isLeft(ev)) return { obs: [], notes: [`figure ${figure}: ${ev.left.map((d) => d.message).join('; ')}`] };
  return { obs: seriesOf((s) => s, base, size, ev.right, needs), notes: [] };
};

const predictionsOf = (c: FigureContext, f: IRFigure): LoweredPredictions | string => {
  const [pa, la] = f.args;
  if (pa === undefined || la === undefined || f.args.length !== 2)
    return `figure ${f.name}: reliability needs its probabilities and labels as expressions (reliability(softmax(net(x)) over test, y over test))`;
  const p = compileExpr(pa, c.registry, c.sweep);
  const l = compileExpr(la, c.registry, c.sweep);
  if (E.isLeft(p) || E.isLeft(l)) return `figure ${f.name}: ${[p, l].flatMap((x) => (E.isLeft(x) ? x.left.map((d) => d.message) : [])).join('; ')}`;
  const probs = p.right;
  const labels = l.right;
  return {
    needs: needsOf([pa, la], 'all'),
    // Read back asynchronously: a GPU backend under Node (webgpu) has no synchronous read.
    evaluate: async (state: RunState, batches: Batches, key: number) => {
      const [pt, lt] = tf.tidy(() => {
        const env = makeEnv(state, batches, key, Salt.observe, { ...state.helpers });
        // Copies: a bare field is the batch's own tensor, ours to dispose only as a copy.
        return [probs(env).clone(), labels(env).clone()] as const;
      });
      try {
        const [pr, lb] = await Promise.all([pt.data(), lt.data()]);
        return { probs: pr.slice(), classes: pt.shape[pt.shape.length - 1] ?? 1, labels: lb.slice() };
      } finally {
        tf.dispose([pt, lt]);
      }
    },
  };
};

const lowerOne = (c: FigureContext, declared: IRFigure, lowered: IRFigure): LoweredFigure => {
  const base = { name: declared.name, kind: declared.kind };
  if (declared.kind === 'reliability') {
    const pred = predictionsOf(c, lowered);
    return typeof pred === 'string' ? { ...base, series: [], observables: [], notes: [pred] } : { ...base, series: [], observables: [], predictions: pred, notes: [] };
  }
  // The IR keeps logged names apart from expressions, so their order in the call is lost: a
  // scatter (x against y) mixing the two cannot know which is x.
  if (declared.kind === 'scatter' && declared.series.length > 0 && declared.args.length > 0)
    return {
      ...base,
      series: [...declared.series],
      observables: [],
      notes: [`figure ${declared.name}: a scatter of a logged name and an expression; name both in the report (report …: x = …) to draw it`],
    };
  const series: string[] = [];
  const observables: LoweredObservable[] = [];
  const notes: string[] = [];
  const add = (r: { obs: LoweredObservable[]; notes: string[] }): void => {
    for (const o of r.obs) {
      if (series.includes(o.name)) continue;
      series.push(o.name);
      observables.push(o);
    }
    notes.push(...r.notes);
  };
  for (const n of declared.series) {
    if (c.logged.has(n)) {
      if (!series.includes(n)) series.push(n);
      continue;
    }
    const paths = pathsUnder(c, n);
    if (paths.length === 0) notes.push(`figure ${declared.name}: '${n}' is neither logged nor a parameter`);
    else add(paramSeries(c, { paths, wrap: (p) => p, label: (s) => s }, declared.name));
  }
  const onlyArg = declared.args.length === 1 && declared.series.length === 0;
  declared.args.forEach((a, i) => {
    const shape = paramShape(a);
    if (shape !== undefined) {
      const r = paramSeries(c, shape, declared.name);
      add(r.obs.length > 0 || r.notes.length > 0 ? r : { obs: [], notes: [`figure ${declared.name}: argument ${i + 1} selects no parameter`] });
      return;
    }
    // An ensemble's figure argument reading member parameters is their average (ensemble.ts).
    const e = lowered.args[i] ?? a;
    add(otherSeries(c, e, onlyArg ? declared.name : `${declared.name}.arg${i + 1}`, declared.name, i + 1));
  });
  return { ...base, series, observables, notes };
};

/** Every figure of the program, in order. */
export const lowerFigures = (c: FigureContext): LoweredFigure[] =>
  c.source.map((f, i) => lowerOne(c, f, c.lowered[i] ?? f));
