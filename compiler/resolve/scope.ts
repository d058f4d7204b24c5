/**
 * The top-level scope: every declared name (in every block, since blocks share one namespace),
 * duplicate declarations, `let` constants with `--set` overrides, and name lookup with hints.
 */
import * as E from 'fp-ts/lib/Either.js';
import type {
  DataDecl,
  EnsembleDecl,
  FnDecl,
  LayerDecl,
  LetDecl,
  LossDecl,
  MetricDecl,
  ModelDecl,
  ParamDecl,
  PartitionDecl,
  SweepDecl,
} from '../../dsl/ast.js';
import type { Span } from '../../dsl/span.js';
import { error, warning, type Diagnostic } from '../../dsl/diagnostic.js';
import type { ConstValue } from '../../stdlib/types.js';
import { Codes } from '../codes.js';
import { evalConst, FOLLOW_ON } from './consts.js';
import { typedOverride } from './overrides.js';
import type { Container, PlacedDecl } from './imports.js';

export type Global =
  | { readonly kind: 'let'; readonly decl: LetDecl; value?: ConstValue }
  | { readonly kind: 'data'; readonly decl: DataDecl }
  | { readonly kind: 'param'; readonly decl: ParamDecl }
  | { readonly kind: 'fn'; readonly decl: FnDecl }
  | { readonly kind: 'layer'; readonly decl: LayerDecl }
  | { readonly kind: 'model'; readonly decl: ModelDecl }
  | { readonly kind: 'loss'; readonly decl: LossDecl }
  | { readonly kind: 'metric'; readonly decl: MetricDecl }
  | { readonly kind: 'partition'; readonly decl: PartitionDecl }
  | { readonly kind: 'sweepVar'; readonly decl: SweepDecl }
  | { readonly kind: 'ensemble'; readonly decl: EnsembleDecl }
  /** `select best K by lowest M as NAME`: NAME(e) averages e over the K selected sweep members. */
  | { readonly kind: 'selected'; readonly decl: SweepDecl };

export interface GlobalEntry {
  readonly global: Global;
  readonly ns: string;
  readonly container: Container;
  readonly span: Span;
}

/** Names the language itself gives meaning to, offered as "did you mean" candidates. */
export const languageForms = [
  'params',
  'weights',
  'biases',
  'noise_scales',
  'magnitudes',
  'grad',
  'applied_grad',
  'solver_residual',
  'normal',
  'uniform',
  'logspace',
  'linspace',
  'truncation',
  'perturb',
  'lines',
  'scatter',
  'reliability',
  'mixup',
  'lambda_max',
  'x',
  'y',
] as const;

/** A declaration's kind as the user says it. */
export const kindWords = (kind: Global['kind']): string => (kind === 'sweepVar' ? 'sweep variable' : kind === 'ensemble' ? "name for an ensemble's average" : kind === 'selected' ? "name for the selected sweep members' average" : kind);

const qualified = (ns: string, name: string): string => (ns === '' ? name : `${ns}.${name}`);

export const buildGlobals = (decls: readonly PlacedDecl[], diags: Diagnostic[]): Map<string, GlobalEntry> => {
  const globals = new Map<string, GlobalEntry>();
  const add = (name: string, span: Span, global: Global, p: PlacedDecl): void => {
    const key = qualified(p.ns, name);
    const prev = globals.get(key);
    if (prev !== undefined) {
      diags.push({
        ...error(Codes.duplicate, `'${name}' is already declared`, span),
        related: [{ span: prev.span, message: 'first declared here' }],
      });
      return;
    }
    globals.set(key, { global, ns: p.ns, container: p.container, span });
  };
  for (const p of decls) {
    const d = p.decl;
    switch (d.kind) {
      case 'Let':
        add(d.name.name, d.name.span, { kind: 'let', decl: d }, p);
        break;
      case 'Data':
        add(d.name.name, d.name.span, { kind: 'data', decl: d }, p);
        break;
      case 'Param':
        add(d.name.name, d.name.span, { kind: 'param', decl: d }, p);
        break;
      case 'Fn':
        add(d.name.name, d.name.span, { kind: 'fn', decl: d }, p);
        break;
      case 'Layer':
        add(d.name.name, d.name.span, { kind: 'layer', decl: d }, p);
        break;
      case 'Model':
        add(d.name.name, d.name.span, { kind: 'model', decl: d }, p);
        break;
      case 'Loss':
        add(d.name.name, d.name.span, { kind: 'loss', decl: d }, p);
        break;
      case 'Metric':
        add(d.name.name, d.name.span, { kind: 'metric', decl: d }, p);
        break;
      case 'Partition':
        add(d.name.name, d.name.span, { kind: 'partition', decl: d }, p);
        break;
      case 'Sweep':
        add(d.variable.name, d.variable.span, { kind: 'sweepVar', decl: d }, p);
        if (d.select?.alias !== undefined) add(d.select.alias.name, d.select.alias.span, { kind: 'selected', decl: d }, p);
        break;
      case 'Ensemble':
        if (d.alias !== undefined) add(d.alias.name, d.alias.span, { kind: 'ensemble', decl: d }, p);
        break;
      default:
        break;
    }
  }
  return globals;
};

/**
 * Evaluates every `let` in order; a `--set name=value` override replaces the written value
 * (and must name a `let`). Later lets may use earlier ones.
 */
export const evalLets = (
  globals: Map<string, GlobalEntry>,
  overrides: Readonly<Record<string, number | string | boolean>>,
  diags: Diagnostic[],
  programSpan: Span,
): void => {
  const lets = [...globals.values()].flatMap((g) => (g.global.kind === 'let' ? [g.global] : []));
  for (const name of Object.keys(overrides)) {
    if (!lets.some((l) => l.decl.name.name === name))
      diags.push(warning(Codes.unknownOverride, `--set ${name}: the program has no 'let ${name}'`, programSpan));
  }
  const done = new Set<string>();
  for (const l of lets) {
    const o = overrides[l.decl.name.name];
    done.add(l.decl.name.name);
    let later: GlobalEntry | undefined;
    const v = evalConst(l.decl.value, (n) => {
      const g = globals.get(n);
      if (g?.global.kind === 'let' && g.global.value !== undefined) return E.right(g.global.value);
      if (g?.global.kind === 'let' && done.has(n)) return E.left(FOLLOW_ON);
      if (g?.global.kind === 'let') {
        later = g;
        return E.left(`'${n}' is used before its 'let': a 'let' may use only the lets above it`);
      }
      return E.left(g === undefined ? `unknown constant '${n}'` : `'${n}' is a ${kindWords(g.global.kind)}, not a constant`);
    });
    if (E.isLeft(v)) {
      const at = later;
      diags.push(
        at === undefined
          ? v.left
          : { ...v.left, hint: `move 'let ${at.global.decl.kind === 'Let' ? at.global.decl.name.name : ''} = ...' above this line`, related: [{ span: at.span, message: 'defined here' }] },
      );
    } else if (o === undefined) l.value = v.right;
    else {
      const typed = typedOverride(l.decl.name.name, o, v.right);
      if (E.isLeft(typed)) diags.push(error(Codes.badOverride, typed.left.message, l.decl.value.span, typed.left.hint));
      else l.value = typed.right;
    }
  }
};
