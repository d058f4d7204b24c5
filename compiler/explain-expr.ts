/**
 * How `xreg explain` prints expressions: a one-line formula (directions, inline losses) and a
 * tree with shapes in which pipelines read top-down in data order, as they were written
 * (`x of train`, `|> flatten`, `|> dense(256)`), not as the nested calls the IR holds.
 */
import type { Registry } from '../stdlib/registry.js';
import type { ArgSpec, ConstArgs, ConstValue } from '../stdlib/types.js';
import { children, type IRExpr } from './ir.js';
import { formatShape } from './types/shape.js';

const fmtValue = (v: ConstValue): string => JSON.stringify(v);

const same = (a: ConstValue, b: ConstValue): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Arguments as a researcher would write them: required ones positionally, optional ones only
 * where they differ from the library default (an unknown entry shows everything by name).
 */
export const fmtArgs = (values: ConstArgs, specs: readonly ArgSpec[] | undefined, named = false, perMember: Readonly<Record<string, string>> = {}): string => {
  if (specs === undefined)
    return Object.entries(values)
      .map(([k, v]) => `${k}: ${perMember[k] ?? fmtValue(v)}`)
      .join(', ');
  const out: string[] = [];
  for (const s of specs) {
    const v = values[s.name];
    const m = perMember[s.name];
    // a value each sweep member computes is shown as written, never as the first member's
    if (m !== undefined) {
      out.push(`${s.name}: ${m}`);
      continue;
    }
    if (v === undefined) continue;
    if (s.default === undefined) out.push(named ? `${s.name}: ${fmtValue(v)}` : fmtValue(v));
    else if (!same(v, s.default)) out.push(`${s.name}: ${fmtValue(v)}`);
  }
  return out.join(', ');
};

export const specsOf = (registry: Registry, name: string): readonly ArgSpec[] | undefined => {
  const e = registry.entries.get(name);
  if (e === undefined) return undefined;
  switch (e.kind) {
    case 'layer':
    case 'loader':
    case 'transform':
      return e.args;
    case 'fn':
    case 'optimizer':
    case 'stateful':
      return e.options;
    default:
      return undefined;
  }
};

/** `name(args)`, or just `name` when nothing is worth showing. */
export const callText = (registry: Registry, name: string, values: ConstArgs, sweep: Readonly<Record<string, IRExpr>> = {}): string => {
  // layers take their sizes positionally (`dense(256)`); optimizer and function options are named
  const kind = registry.entries.get(name)?.kind;
  const perMember = Object.fromEntries(Object.entries(sweep).map(([k, e]) => [k, inlineExpr(registry, e)]));
  const a = fmtArgs(values, specsOf(registry, name), kind !== 'layer' && kind !== 'loader' && kind !== 'transform', perMember);
  return a === '' ? name : `${name}(${a})`;
};

/** Paths grouped by parent: `net.block1.dense.{w, b}, net.dense.{w, b}`. */
export const groupPaths = (paths: readonly string[]): string => {
  const groups = new Map<string, string[]>();
  for (const p of paths) {
    const i = p.lastIndexOf('.');
    const parent = i < 0 ? '' : p.slice(0, i);
    const leaf = i < 0 ? p : p.slice(i + 1);
    groups.set(parent, [...(groups.get(parent) ?? []), leaf]);
  }
  return [...groups.entries()]
    .map(([parent, leaves]) => {
      const pre = parent === '' ? '' : `${parent}.`;
      return leaves.length === 1 ? `${pre}${leaves[0]}` : `${pre}{${leaves.join(', ')}}`;
    })
    .join(', ');
};

/** The longest dotted prefix shared by every path ('' when none). */
const commonPrefix = (paths: readonly string[]): string => {
  const split = paths.map((p) => p.split('.'));
  const first = split[0] ?? [];
  let n = 0;
  while (n < first.length - 1 && split.every((s) => s.length > n + 1 && s[n] === first[n])) n++;
  return first.slice(0, n).join('.');
};

/** A parameter set as the selector that most likely wrote it: `params(net)`. */
const setLabel = (paths: readonly string[]): string => {
  if (paths.length === 1) return paths[0] ?? '';
  const pre = commonPrefix(paths);
  return pre === '' ? `{${groupPaths(paths)}}` : `params(${pre})`;
};

const flatLabel = (paths: readonly string[]): string => `${setLabel(paths)}, flattened (${paths.length === 1 ? '1 parameter' : `${paths.length} parameters`})`;

/** The model a layer belongs to: the first segment of its parameter paths. */
const modelOf = (e: IRExpr): string | undefined => {
  if (e.kind !== 'layer') return undefined;
  const roots = new Set(Object.values(e.params).map((p) => p.split('.')[0] ?? p));
  return roots.size === 1 ? [...roots][0] : undefined;
};

/** A stage of a pipeline: a node with one tensor input that the IR nests around it. */
const stageInput = (e: IRExpr): IRExpr | undefined => {
  switch (e.kind) {
    case 'layer':
    case 'stateful':
      return e.input;
    case 'call':
      return e.args.length === 1 ? e.args[0] : undefined;
    case 'reshape':
      return e.operand;
    default:
      return undefined;
  }
};

const wrapPipe = (text: string): string => (text.includes(' |> ') ? `(${text})` : text);

const PREC: Readonly<Record<string, number>> = { '+': 1, '-': 1, '*': 2, '/': 2, '@': 3, '^': 4 };

/** A one-line formula; long ones are cut at `max` characters. */
export const inlineExpr = (registry: Registry, e: IRExpr, max = 120): string => {
  /**
   * A pipeline, with the stages of one model folded into `model(input)`: a model's layers are
   * the stages from its first parameterized layer's input to its last parameterized layer.
   */
  const pipe = (n: IRExpr): string | undefined => {
    const stages: IRExpr[] = [];
    let cur: IRExpr = n;
    for (let input = stageInput(cur); input !== undefined; input = stageInput(cur)) {
      if (cur.kind !== 'reshape') stages.push(cur);
      cur = input;
    }
    if (stages.length < 2) return undefined;
    stages.reverse();
    const parts: string[] = [go(cur)];
    let i = 0;
    while (i < stages.length) {
      const m = stages.slice(i).map(modelOf).find((x) => x !== undefined);
      let last = -1;
      if (m !== undefined)
        for (let j = i; j < stages.length; j++) {
          const s = stages[j]!;
          const sm = modelOf(s);
          if (sm === m) last = j;
          else if (sm !== undefined || (s.kind === 'layer' && Object.keys(s.params).length > 0)) break;
        }
      // at the start, a model's own leading parameterless layers (`x |> flatten |> ...`) fold in too
      const lead = i === 0 && m !== undefined ? stages.findIndex((s) => modelOf(s) === m) : -1;
      if (lead > 0 && stages.slice(0, lead).every((s) => s.kind === 'layer' && Object.keys(s.params).length === 0)) i = lead;
      if (last >= i && modelOf(stages[i]!) === m) {
        // a model applied straight to the input reads as a call, `net(x)`; later in a pipe, `|> srn`
        parts.push(parts.length === 1 ? `${m}(${parts.pop() ?? ''})` : `${m}`);
        i = last + 1;
        continue;
      }
      const s = stages[i]!;
      parts.push(
        s.kind === 'layer'
          ? callText(registry, s.layer, s.args, s.sweep?.args)
          : s.kind === 'call' || s.kind === 'stateful'
            ? callText(registry, s.fn, s.options, s.sweepOptions)
            : '',
      );
      i++;
    }
    return parts.filter((x) => x !== '').join(' |> ');
  };
  const go = (n: IRExpr): string => {
    const p = pipe(n);
    if (p !== undefined) return p;
    switch (n.kind) {
      case 'const':
        return typeof n.value === 'number' ? `${n.value}` : `[${n.value.join(', ')}]`;
      case 'field':
        return n.field;
      case 'param':
        return n.path;
      case 'appliedGrad':
        return `${n.residual === true ? 'solver_residual' : 'applied_grad'}(${n.path})`;
      case 'flatParams':
        return setLabel(n.paths);
      case 'sweepVar':
        return n.name;
      case 'call': {
        const opts = fmtArgs(n.options, specsOf(registry, n.fn), true, Object.fromEntries(Object.entries(n.sweepOptions ?? {}).map(([k, x]) => [k, go(x)])));
        return `${n.fn}(${[...n.args.map(go), ...(opts === '' ? [] : [opts])].join(', ')})`;
      }
      case 'layer':
        return modelOf(n) !== undefined && modelOf(n) === modelOf(n.input) ? `${modelOf(n)}(${go(n.input)})` : `${go(n.input)} |> ${callText(registry, n.layer, n.args, n.sweep?.args)}`;
      case 'stateful':
        return `${n.fn}(${go(n.input)})`;
      case 'binary': {
        const loose = (c: IRExpr): boolean =>
          (c.kind === 'binary' && (PREC[c.op] ?? 0) <= (PREC[n.op] ?? 0)) || c.kind === 'over' || c.kind === 'mean' || c.kind === 'deterministic' || c.kind === 'neg';
        const side = (c: IRExpr): string => {
          const text = go(c);
          return loose(c) || text.includes(' |> ') ? `(${text})` : text;
        };
        return `${side(n.left)} ${n.op} ${side(n.right)}`;
      }
      case 'neg':
        return `-${wrapPipe(go(n.operand))}`;
      case 'reshape':
        return go(n.operand);
      case 'mean':
        return `mean[${n.samples}] ${wrapPipe(go(n.body))}`;
      case 'deterministic':
        return `deterministic ${wrapPipe(go(n.body))}`;
      case 'over':
        return `${go(n.body)} over ${n.split}${n.batch > 0 ? ` batch ${n.batch}` : ''}`;
      case 'ref':
        return n.name;
      case 'members':
        return `${n.alias}(${go(n.body)})`;
      case 'mixup':
        return `mixup(${go(n.body)}, alpha: ${n.alpha})`;
      case 'lambdaMax':
        return `lambda_max(${go(n.body)}, ${setLabel(n.paths)}, iterations: ${n.iterations})`;
    }
  };
  const s = go(e);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

/** One line per node: what it is (the shape is added by the tree). */
export const nodeLabel = (registry: Registry, e: IRExpr): string => {
  switch (e.kind) {
    case 'const':
      return typeof e.value === 'number' ? `${e.value}` : `[${e.value.join(', ')}]`;
    case 'field':
      return `${e.field} of ${e.split}`;
    case 'param':
      return `param ${e.path}`;
    case 'appliedGrad':
      return e.residual === true ? `the residual of the last solve for ${e.path}` : `the gradient last applied to ${e.path}`;
    case 'flatParams':
      return flatLabel(e.paths);
    case 'sweepVar':
      return `sweep ${e.name}`;
    case 'call':
      return `${callText(registry, e.fn, e.options, e.sweepOptions)}${e.differentiable ? '' : '  (not differentiable)'}`;
    case 'layer': {
      const ps = Object.values(e.params);
      return `${callText(registry, e.layer, e.args, e.sweep?.args)}${ps.length > 0 ? ` {${groupPaths(ps)}}` : ''}${e.stochastic ? '  (stochastic)' : ''}`;
    }
    case 'binary':
      return e.op;
    case 'neg':
      return 'negate';
    case 'reshape':
      return 'reshape';
    case 'mean':
      return `mean[${e.samples}]`;
    case 'deterministic':
      return 'deterministic';
    case 'over':
      return `over ${e.split}${e.batch > 0 ? ` batch ${e.batch}` : ''}`;
    case 'stateful':
      return `${callText(registry, e.fn, e.options, e.sweepOptions)}  (running state)`;
    case 'ref':
      return `${e.ref} ${e.name}${e.stopGradient ? '  (constant to gradients)' : ''}`;
    case 'members':
      return `${e.alias}(…) over ensemble members`;
    case 'mixup':
      return `mixup(alpha: ${e.alpha})`;
    case 'lambdaMax':
      return `largest Hessian eigenvalue in ${setLabel(e.paths)} (${e.iterations} power-iteration steps)`;
  }
};

/**
 * The tree of an expression with every node's shape. A chain of two or more stages prints as
 * its input followed by `|> stage` lines at the same depth. The reshapes the compiler inserts to
 * give an unbatched value a batch of one are not shown: the shapes around them say it.
 */
export const exprTree = (registry: Registry, e: IRExpr, indent = '  '): string[] => {
  const out: string[] = [];
  const line = (depth: number, text: string, n: IRExpr): void => {
    out.push(`${indent}${'  '.repeat(depth)}${text}  : ${formatShape(n.shape)}`);
  };
  const go = (n: IRExpr, depth: number): void => {
    if (n.kind === 'reshape') return go(n.operand, depth);
    const stages: IRExpr[] = [];
    let cur: IRExpr = n;
    for (let input = stageInput(cur); input !== undefined; input = stageInput(cur)) {
      if (cur.kind !== 'reshape') stages.push(cur);
      cur = input;
    }
    if (stages.length >= 2) {
      go(cur, depth);
      for (const s of stages.reverse()) line(depth, `|> ${nodeLabel(registry, s)}`, s);
      return;
    }
    line(depth, nodeLabel(registry, n), n);
    for (const c of children(n)) go(c, depth + 1);
  };
  go(e, 0);
  return out;
};
