/**
 * `xreg explain`: the partition table, every rule, and each loss as an indented tree with shapes.
 * Plain text with aligned columns, so it reads in a terminal and diffs in a review.
 */
import { standardLibrary, type Registry } from '../stdlib/registry.js';
import { callText, exprTree, fmtArgs, groupPaths, inlineExpr, specsOf } from './explain-expr.js';
import type { IRDuration, IRExpr, IRProgram, IRRule, IRSchedule, ThroughMethod } from './ir.js';
import { splitsOf } from './rules.js';
import { formatShape } from './types/shape.js';

export { exprTree, inlineExpr, nodeLabel } from './explain-expr.js';

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

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** As the language writes it: `every 30 steps`, `every epoch`. */
const fmtEvery = (d: IRDuration): string => (d.n === 1 ? `every ${d.unit === 'steps' ? 'step' : 'epoch'}` : `every ${d.n} ${d.unit}`);
/** As the language writes it: `from step 3000`. */
const fmtAt = (d: IRDuration): string => `${d.unit === 'steps' ? 'step' : 'epoch'} ${d.n}`;
const fmtLength = (d: IRDuration): string => plural(d.n, d.unit === 'steps' ? 'step' : 'epoch');

const fmtSchedule = (s: IRSchedule): string =>
  [fmtEvery(s.every), ...(s.from ? [`from ${fmtAt(s.from)}`] : []), ...(s.until ? [`until ${fmtAt(s.until)}`] : [])].join(', ');

const partitionTable = (ir: IRProgram): string[] => {
  const rows: string[][] = [['partition', 'parameter', 'shape', 'count']];
  const sizeOf = new Map(ir.params.map((p) => [p.path, count(p.shape)]));
  let listed = 0;
  for (const [part, paths] of Object.entries(ir.partitions)) {
    let sub = 0;
    paths.forEach((path, i) => {
      const p = ir.params.find((q) => q.path === path);
      if (p === undefined) return;
      sub += count(p.shape);
      rows.push([i === 0 ? part : '', path + (p.onSphere ? ' (on sphere)' : ''), formatShape(p.shape), String(count(p.shape))]);
    });
    if (paths.length > 1) rows.push(['', `(${plural(paths.length, 'parameter')})`, '', String(sub)]);
    listed += sub;
  }
  const total = [...sizeOf.values()].reduce((a, b) => a + b, 0);
  rows.push(['all', `(${plural(ir.params.length, 'parameter')})`, '', String(total)]);
  const out = table(rows, new Set([3]));
  const rule = '-'.repeat(Math.max(...out.map((l) => l.length)));
  out.splice(1, 0, rule);
  out.splice(out.length - 1, 0, rule);
  if (listed !== total) out.push('(a parameter two rules update, as a direction pair or in different phases, is listed under each of their partitions)');
  return out.map((l) => `  ${l}`);
};

/** `prox_sgd(lr: 0.01)`, with the options bound per sweep member written as their expressions. */
const optimizerText = (registry: Registry, r: IRRule): string => callText(registry, r.optimizer.name, r.optimizer.options, r.optimizer.sweepOptions);

const ruleLines = (registry: Registry, ir: IRProgram, r: IRRule): string[] => {
  const values = r.targets.reduce((n, t) => n + count(ir.params.find((p) => p.path === t)?.shape ?? []), 0);
  const geo =
    r.geometry.kind === 'none'
      ? 'none'
      : `${r.geometry.kind === 'along' ? 'along' : 'orthogonal to'} grad(${inlineExpr(registry, r.geometry.direction)})`;
  return [
    `rule ${r.name}  [${r.partition}]  ${plural(r.targets.length, 'parameter')}, ${plural(values, 'value')}`,
    ...table([
      ['  targets', groupPaths(r.targets)],
      ['  loss', r.lossName ?? inlineExpr(registry, r.loss)],
      ['  splits', r.splits.length > 0 ? r.splits.join(', ') : '(none)'],
      ['  optimizer', optimizerText(registry, r)],
      ['  schedule', fmtSchedule(r.schedule)],
      ['  batch', String(r.batch)],
      ['  geometry', geo],
      ...(r.implicit !== undefined
        ? [['  through', `${r.implicit.lossName} (over ${[...splitsOf(r.implicit.loss)].join(', ') || 'no split'}): ${throughText(r.implicit.method)} over ${groupPaths(r.implicit.inner)}`]]
        : []),
      ...(r.allowReg ? [['  allow', 'reg']] : []),
    ]),
    '  loss graph:',
    ...exprTree(registry, r.loss, '    '),
    ...(r.geometry.kind !== 'none' ? ['  direction graph:', ...exprTree(registry, r.geometry.direction, '    ')] : []),
  ];
};

/** A named expression's tree without repeating its own name as the root. */
const namedTree = (registry: Registry, name: string, e: IRExpr): string[] =>
  exprTree(registry, e.kind === 'ref' && e.name === name ? e.body : e, '    ');

const blockLines = (registry: Registry, ir: IRProgram): string[] => {
  const out: string[] = [];
  for (const ph of ir.phases)
    out.push(`phase ${ph.name}${ph.length !== undefined ? ` for ${fmtLength(ph.length)}` : ''}: ${ph.rules.map((r) => r.name).join(', ') || '(no rules of its own)'}`);
  const s = ir.sweep;
  if (s !== undefined) {
    const axes = s.variables.map((v) => {
      const values = [...new Set(s.members.map((m) => m[v] ?? NaN))];
      return `${v} over ${plural(values.length, 'value')}${values.length > 0 ? ` in [${Math.min(...values)}, ${Math.max(...values)}]` : ''}`;
    });
    const grid = s.variables.length > 1 ? ` (a grid of ${plural(s.members.length, 'member')})` : '';
    const sel = s.select;
    const choose = sel === undefined ? '' : sel.best !== undefined || sel.alias !== undefined ? `, select best ${sel.best ?? 1} by ${sel.direction} ${sel.metric}${sel.alias !== undefined ? ` as ${sel.alias}` : ''}` : `, select ${sel.direction} ${sel.metric}`;
    out.push(`sweep ${axes.join(' × ')}${grid}${choose}`);
    if (sel?.after !== undefined && sel.after.length > 0)
      out.push(`  after the sweep, over the ensemble of the selected members: ${sel.after.map((m) => `${m.name} = ${inlineExpr(registry, m.expr.kind === "ref" ? m.expr.body : m.expr)}`).join('; ')}`);
  }
  const en = ir.ensemble;
  if (en !== undefined) out.push(`ensemble of ${en.size}${en.alias !== undefined ? ` as ${en.alias}` : ''}`);
  const pop = ir.population;
  if (pop !== undefined) {
    out.push(`population of ${pop.size}, hyper-parameters: ${pop.hyper.length > 0 ? groupPaths(pop.hyper) : '(none)'}`);
    const acts = [
      ...(pop.exploit !== undefined ? [`exploit ${pop.exploit.strategy}(${pop.exploit.args.join(', ')}) by ${pop.exploit.direction} ${pop.exploit.byName ?? inlineExpr(registry, pop.exploit.by)}`] : []),
      ...(pop.explore !== undefined ? [`explore ${pop.explore.strategy}(${exploreArgs(pop.explore)})`] : []),
    ];
    if (pop.every !== undefined && acts.length > 0) out.push(`  ${fmtEvery(pop.every)}: ${acts.join(', ')}`);
  }
  return out;
};

const throughText = (m: ThroughMethod): string =>
  m.kind === 'unrolled'
    ? `the gradient through ${m.steps} step${m.steps === 1 ? '' : 's'} of it${m.order === 1 ? ' (first order: the stepped parameters held constant)' : ''}`
    : `the total derivative through its minimizer (${m.solver === 'cg' ? 'conjugate gradients' : 'Neumann series'}${m.damping > 0 ? `, damping ${m.damping}` : ''})`;

const exploreArgs = (x: NonNullable<IRProgram['population']>['explore'] & object): string =>
  [...x.args.map(String), ...(x.min !== undefined ? [`min: ${x.min}`] : []), ...(x.max !== undefined ? [`max: ${x.max}`] : [])].join(', ');

export const explain = (ir: IRProgram, registry: Registry = standardLibrary): string => {
  const lines: string[] = [`program ${ir.file}`, ''];
  lines.push('partitions', ...partitionTable(ir), '');
  lines.push(`run ${fmtLength(ir.run.length)}, batch ${ir.run.batch}, seed ${ir.seed}`);
  for (const d of ir.data) {
    // every loader argument is shown, defaults too: which data a run read is never obvious
    const src = [`${d.loader}(${fmtArgs(d.args, specsOf(registry, d.loader), true)})`, ...d.transforms.map((t) => callText(registry, t.name, t.args))].join(' |> ');
    lines.push(`data ${d.name} = ${src}: ${d.splits.map((s) => `${s.name} ${s.fraction.toFixed(3)}`).join(', ')}`);
  }
  lines.push(...blockLines(registry, ir));
  const allRules: IRRule[] = [...ir.rules, ...ir.phases.flatMap((p) => p.rules), ...(ir.sweep?.body.rules ?? []), ...(ir.ensemble?.body.rules ?? []), ...(ir.population?.body.rules ?? [])];
  for (const r of allRules) lines.push('', ...ruleLines(registry, ir, r));
  const metrics = [...ir.metrics, ...(ir.sweep?.body.metrics ?? []), ...(ir.ensemble?.body.metrics ?? []), ...(ir.population?.body.metrics ?? [])];
  for (const m of metrics) lines.push('', `metric ${m.name}  ${inlineExpr(registry, m.expr.kind === 'ref' ? m.expr.body : m.expr, 100)}`, ...namedTree(registry, m.name, m.expr));
  return lines.join('\n') + '\n';
};
