/** The state shared by every stage of elaboration, and the per-expression local scope. */
import type { Expr } from '../../dsl/ast.js';
import type { Diagnostic } from '../../dsl/diagnostic.js';
import type { Span } from '../../dsl/span.js';
import type { Registry } from '../../stdlib/registry.js';
import type { ConstValue, Init, ParamRole, Schema } from '../../stdlib/types.js';
import type { IRExpr } from '../ir.js';
import type { Container } from '../resolve/imports.js';
import type { ParamTable, ParamView } from '../partitions/param-table.js';
import type { GlobalEntry } from '../resolve/scope.js';
import type { DimEnv } from './shape.js';

export interface ParamEntry {
  readonly path: string;
  readonly shape: readonly number[];
  readonly init: Init;
  readonly role: ParamRole;
  readonly onSphere: boolean;
  readonly frozen: boolean;
  readonly hyper: boolean;
  readonly span: Span;
}

export interface SplitInfo {
  readonly data: string;
  /** Phase index that declares the split; -1 at top level. */
  readonly phase: number;
  readonly span: Span;
}

export interface Ctx {
  readonly registry: Registry;
  diags: Diagnostic[];
  readonly globals: Map<string, GlobalEntry>;
  /** Parameters created so far (free ones first, then model ones as models are applied). */
  params: ParamTable<ParamEntry>;
  /** Parameters found by an earlier pass: selectors inside expressions see all of them. */
  known: ParamView<ParamEntry>;
  readonly dims: DimEnv;
  readonly splits: Map<string, SplitInfo>;
  readonly schemas: Map<string, Schema>;
  /** Losses and metrics being elaborated, to report recursion. */
  readonly stack: string[];
  /** Instance names of layer calls, per scope body. */
  readonly naming: WeakMap<Expr, Map<Expr, string>>;
  /** Each sweep variable's values, in the order of its sweep's list. */
  readonly sweeps: Map<string, readonly number[]>;
}

export type LocalVar =
  | { readonly kind: 'tensor'; readonly expr: IRExpr }
  /**
   * A constant argument of a user layer; `sweep` when it reads a sweep variable: `value` is then
   * the first member's, and `sweep` the expression each member evaluates (constants and sweep
   * variables under arithmetic).
   */
  | { readonly kind: 'const'; readonly value: ConstValue; readonly sweep?: IRExpr }
  | { readonly kind: 'params'; readonly paths: readonly string[] };

export interface Local {
  readonly vars: ReadonlyMap<string, LocalVar>;
  readonly ns: string;
  /** The split the enclosing `over` ranges over, when there is one. */
  readonly split?: { readonly data: string; readonly split: string };
  /** Path prefix of parameters created by layer calls here (`net.block3`). */
  readonly prefix: string;
  /** Instance names of the layer calls of the enclosing scope body. */
  readonly names: ReadonlyMap<Expr, string>;
  /** The enclosing declaration (keys stateful helpers' state). */
  readonly declName: string;
  readonly container: Container;
  /** Inside a `report` item, where `applied_grad(p)` may be read. */
  readonly reporting?: boolean;
  /** Inside a metric, report item or figure (observed, never differentiated): where `lambda_max` may be. */
  readonly observed?: boolean;
}

/** A value that is not a tensor: a set of parameter paths from a selector. */
export interface ParamSetVal {
  readonly kind: 'paramSet';
  readonly paths: readonly string[];
  readonly span: Span;
}

export type Val = IRExpr | ParamSetVal;

export const isParamSet = (v: Val): v is ParamSetVal => v.kind === 'paramSet';
