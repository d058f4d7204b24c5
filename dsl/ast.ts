/**
 * The abstract syntax of `.xreg` programs: the contract between the parser and the compiler.
 * Every node carries the span of the source text it came from, so that any later stage
 * can report a problem at the exact place that caused it.
 */
import type { Span } from './span.js';

export interface Node {
  readonly span: Span;
}

export interface Identifier extends Node {
  readonly kind: 'Identifier';
  readonly name: string;
}

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

export type Expr =
  | NumberLit
  | StringLit
  | BoolLit
  | ListExpr
  | NameRef
  | CallExpr
  | MemberExpr
  | UnaryExpr
  | BinaryExpr
  | PipeExpr
  | OverExpr
  | MeanExpr
  | DeterministicExpr
  | ErrorExpr;

export interface NumberLit extends Node {
  readonly kind: 'Number';
  readonly value: number;
  /** The literal as written, so `1/3` stays printable and `512` is known to be an integer. */
  readonly text: string;
  readonly isInteger: boolean;
}

export interface StringLit extends Node {
  readonly kind: 'String';
  readonly value: string;
}

export interface BoolLit extends Node {
  readonly kind: 'Bool';
  readonly value: boolean;
}

export interface ListExpr extends Node {
  readonly kind: 'List';
  readonly items: readonly Expr[];
}

export interface NameRef extends Node {
  readonly kind: 'Name';
  readonly name: string;
}

/** A positional or named (`lr: 0.01`) argument. */
export interface Argument extends Node {
  readonly name?: Identifier;
  readonly value: Expr;
}

export interface CallExpr extends Node {
  readonly kind: 'Call';
  readonly callee: Expr;
  readonly args: readonly Argument[];
}

/** `net.block3.noise`: a path into a model's parameters, or a field of a record. */
export interface MemberExpr extends Node {
  readonly kind: 'Member';
  readonly object: Expr;
  readonly property: Identifier;
}

export type UnaryOp = '-' | '+';

export interface UnaryExpr extends Node {
  readonly kind: 'Unary';
  readonly op: UnaryOp;
  readonly operand: Expr;
}

/** `@` is the matrix product; `^` is the power (right-associative). */
export type BinaryOp = '+' | '-' | '*' | '/' | '@' | '^';

export interface BinaryExpr extends Node {
  readonly kind: 'Binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

/**
 * `a |> f |> g(k)`: stages applied left to right. In a `model` body the first stage is the
 * input value; in a `layer` body every stage is a layer and the input is implicit.
 */
export interface PipeExpr extends Node {
  readonly kind: 'Pipe';
  readonly stages: readonly Expr[];
}

/** `e over reg batch 512`: the expectation of `e` over a split, estimated on mini-batches. */
export interface OverExpr extends Node {
  readonly kind: 'Over';
  readonly body: Expr;
  readonly split: Identifier;
  readonly batch?: NumberLit;
}

/** `mean[K] e`: the average of K independent draws of the randomness in `e`. */
export interface MeanExpr extends Node {
  readonly kind: 'Mean';
  readonly samples: Expr;
  readonly body: Expr;
}

/** `deterministic e`: `e` with every stochastic layer switched off. */
export interface DeterministicExpr extends Node {
  readonly kind: 'Deterministic';
  readonly body: Expr;
}

/** Stands in for an expression the parser could not read, so that later stages still run. */
export interface ErrorExpr extends Node {
  readonly kind: 'ErrorExpr';
}

// ---------------------------------------------------------------------------------------------
// Types of declared parameters
// ---------------------------------------------------------------------------------------------

/** A dimension is a literal size or a symbolic one (`B`, `n`). */
export type Dim = { readonly kind: 'Fixed'; readonly size: number; readonly span: Span } | {
  readonly kind: 'Symbolic';
  readonly name: string;
  readonly span: Span;
};

export type TypeExpr =
  | { readonly kind: 'ScalarType'; readonly span: Span }
  | { readonly kind: 'TensorType'; readonly dims: readonly Dim[]; readonly span: Span };

// ---------------------------------------------------------------------------------------------
// Schedules and geometry of update rules
// ---------------------------------------------------------------------------------------------

export type TimeUnit = 'steps' | 'epochs';

export interface Duration extends Node {
  readonly amount: NumberLit;
  readonly unit: TimeUnit;
}

export type UpdateClause =
  | { readonly kind: 'Every'; readonly every: Duration; readonly span: Span }
  | { readonly kind: 'From'; readonly at: Duration; readonly span: Span }
  | { readonly kind: 'Until'; readonly at: Duration; readonly span: Span }
  | { readonly kind: 'Batch'; readonly size: NumberLit; readonly span: Span }
  | { readonly kind: 'Along'; readonly direction: Expr; readonly span: Span }
  | { readonly kind: 'OrthogonalTo'; readonly direction: Expr; readonly span: Span }
  /** `allow reg`: the program says that a θ rule on the regularization split is meant. */
  | { readonly kind: 'Allow'; readonly what: Identifier; readonly span: Span }
  /**
   * `through fit`: differentiate the loss through the minimizer of `fit` (implicit function
   * theorem); `through fit for K steps`: through K gradient steps on `fit` (unrolled); options in
   * parentheses configure either (`through fit(solver: "neumann")`, `through fit(order: 1) for 1 step`).
   */
  | { readonly kind: 'Through'; readonly loss: Identifier; readonly options?: readonly Argument[]; readonly steps?: Duration; readonly span: Span };

// ---------------------------------------------------------------------------------------------
// Declarations
// ---------------------------------------------------------------------------------------------

export type Decl =
  | ImportDecl
  | PluginDecl
  | LetDecl
  | SeedDecl
  | DataDecl
  | SplitDecl
  | ParamDecl
  | FnDecl
  | LayerDecl
  | ModelDecl
  | LossDecl
  | MetricDecl
  | UpdateDecl
  | FreezeDecl
  | PartitionDecl
  | RunDecl
  | ReportDecl
  | FigureDecl
  | PhaseDecl
  | SweepDecl
  | EnsembleDecl
  | PopulationDecl
  | EveryDecl;

/** `import "lib/blocks.xreg"` or `import "lib/blocks.xreg" as blocks`. */
export interface ImportDecl extends Node {
  readonly kind: 'Import';
  readonly path: StringLit;
  readonly alias?: Identifier;
}

/**
 * `plugin "./orth.js"` or `plugin "xreg-orth"`: a module whose entries join the standard library
 * for this program (loaded before it is compiled; the compiler itself never sees the declaration).
 */
export interface PluginDecl extends Node {
  readonly kind: 'Plugin';
  readonly path: StringLit;
}

/** `let lr = 0.01`: a named constant, overridable from the command line with `--set lr=0.1`. */
export interface LetDecl extends Node {
  readonly kind: 'Let';
  readonly name: Identifier;
  readonly value: Expr;
}

/** `seed 42`: the seed of every random draw of the run. */
export interface SeedDecl extends Node {
  readonly kind: 'Seed';
  readonly value: NumberLit;
}

/** `data d = csv("data/diabetes.csv", target: "y") |> standardize`. */
export interface DataDecl extends Node {
  readonly kind: 'Data';
  readonly name: Identifier;
  readonly source: Expr;
}

/**
 * One split of a `split` declaration: `train: 0.8`, optionally growing,
 * `train: 0.8 grow from 0.2 until epoch 100` (use 20% of it until epoch 100, then all of it).
 */
export interface SplitEntry extends Node {
  readonly name: Identifier;
  readonly fraction: Expr;
  readonly grow?: { readonly from: Expr; readonly until: Duration; readonly span: Span };
}

/** `split d { train: 1/3, reg: 1/3, test: 1/3 } seed 0`. */
export interface SplitDecl extends Node {
  readonly kind: 'Split';
  readonly data: Identifier;
  readonly entries: readonly SplitEntry[];
  readonly seed?: NumberLit;
}

/**
 * `param theta : Tensor[100] ~ normal(0, 1) on sphere`, `param rho : Scalar = 1`.
 * `hyper` (inside `population`) declares the same thing, in the population's hyper-parameter partition.
 */
export interface ParamDecl extends Node {
  readonly kind: 'Param';
  readonly hyper: boolean;
  readonly name: Identifier;
  readonly type: TypeExpr;
  readonly init?: { readonly kind: 'Value' | 'Sample'; readonly expr: Expr; readonly span: Span };
  readonly onSphere: boolean;
  readonly frozen: boolean;
}

export interface FnDecl extends Node {
  readonly kind: 'Fn';
  readonly name: Identifier;
  readonly params: readonly Identifier[];
  readonly body: Expr;
}

/** `layer block(n) = dense(n) |> layer_norm(affine: false) |> noise(init: -3) |> relu`. */
export interface LayerDecl extends Node {
  readonly kind: 'Layer';
  readonly name: Identifier;
  readonly params: readonly Identifier[];
  readonly body: Expr;
}

/** `model net(x) = x |> flatten |> block(512) |> dense(10)`. */
export interface ModelDecl extends Node {
  readonly kind: 'Model';
  readonly name: Identifier;
  readonly input: Identifier;
  readonly body: Expr;
}

/** `loss fit = mse(predict(x), y) over train batch 512`. The `over` lives in the expression. */
export interface LossDecl extends Node {
  readonly kind: 'Loss';
  readonly name: Identifier;
  readonly body: Expr;
}

/** `metric acc = accuracy(deterministic net(x), y) over test`: observed, never optimized. */
export interface MetricDecl extends Node {
  readonly kind: 'Metric';
  readonly name: Identifier;
  readonly body: Expr;
}

/** `update noise_scales(net) by adam(lr: 0.1) on gen every 30 steps`. */
export interface UpdateDecl extends Node {
  readonly kind: 'Update';
  /** A selector: a parameter name, `params(net) - noise_scales(net)`, a partition name. */
  readonly target: Expr;
  /** The optimizer: `sgd(lr: 0.01, momentum: 0.9)` or a bare name `adam`. */
  readonly optimizer: Expr;
  /** The loss: a loss name or an inline expression. */
  readonly loss: Expr;
  readonly clauses: readonly UpdateClause[];
}

/** `freeze params(backbone)`: these parameters are never updated and need no partition. */
export interface FreezeDecl extends Node {
  readonly kind: 'Freeze';
  readonly target: Expr;
}

/** `partition rho = noise_scales(net)`: names a group of parameters. */
export interface PartitionDecl extends Node {
  readonly kind: 'Partition';
  readonly name: Identifier;
  readonly target: Expr;
}

/** `run 6000 steps` or `run 2000 epochs batch 512`, optionally `on divergence continue`. */
export interface RunDecl extends Node {
  readonly kind: 'Run';
  readonly length: Duration;
  readonly batch?: NumberLit;
  /**
   * `on divergence continue` / `on divergence stop`: what a non-finite loss or parameter does to the
   * run. Both words are plain names here (the compiler checks them, E0244), so neither is reserved.
   */
  readonly on?: { readonly event: Identifier; readonly action: Identifier; readonly span: Span };
}

/** One reported value: a name, or `test_mse = mse(predict(x), y) over test`. */
export interface ReportItem extends Node {
  readonly name: Identifier;
  readonly value?: Expr;
}

/** `report every 100 steps: rho, fit, gen, test_mse = ...` (the unit defaults to steps). */
export interface ReportDecl extends Node {
  readonly kind: 'Report';
  readonly every: Duration;
  readonly items: readonly ReportItem[];
}

/** `figure norms = lines(rho, gen)`: a picture drawn from the logged values. */
export interface FigureDecl extends Node {
  readonly kind: 'Figure';
  readonly name: Identifier;
  readonly body: Expr;
}

/** `phase fit for 100 epochs { ... } then phase calibrate for 10 epochs { ... }`. */
export interface PhaseDecl extends Node {
  readonly kind: 'Phase';
  readonly name: Identifier;
  readonly length?: Duration;
  readonly body: readonly Decl[];
}

/** `sweep lam in logspace(-3, 1, 1000) { ... } select lowest gen`. */
export interface SweepDecl extends Node {
  readonly kind: 'Sweep';
  readonly variable: Identifier;
  readonly values: Expr;
  readonly body: readonly Decl[];
  readonly select?: SweepSelect;
}

/** `select lowest gen`, or `select best 5 by lowest gen as top` (the k best; `top(e)` their average). */
export interface SweepSelect {
  readonly direction: 'lowest' | 'highest';
  readonly metric: Identifier;
  readonly span: Span;
  readonly best?: NumberLit;
  readonly alias?: Identifier;
}

/** `ensemble 5 as members { ... }`: N independently seeded copies of the body. */
export interface EnsembleDecl extends Node {
  readonly kind: 'Ensemble';
  readonly size: NumberLit;
  readonly alias?: Identifier;
  readonly body: readonly Decl[];
}

/** `population 20 { hyper ...; update ... }`: Population Based Training members. */
export interface PopulationDecl extends Node {
  readonly kind: 'Population';
  readonly size: NumberLit;
  readonly body: readonly Decl[];
}

export type PopulationAction =
  /** `exploit truncation(0.2) by highest acc over reg` (the direction is required by the compiler, E0520) */
  | { readonly kind: 'Exploit'; readonly strategy: Expr; readonly direction?: 'lowest' | 'highest'; readonly by: Expr; readonly span: Span }
  /** `explore perturb(0.8, 1.2)` */
  | { readonly kind: 'Explore'; readonly strategy: Expr; readonly span: Span };

/** `every 1 epoch: exploit truncation(0.2) by highest acc over reg, explore perturb(0.8, 1.2)`. */
export interface EveryDecl extends Node {
  readonly kind: 'EveryDecl';
  readonly every: Duration;
  readonly actions: readonly PopulationAction[];
}

export interface Program extends Node {
  readonly kind: 'Program';
  readonly file: string;
  readonly decls: readonly Decl[];
}
