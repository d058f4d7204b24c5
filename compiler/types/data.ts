/** `data` and `split` declarations: loader and transforms resolved, schema computed, no data read. */
import * as E from 'fp-ts/lib/Either.js';
import type { DataDecl, Expr, SplitDecl } from '../../dsl/ast.js';
import { error } from '../../dsl/diagnostic.js';
import type { ConstArgs, Schema } from '../../stdlib/types.js';
import type { Span } from '../../dsl/span.js';
import { Codes } from '../codes.js';
import type { IRData, IRSplit } from '../ir.js';
import { bindConstArgs } from '../resolve/args.js';
import { evalConst } from '../resolve/consts.js';
import type { Container } from '../resolve/imports.js';
import type { Ctx, Local } from './context.js';
import { constLookup, unknownName } from './elaborate.js';

export interface DataDraft {
  readonly decl: DataDecl;
  readonly loader: string;
  readonly args: ConstArgs;
  readonly transforms: { name: string; args: ConstArgs }[];
  readonly schema: Schema;
}

const head = (e: Expr) =>
  e.kind === 'Name' ? { name: e.name, args: [], span: e.span } : e.kind === 'Call' && e.callee.kind === 'Name' ? { name: e.callee.name, args: e.args, span: e.callee.span } : undefined;

export const elabData = (ctx: Ctx, decl: DataDecl, local: Local): DataDraft | undefined => {
  const stages = decl.source.kind === 'Pipe' ? decl.source.stages : [decl.source];
  const [first, ...rest] = stages;
  const h = first === undefined ? undefined : head(first);
  if (h === undefined || first === undefined) {
    ctx.diags.push(error(Codes.wrongKind, 'data comes from a loader call, e.g. csv("file.csv")', decl.source.span));
    return undefined;
  }
  const loader = ctx.registry.entries.get(h.name);
  if (loader === undefined) return void unknownName(ctx, local, h.name, h.span);
  if (loader.kind !== 'loader') {
    ctx.diags.push(error(Codes.wrongKind, `'${h.name}' is a ${loader.kind}, not a data loader`, h.span));
    return undefined;
  }
  const args = bindConstArgs(`loader '${h.name}'`, loader.args, h.args, constLookup(ctx, local), first.span, ctx.diags);
  const s0 = loader.schema(args);
  if (E.isLeft(s0)) {
    ctx.diags.push(error(Codes.inferFailed, `${h.name}: ${s0.left}`, first.span));
    return undefined;
  }
  let schema = s0.right;
  const transforms: { name: string; args: ConstArgs }[] = [];
  for (const st of rest) {
    const th = head(st);
    const t = th === undefined ? undefined : ctx.registry.entries.get(th.name);
    if (th === undefined) {
      ctx.diags.push(error(Codes.wrongKind, 'a data transform is a name or a call', st.span));
      return undefined;
    }
    if (t === undefined) return void unknownName(ctx, local, th.name, th.span);
    if (t.kind !== 'transform') {
      ctx.diags.push(error(Codes.wrongKind, `'${th.name}' is a ${t.kind}, not a data transform`, th.span));
      return undefined;
    }
    const targs = bindConstArgs(`transform '${th.name}'`, t.args, th.args, constLookup(ctx, local), st.span, ctx.diags);
    const s = t.schema(schema, targs);
    if (E.isLeft(s)) {
      ctx.diags.push(error(Codes.inferFailed, `${th.name}: ${s.left}`, st.span));
      return undefined;
    }
    schema = s.right;
    transforms.push({ name: th.name, args: targs });
  }
  ctx.schemas.set(decl.name.name, schema);
  return { decl, loader: h.name, args, transforms, schema };
};

export interface SplitDraft {
  readonly decl: SplitDecl;
  readonly splits: IRSplit[];
  readonly seed: number;
}

export const elabSplit = (ctx: Ctx, decl: SplitDecl, container: Container, local: Local): SplitDraft | undefined => {
  if (!ctx.schemas.has(decl.data.name) && !ctx.globals.has(decl.data.name)) return void unknownName(ctx, local, decl.data.name, decl.data.span);
  const phase = container.kind === 'phase' ? container.index : -1;
  const splits: IRSplit[] = [];
  const num = (e: Expr): number | undefined => {
    const v = evalConst(e, constLookup(ctx, local));
    if (E.isLeft(v)) return void ctx.diags.push(v.left);
    if (typeof v.right !== 'number' || v.right < 0 || v.right > 1)
      return void ctx.diags.push(error(Codes.argType, 'a split fraction is a number between 0 and 1', e.span));
    return v.right;
  };
  const dups: { name: string; span: Span; prev: Span }[] = [];
  for (const en of decl.entries) {
    const prev = ctx.splits.get(en.name.name);
    if (prev !== undefined) {
      dups.push({ name: en.name.name, span: en.name.span, prev: prev.span });
      continue;
    }
    const fraction = num(en.fraction);
    if (fraction === undefined) continue;
    let grow: IRSplit['grow'];
    if (en.grow !== undefined) {
      const from = num(en.grow.from);
      const bad = growthProblem(en.grow.until.unit, en.grow.until.amount.value);
      if (bad !== undefined) ctx.diags.push(error(Codes.badGrowth, bad.message, en.grow.until.span, bad.hint));
      else if (from !== undefined) grow = { from, untilEpoch: en.grow.until.amount.value };
    }
    ctx.splits.set(en.name.name, { data: decl.data.name, phase, span: en.name.span });
    splits.push(grow === undefined ? { name: en.name.name, fraction, phase } : { name: en.name.name, fraction, grow, phase });
  }
  const first = dups[0];
  if (first !== undefined) {
    const all = dups.length === decl.entries.length;
    ctx.diags.push({
      ...error(
        Codes.duplicate,
        all
          ? `'${decl.data.name}' is split again: ${dups.map((d) => `'${d.name}'`).join(', ')} ${dups.length > 1 ? 'are' : 'is'} already declared`
          : `split${dups.length > 1 ? 's' : ''} ${dups.map((d) => `'${d.name}'`).join(', ')} ${dups.length > 1 ? 'are' : 'is'} already declared`,
        all ? decl.data.span : first.span,
        "a split name is declared once; put every split of a data set in one 'split d { ... }' (a later phase may add new ones)",
      ),
      related: [{ span: first.prev, message: 'first declared here' }],
    });
  }
  const total = splits.reduce((s, x) => s + x.fraction, 0);
  if (total > 1 + 1e-9) ctx.diags.push(error(Codes.argType, `the split fractions add up to ${total.toFixed(3)}, more than 1`, decl.span));
  return { decl, splits, seed: decl.seed?.value ?? 0 };
};

/**
 * What is wrong with the growth point of `grow from F until epoch K`, if anything (F is a split fraction, checked as one). The growth point is an epoch because
 * epochs are what grow: before it an epoch is a pass over the part in use (docs/language.md), so a
 * point in steps, or a fractional epoch, would fall inside one of those passes.
 */
const growthProblem = (unit: string, until: number): { message: string; hint: string } | undefined => {
  if (unit !== 'epochs') return { message: 'a split grows at an epoch, not a step', hint: `write 'until epoch K'; an epoch before it is one pass over the part in use` };
  if (!Number.isInteger(until) || until < 1) return { message: `a split grows at a whole epoch from 1 on, not ${until}`, hint: 'e.g. until epoch 10' };
  return undefined;
};

export const toIRData = (d: DataDraft, splits: readonly SplitDraft[]): IRData => {
  const mine = splits.filter((s) => s.decl.data.name === d.decl.name.name);
  return {
    name: d.decl.name.name,
    loader: d.loader,
    args: d.args,
    transforms: d.transforms,
    schema: d.schema,
    splits: mine.flatMap((s) => s.splits),
    seed: mine[0]?.seed ?? 0,
    span: d.decl.span,
  };
};
