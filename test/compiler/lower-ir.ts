/** Hand-built IR for the lowering tests (independent of the front half of the compiler). */
import type { Span } from '../../dsl/span.js';
import type { ConstArgs, Init, IRExpr, IRParam, IRProgram, IRRule, Shape } from '../../compiler/ir.js';

export const span: Span = { file: 'test.xreg', start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };

export const field = (split: string, name: string, shape: Shape, data = 'd'): IRExpr => ({ kind: 'field', data, split, field: name, shape, span });
export const param = (path: string, shape: Shape): IRExpr => ({ kind: 'param', path, shape, span });
export const call = (fn: string, args: readonly IRExpr[], shape: Shape = [], options: ConstArgs = {}): IRExpr => ({
  kind: 'call',
  fn,
  args,
  options,
  differentiable: true,
  shape,
  span,
});
export const bin = (op: '+' | '-' | '*' | '/' | '@' | '^', left: IRExpr, right: IRExpr, shape: Shape): IRExpr => ({
  kind: 'binary',
  op,
  left,
  right,
  shape,
  span,
});
export const over = (split: string, body: IRExpr, batch = 0, data = 'd'): IRExpr => ({ kind: 'over', data, split, batch, body, shape: body.shape, span });
export const layer = (name: string, input: IRExpr, params: Record<string, string>, shape: Shape, args: ConstArgs = {}, stochastic = false): IRExpr => ({
  kind: 'layer',
  layer: name,
  input,
  params,
  args,
  stochastic,
  shape,
  span,
});

export const p = (path: string, shape: readonly number[], init: Init, extra: Partial<IRParam> = {}): IRParam => ({
  path,
  shape,
  init,
  role: 'weight',
  partition: 'theta',
  onSphere: false,
  frozen: false,
  span,
  ...extra,
});

export const rule = (name: string, targets: readonly string[], loss: IRExpr, extra: Partial<IRRule> = {}, lr = 0.1): IRRule => ({
  name,
  targets,
  partition: 'theta',
  optimizer: { name: 'sgd', options: { lr } },
  loss,
  splits: ['train'],
  batch: 0,
  schedule: { every: { n: 1, unit: 'steps' } },
  geometry: { kind: 'none' },
  allowReg: false,
  span,
  ...extra,
});

export const program = (params: readonly IRParam[], rules: readonly IRRule[], extra: Partial<IRProgram> = {}): IRProgram => ({
  file: 'test.xreg',
  seed: 0,
  data: [],
  params,
  partitions: {},
  run: { length: { n: 100, unit: 'steps' }, batch: 8 },
  figures: [],
  phases: [],
  losses: [],
  metrics: [],
  rules,
  ...extra,
});

/** A deterministic stream of numbers in [-1, 1) (the tests' data). */
export const numbers = (n: number, seed: number): Float64Array => {
  let s = seed >>> 0 || 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
};
