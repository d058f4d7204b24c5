/**
 * Selectors: expressions that denote sets of parameter paths (`params(net) - noise_scales(net)`,
 * `theta`, `net.block3`, a `partition` name). Results keep the order parameters were created in.
 */
import type { Expr } from '../../dsl/ast.js';
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import { suggest } from '../../dsl/suggest.js';
import type { ParamRole } from '../../stdlib/types.js';
import { Codes } from '../codes.js';
import { kindWords, type GlobalEntry } from '../resolve/scope.js';
import type { ParamView } from './param-table.js';

export const roleSelectors: Readonly<Record<string, ParamRole | 'any'>> = {
  params: 'any',
  weights: 'weight',
  biases: 'bias',
  noise_scales: 'noise_scale',
  magnitudes: 'magnitude',
};

export interface SelectorEnv {
  readonly lookup: (name: string) => GlobalEntry | undefined;
  readonly params: ParamView;
  readonly diags: Diagnostic[];
  /** Partitions being expanded, to stop `partition a = b` / `partition b = a`. */
  readonly expanding?: readonly string[];
}

/** `a.b.c` as a string, when the expression is a chain of names. */
export const dotted = (e: Expr): string | undefined => {
  if (e.kind === 'Name') return e.name;
  if (e.kind === 'Member') {
    const o = dotted(e.object);
    return o === undefined ? undefined : `${o}.${e.property.name}`;
  }
  return undefined;
};

const underPrefix = (env: SelectorEnv, prefix: string): readonly string[] => env.params.under(prefix);

export const selectParams = (e: Expr, env: SelectorEnv): string[] | undefined => {
  const bad = (msg: string, hint?: string): undefined => {
    env.diags.push(error(Codes.badSelector, msg, e.span, hint));
    return undefined;
  };
  switch (e.kind) {
    case 'Binary': {
      if (e.op !== '+' && e.op !== '-') return bad(`'${e.op}' does not combine parameter sets`, 'use + (union) or - (difference)');
      const l = selectParams(e.left, env);
      const r = selectParams(e.right, env);
      if (l === undefined || r === undefined) return undefined;
      if (e.op === '+') {
        const left = new Set(l);
        return [...l, ...r.filter((p) => !left.has(p))];
      }
      const right = new Set(r);
      return l.filter((p) => !right.has(p));
    }
    case 'Call': {
      const f = e.callee.kind === 'Name' ? e.callee.name : undefined;
      const role = f === undefined ? undefined : roleSelectors[f];
      if (f === undefined || role === undefined)
        return bad('this call does not select parameters', `selectors: ${Object.keys(roleSelectors).join(', ')}, a parameter or a partition`);
      const arg = e.args[0];
      if (arg === undefined || e.args.length !== 1) return bad(`${f}(...) takes one model`);
      const name = dotted(arg.value);
      if (name === undefined) return bad(`${f}(...) takes a model name or a path such as net.block1`);
      const g = env.lookup(name);
      if (g !== undefined && g.global.kind !== 'model' && g.global.kind !== 'param')
        return bad(`'${name}' is a ${kindWords(g.global.kind)}, not a model`);
      const paths = underPrefix(env, name);
      if (paths.length === 0 && g === undefined) return unknown(name, arg.value, env);
      return role === 'any' ? [...paths] : paths.filter((p) => env.params.get(p)?.role === role);
    }
    case 'Name':
    case 'Member': {
      const name = dotted(e);
      if (name === undefined) return bad('not a selector');
      const g = env.lookup(name);
      if (g?.global.kind === 'partition') {
        const stack = env.expanding ?? [];
        if (stack.includes(name)) return bad(`partition '${name}' is defined in terms of itself`);
        return selectParams(g.global.decl.target, { ...env, expanding: [...stack, name] });
      }
      if (g !== undefined && g.global.kind !== 'param' && g.global.kind !== 'model')
        return bad(
          `'${name}' is a ${kindWords(g.global.kind)}, not a set of parameters`,
          g.global.kind === 'metric' || g.global.kind === 'loss'
            ? `an update names the parameters it changes (theta, params(net), noise_scales(net)) and takes its ${g.global.kind} after 'on'`
            : undefined,
        );
      const paths = underPrefix(env, name);
      if (paths.length > 0) return [...paths];
      if (g?.global.kind === 'model') return [];
      return unknown(name, e, env);
    }
    default:
      return bad('not a selector', 'a parameter, a partition, params(m), weights(m), biases(m), noise_scales(m), magnitudes(m), combined with + and -');
  }
};

const unknown = (name: string, e: Expr, env: SelectorEnv): undefined => {
  const hint = suggest(name, [...env.params.keys()]);
  env.diags.push(error(Codes.unknownName, `no parameter or model named '${name}'`, e.span, hint === undefined ? undefined : `did you mean '${hint}'?`));
  return undefined;
};
