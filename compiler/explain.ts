/**
 * `xreg explain`: the partition table, every rule, and each loss as an indented tree with shapes.
 * Plain text with aligned columns, so it reads in a terminal and diffs in a review.
 */
import { children, type IRExpr, type IRProgram, type IRRule } from './ir.js';
import { formatShape } from './types/shape.js';

const table = (rows: readonly (readonly string[])[], rightAlign: ReadonlySet<number> = new Set()): string[] => {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (rightAlign.has(i) ? c.padStart(widths[i] ?? 0) : i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
};

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

const fmtOptions = (o: Readonly<Record<string, unknown>>): string =>
  Object.entries(o)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(', ');

/** One line per node: what it is, then its shape. */
export const nodeLabel = (e: IRExpr): string => {
  switch (e.kind) {
    case 'const':
      return typeof e.value === 'number' ? `${e.value}` : `[${e.value.join(', ')}]`;
    case 'field':
      return `${e.field} of ${e.split}`;
    case 'param':
      return `param ${e.path}`;
    case 'flatParams':
      return `flat(${e.paths.length} params)`;
    case 'sweepVar':
      return `sweep ${e.name}`;
    case 'call':
      return `${e.fn}${Object.keys(e.options).length > 0 ? `(${fmtOptions(e.options)})` : ''}${e.differentiable ? '' : '  (not differentiable)'}`;
    case 'layer':
      return `layer ${e.layer}${Object.keys(e.args).length > 0 ? `(${fmtOptions(e.args)})` : ''}${Object.keys(e.params).length > 0 ? ` {${Object.values(e.params).join(', ')}}` : ''}${e.stochastic ? '  (stochastic)' : ''}`;
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
      return `${e.fn} (state ${e.stateKey})`;
    case 'ref':
      return `${e.ref} ${e.name}${e.stopGradient ? '  (constant to gradients)' : ''}`;
    case 'members':
      return `${e.alias}(…) over ensemble members`;
    case 'mixup':
      return `mixup(alpha: ${e.alpha})`;
  }
};

export const exprTree = (e: IRExpr, indent = '  '): string[] => {
  const out: string[] = [];
  const go = (n: IRExpr, depth: number): void => {
    out.push(`${indent}${'  '.repeat(depth)}${nodeLabel(n)}  : ${formatShape(n.shape)}`);
    for (const c of children(n)) go(c, depth + 1);
  };
  go(e, 0);
  return out;
};

const fmtDur = (d: { n: number; unit: string }): string => `${d.n} ${d.unit}`;

const ruleLines = (r: IRRule): string[] => {
  const s = r.schedule;
  const sched = [`every ${fmtDur(s.every)}`, ...(s.from ? [`from ${fmtDur(s.from)}`] : []), ...(s.until ? [`until ${fmtDur(s.until)}`] : [])].join(', ');
  const geo = r.geometry.kind === 'none' ? 'none' : `${r.geometry.kind === 'along' ? 'along' : 'orthogonal to'} grad(…)`;
  return [
    `rule ${r.name}  [${r.partition}]`,
    ...table([
      ['  targets', r.targets.join(', ')],
      ['  loss', r.lossName ?? '(inline)'],
      ['  splits', r.splits.length > 0 ? r.splits.join(', ') : '(none)'],
      ['  optimizer', `${r.optimizer.name}(${fmtOptions(r.optimizer.options)})`],
      ['  schedule', sched],
      ['  batch', String(r.batch)],
      ['  geometry', geo],
      ...(r.allowReg ? [['  allow', 'reg']] : []),
    ]),
    '  loss graph:',
    ...exprTree(r.loss, '    '),
    ...(r.geometry.kind !== 'none' ? ['  direction graph:', ...exprTree(r.geometry.direction, '    ')] : []),
  ];
};

export const explain = (ir: IRProgram): string => {
  const lines: string[] = [`program ${ir.file}`, ''];
  lines.push('partitions');
  const rows: string[][] = [['partition', 'parameter', 'shape', 'count']];
  let total = 0;
  for (const [part, paths] of Object.entries(ir.partitions)) {
    let sub = 0;
    for (const path of paths) {
      const p = ir.params.find((q) => q.path === path);
      if (p === undefined) continue;
      sub += count(p.shape);
      rows.push([part, path + (p.onSphere ? ' (on sphere)' : ''), formatShape(p.shape), String(count(p.shape))]);
    }
    rows.push([part, '(total)', '', String(sub)]);
    total += sub;
  }
  const distinct = ir.params.reduce((n, p) => n + count(p.shape), 0);
  rows.push(['all', '(total)', '', String(distinct)]);
  lines.push(...table(rows, new Set([3])).map((l) => `  ${l}`));
  if (total !== distinct) lines.push(`  (parameters updated along two directions are listed under both partitions)`);
  lines.push('');
  lines.push(`run ${fmtDur(ir.run.length)}, batch ${ir.run.batch}, seed ${ir.seed}`);
  for (const d of ir.data)
    lines.push(`data ${d.name} = ${d.loader}(${fmtOptions(d.args)}): ${d.splits.map((s) => `${s.name} ${s.fraction.toFixed(3)}`).join(', ')}`);
  const allRules: IRRule[] = [...ir.rules, ...ir.phases.flatMap((p) => p.rules), ...(ir.sweep?.body.rules ?? []), ...(ir.ensemble?.body.rules ?? []), ...(ir.population?.body.rules ?? [])];
  for (const r of allRules) lines.push('', ...ruleLines(r));
  for (const m of ir.metrics) lines.push('', `metric ${m.name}`, ...exprTree(m.expr, '    '));
  return lines.join('\n') + '\n';
};
