/**
 * Nested sweeps are one grid: `sweep a in A { sweep b in B { ... } }` trains one member per pair,
 * the outer variable varying slowest. Sweeps side by side (not nested) and a second `select` are
 * refused (E0228): a run selects one member among all of them.
 */
import type { SweepDecl } from '../../dsl/ast.js';
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import { Codes } from '../codes.js';
import type { IRSelect } from '../ir.js';
import type { PlacedDecl } from '../resolve/imports.js';

export interface Grid {
  readonly variables: readonly string[];
  readonly members: readonly Readonly<Record<string, number>>[];
  readonly select?: IRSelect;
}

/** The product of the axes' values, the first axis varying slowest. */
export const gridMembers = (axes: readonly { readonly name: string; readonly values: readonly number[] }[]): Record<string, number>[] =>
  axes.reduce<Record<string, number>[]>((acc, ax) => acc.flatMap((m) => ax.values.map((v) => ({ ...m, [ax.name]: v }))), [{}]);

export const sweepGrid = (decls: readonly PlacedDecl[], values: ReadonlyMap<string, readonly number[]>, diags: Diagnostic[]): Grid | undefined => {
  const sweeps = decls.flatMap((p) => (p.decl.kind === 'Sweep' ? [{ decl: p.decl, container: p.container }] : []));
  const [outer] = sweeps;
  if (outer === undefined) return undefined;
  const chain: SweepDecl[] = [outer.decl];
  for (const s of sweeps.slice(1)) {
    const prev = chain[chain.length - 1]!;
    if (s.container.kind === 'sweep' && s.container.variable === prev.variable.name) {
      chain.push(s.decl);
      continue;
    }
    diags.push({
      ...error(
        Codes.sweepGrid,
        `a program runs one sweep: 'sweep ${s.decl.variable.name}' stands beside 'sweep ${prev.variable.name}', not inside it`,
        s.decl.variable.span,
        `nest it for a grid of every pair of values: sweep ${prev.variable.name} in ... { sweep ${s.decl.variable.name} in ... { ... } }`,
      ),
      related: [{ span: prev.variable.span, message: 'the sweep it would run beside' }],
    });
  }
  // in the order they are written: the later one is the one to remove
  const selecting = chain.filter((d) => d.select !== undefined).sort((a, b) => a.select!.span.start.offset - b.select!.span.start.offset);
  for (const d of selecting.slice(1))
    diags.push({
      ...error(
        Codes.sweepGrid,
        `a grid selects once, among all its members: this second 'select' would choose again`,
        d.select!.span,
        'keep one select: it picks the best member of the whole grid',
      ),
      related: [{ span: selecting[0]!.select!.span, message: 'the first select' }],
    });
  const sel = selecting[0]?.select;
  return {
    variables: chain.map((d) => d.variable.name),
    members: gridMembers(chain.map((d) => ({ name: d.variable.name, values: values.get(d.variable.name) ?? [] }))),
    ...(sel === undefined
      ? {}
      : {
          select: {
            direction: sel.direction,
            metric: sel.metric.name,
            ...(sel.best !== undefined ? { best: sel.best.value } : {}),
            ...(sel.alias !== undefined ? { alias: sel.alias.name } : {}),
          },
        }),
  };
};
