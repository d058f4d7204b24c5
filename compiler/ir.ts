/**
 * The intermediate representation: what the front half of the compiler (names, shapes,
 * partitions, checks) hands to lowering (IR → TensorFlow.js step functions) and to `xreg explain`.
 *
 * Design notes for the consumer:
 * - Everything is resolved: no names to look up except registry entry names (`fn`, `layer`,
 *   `optimizer`, `loader`), parameter paths, split names and loss/metric names (which are also
 *   inlined, so a consumer never needs to chase a reference).
 * - Every expression node carries its full shape. The batch dimension is the symbolic dim `'B'`;
 *   other strings are data dimensions not known until load time (a CSV's width `F`).
 * - Constant arguments (`dense(256)`, `lr: 0.01`) are already evaluated, `--set` overrides applied.
 * - Layer nodes name the parameter path of each of the layer's leaf parameters, so lowering looks
 *   parameters up in the state by path and passes `{ w: ..., b: ... }` to `LayerDef.apply`.
 * - Plain data: no functions, no classes, so the IR can be printed, hashed and checkpointed.
 */
import type { Span } from '../dsl/span.js';
import type { ConstArgs, ConstValue, Init, ParamRole, Schema, Shape } from '../stdlib/types.js';

export type { ConstArgs, ConstValue, Init, ParamRole, Schema, Shape };

/** The symbolic batch dimension. */
export const BATCH = 'B';

export type TimeUnit = 'steps' | 'epochs';
export interface IRDuration {
  readonly n: number;
  readonly unit: TimeUnit;
}

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

/** Partition of a parameter: 'theta', 'rho', a named group, 'hyper' (population), or 'frozen'. */
export type PartitionName = string;

export interface IRParam {
  /** Hierarchical path: `theta`, `net.block3.noise.log_sigma`, `net.dense.b`. */
  readonly path: string;
  readonly shape: readonly number[];
  readonly init: Init;
  readonly role: ParamRole;
  readonly partition: PartitionName;
  /** Kept at unit norm: the runtime retracts it onto the sphere after each update. */
  readonly onSphere: boolean;
  /** Never updated (declared `frozen` or named by `freeze`). */
  readonly frozen: boolean;
  /** The declaration (free parameters) or the layer call that created it (model parameters). */
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

export interface IRSplit {
  readonly name: string;
  readonly fraction: number;
  /** Use only `from` (a fraction of this split) until `untilEpoch`, then all of it. */
  readonly grow?: { readonly from: number; readonly untilEpoch: number };
  /** Phase index in which the split comes into existence; -1 when declared at top level. */
  readonly phase: number;
}

export interface IRData {
  readonly name: string;
  readonly loader: string;
  readonly args: ConstArgs;
  readonly transforms: readonly { readonly name: string; readonly args: ConstArgs }[];
  /** Fields after every transform, from `LoaderDef.schema` / `TransformDef.schema` (no data read). */
  readonly schema: Schema;
  readonly splits: readonly IRSplit[];
  /** The seed of the split permutation. */
  readonly seed: number;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

export type BinaryOp = '+' | '-' | '*' | '/' | '@' | '^';

interface Base {
  /** Full shape of the value (batch included where there is one). */
  readonly shape: Shape;
  readonly span: Span;
}

export type IRExpr =
  /** A number or an array of numbers (shape gives the layout). */
  | (Base & { readonly kind: 'const'; readonly value: number | readonly number[] })
  /** Field of the current mini-batch of `split` (`x`, `y`), shape `[B, ...]`. */
  | (Base & { readonly kind: 'field'; readonly data: string; readonly split: string; readonly field: string })
  | (Base & { readonly kind: 'param'; readonly path: string })
  /**
   * `applied_grad(p)` in a report: the gradient the rule updating `p` applied at its last firing
   * (after `through`, geometry and the sphere projection, before the optimizer); zeros before it fires.
   */
  | (Base & {
      readonly kind: 'appliedGrad';
      readonly path: string;
      /**
       * `solver_residual(p)`: instead of the gradient, the relative residual ‖Hv − b‖/‖b‖ the
       * implicit solve of `p`'s rule (`through F`) left at its last firing; NaN before it.
       */
      readonly residual?: true;
    })
  /** All of `paths`, each flattened, concatenated in order (`flat(params(net))`); shape `[total]`. */
  | (Base & { readonly kind: 'flatParams'; readonly paths: readonly string[] })
  /** A runtime scalar bound by `sweep` (its value in the member being run). */
  | (Base & { readonly kind: 'sweepVar'; readonly name: string })
  /** A registry `FnDef` call: tensor arguments and constant options. */
  | (Base & {
      readonly kind: 'call';
      readonly fn: string;
      readonly args: readonly IRExpr[];
      readonly options: ConstArgs;
      /** Options that read a sweep variable (`options` holds the first member's values): see `IROptimizer`. */
      readonly sweepOptions?: Readonly<Record<string, IRExpr>>;
      readonly differentiable: boolean;
    })
  /**
   * A registry `LayerDef` applied to a batch `input` of shape `[B, ...perExample]`.
   * `params` maps the layer's leaf names (`w`, `log_sigma`) to parameter paths.
   */
  | (Base & {
      readonly kind: 'layer';
      readonly layer: string;
      readonly input: IRExpr;
      readonly params: Readonly<Record<string, string>>;
      readonly args: ConstArgs;
      /**
       * Arguments that read a sweep variable (`dropout(rate: r)`; `args` holds the first member's),
       * and the per-example input shape the layer's parameters are inferred from again per member.
       */
      readonly sweep?: { readonly args: Readonly<Record<string, IRExpr>>; readonly inShape: readonly number[] };
      readonly stochastic: boolean;
    })
  | (Base & { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: IRExpr; readonly right: IRExpr })
  | (Base & { readonly kind: 'neg'; readonly operand: IRExpr })
  /** A reshape inserted by the compiler (a model applied to an unbatched value gets a batch of one). */
  | (Base & { readonly kind: 'reshape'; readonly operand: IRExpr })
  /** Monte Carlo average of `samples` independent draws of the randomness in `body`. */
  | (Base & { readonly kind: 'mean'; readonly samples: number; readonly body: IRExpr })
  /** `body` with every stochastic layer switched off (ApplyContext.stochastic = false). */
  | (Base & { readonly kind: 'deterministic'; readonly body: IRExpr })
  /** A mini-batch estimate of the expectation of `body` over `split` (batch size `batch`). */
  | (Base & { readonly kind: 'over'; readonly data: string; readonly split: string; readonly batch: number; readonly body: IRExpr })
  /** A `StatefulFnDef` call; its state lives in the run state under `stateKey` (stable across runs). */
  | (Base & {
      readonly kind: 'stateful';
      readonly fn: string;
      readonly input: IRExpr;
      readonly options: ConstArgs;
      readonly sweepOptions?: Readonly<Record<string, IRExpr>>;
      readonly stateKey: string;
    })
  /**
   * A reference to another loss or metric, inlined as `body`. A metric reference is a constant
   * to every gradient (`stopGradient` true): metrics are observed, never optimized.
   */
  | (Base & {
      readonly kind: 'ref';
      readonly ref: 'loss' | 'metric';
      readonly name: string;
      readonly stopGradient: boolean;
      readonly body: IRExpr;
    })
  /**
   * `mixup(e, alpha: a)`: `body` evaluated on a batch whose examples are mixed pairwise with
   * λ ~ Beta(a, a): inputs x̃ = λx_i + (1 − λ)x_j, and every loss on labels averaged
   * λ·ℓ(y_i) + (1 − λ)·ℓ(y_j) (the label half is for lowering to realize).
   */
  | (Base & { readonly kind: 'mixup'; readonly alpha: number; readonly body: IRExpr })
  /**
   * `lambda_max(e, S, iterations: k)` in a metric or report: the largest eigenvalue of the Hessian
   * of the scalar `body` in the parameters `paths`, by `iterations` steps of power iteration on
   * Hessian-vector products (stdlib/curvature/hessian.ts). Observed only: never differentiated.
   */
  | (Base & { readonly kind: 'lambdaMax'; readonly body: IRExpr; readonly paths: readonly string[]; readonly iterations: number })
  /** `alias(e)` inside/after `ensemble N as alias`: the average of `body` over the members. */
  | (Base & { readonly kind: 'members'; readonly alias: string; readonly body: IRExpr });

// ---------------------------------------------------------------------------------------------
// Update rules
// ---------------------------------------------------------------------------------------------

export interface IRSchedule {
  /** Default: every 1 step. */
  readonly every: IRDuration;
  readonly from?: IRDuration;
  readonly until?: IRDuration;
}

export type IRGeometry =
  | { readonly kind: 'none' }
  /**
   * Move along / orthogonally to ∇direction (gradient of `direction` w.r.t. the rule's targets):
   * project the loss gradient onto u = ∇d/‖∇d‖ (along) or onto its complement (orthogonal).
   */
  | { readonly kind: 'along' | 'orthogonal'; readonly direction: IRExpr };

/**
 * An optimizer and its options. `sweepOptions` are the options whose value depends on a sweep
 * variable (`prox_sgd(l1: lam)` inside `sweep lam in …`): arithmetic over sweep variables and
 * constants only, evaluated per member at lowering (`compiler/lower/sweep-options.ts`).
 */
export interface IROptimizer {
  readonly name: string;
  readonly options: ConstArgs;
  readonly sweepOptions?: Readonly<Record<string, IRExpr>>;
}

/**
 * `through LOSS`: the rule's gradient is the total derivative of its loss through the minimizer of
 * LOSS over `inner` (the parameters other rules fit on LOSS), by the implicit function theorem:
 * ∇ρ − (∂²LOSS/∂ρ∂θ)ᵀ H⁻¹ ∇θ, with H the Hessian of LOSS in θ (solved by conjugate gradients).
 */
export interface IRImplicit {
  readonly lossName: string;
  readonly loss: IRExpr;
  readonly inner: readonly string[];
  readonly method: ThroughMethod;
  /** The learning rate of the rule fitting each of `inner` (the default unrolled step, Neumann scale). */
  readonly innerLr: readonly number[];
}

/**
 * How `through` differentiates (compiler/through.ts):
 * - `implicit` (`through fit`, `through fit(solver: "neumann", iterations: 20)`): at a minimizer of
 *   LOSS, H⁻¹ applied by conjugate gradients or a Neumann series; `iterations` caps CG's steps or
 *   counts the series' terms, `tolerance` stops either on the residual relative to ‖∇θ‖,
 *   `damping` solves (H + μI); `scale` is the series' step α (default: the θ rules' learning rate).
 * - `unrolled` (`through fit for K steps`): through K plain gradient steps θ ← θ − η∇θ LOSS from the
 *   current θ, η the θ rules' learning rate (`lr` overrides); `order` 2 differentiates through
 *   the steps (Hessian-vector products), 1 holds the stepped θ constant (DARTS' first order).
 */
export type ThroughMethod =
  | {
      readonly kind: 'implicit';
      readonly solver: 'cg' | 'neumann';
      readonly iterations?: number;
      readonly tolerance?: number;
      readonly damping: number;
      readonly scale?: number;
    }
  | { readonly kind: 'unrolled'; readonly steps: number; readonly order: 1 | 2; readonly lr?: number };

export interface IRRule {
  /** Stable name: `update1`, `update2`, ... in program order (phase rules: `fit.update1`). */
  readonly name: string;
  /** Parameter paths this rule differentiates with respect to and updates. */
  readonly targets: readonly string[];
  readonly partition: PartitionName;
  readonly optimizer: IROptimizer;
  readonly implicit?: IRImplicit;
  /** The loss name when the rule names one, else undefined (inline expression). */
  readonly lossName?: string;
  readonly loss: IRExpr;
  /** Every split the loss ranges over (including through referenced losses and metrics). */
  readonly splits: readonly string[];
  /** Batch size for every `over` in the loss that does not set its own. */
  readonly batch: number;
  readonly schedule: IRSchedule;
  readonly geometry: IRGeometry;
  /** `allow reg` was written. */
  readonly allowReg: boolean;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// Program
// ---------------------------------------------------------------------------------------------

export interface IRNamedExpr {
  readonly name: string;
  readonly expr: IRExpr;
  readonly span: Span;
}

export interface IRPhase {
  readonly name: string;
  /** Absent: the phase runs for the run's length. */
  readonly length?: IRDuration;
  readonly rules: readonly IRRule[];
}

export interface IRFigure {
  readonly name: string;
  /** `lines`, `scatter`, `reliability`. */
  readonly kind: string;
  readonly args: readonly IRExpr[];
  /** The names of the logged values when the arguments are plain names. */
  readonly series: readonly string[];
  readonly span: Span;
}

export interface IRSweep {
  /** The sweep variables, outermost first: nested sweeps are one grid. */
  readonly variables: readonly string[];
  /**
   * One entry per member, each variable's value: the product of the sweeps' values, the outermost
   * varying slowest (`sweep a in [1, 2] { sweep b in [3, 4] {…} }`: a1 b3, a1 b4, a2 b3, a2 b4).
   */
  readonly members: readonly Readonly<Record<string, number>>[];
  /** Rules, losses and metrics of the body; each member runs the program plus this body. */
  readonly body: IRBody;
  readonly select?: IRSelect;
}

/**
 * `select lowest M` keeps the best member; `select best K by lowest M as NAME` the K best, and
 * `after` holds the metrics that read `NAME(e)` (e averaged over those K members' parameters),
 * evaluated once, after every member has trained (`runtime/exec/top-k.ts`).
 */
export interface IRSelect {
  readonly direction: 'lowest' | 'highest';
  readonly metric: string;
  readonly best?: number;
  readonly alias?: string;
  readonly after?: readonly IRNamedExpr[];
}

export interface IREnsemble {
  readonly size: number;
  readonly alias?: string;
  readonly body: IRBody;
}

export interface IRPopulation {
  readonly size: number;
  /**
   * Paths of the population's hyper-parameters (partition 'hyper'): its `hyper` declarations and
   * the parameters a `freeze S` inside the population selects. No rule updates them; exploit copies
   * them and explore perturbs them. Each starts from its `IRParam.init` (a `hyper ... ~ dist` draw).
   */
  readonly hyper: readonly string[];
  readonly body: IRBody;
  readonly every?: IRDuration;
  /** `exploit truncation(f) by lowest|highest M`: the direction is the user's, never guessed from M's name. */
  readonly exploit?: { readonly strategy: string; readonly args: readonly number[]; readonly direction: 'lowest' | 'highest'; readonly by: IRExpr; readonly byName?: string };
  /** `explore perturb(f1, f2, min: a, max: b)`: factors, and bounds each perturbed value is clamped to. */
  readonly explore?: { readonly strategy: string; readonly args: readonly number[]; readonly min?: number; readonly max?: number };
}

export interface IRBody {
  readonly losses: readonly IRNamedExpr[];
  readonly metrics: readonly IRNamedExpr[];
  /** Rules that run in every phase (or for the whole run when there are no phases), in order. */
  readonly rules: readonly IRRule[];
}

export interface IRProgram extends IRBody {
  readonly file: string;
  readonly seed: number;
  readonly data: readonly IRData[];
  /** Every parameter, free and model-owned, sorted by path. */
  readonly params: readonly IRParam[];
  /** Partition name → parameter paths (frozen parameters are in 'frozen'). */
  readonly partitions: Readonly<Record<string, readonly string[]>>;
  /**
   * `onDivergence`: `run … on divergence continue|stop`. Absent: one model stops at its first
   * non-finite loss or parameter, while a sweep or population goes on with its other members;
   * `continue` goes on in every case (as `--allow-divergence`), `stop` ends any run there.
   */
  readonly run: { readonly length: IRDuration; readonly batch: number; readonly onDivergence?: 'continue' | 'stop' };
  readonly report?: { readonly every: IRDuration; readonly items: readonly IRNamedExpr[] };
  readonly figures: readonly IRFigure[];
  readonly phases: readonly IRPhase[];
  readonly sweep?: IRSweep;
  readonly ensemble?: IREnsemble;
  readonly population?: IRPopulation;
}

const LEAVES = new Set<IRExpr['kind']>(['const', 'field', 'param', 'appliedGrad', 'flatParams', 'sweepVar']);
type Leaf = Extract<IRExpr, { readonly kind: 'const' | 'field' | 'param' | 'appliedGrad' | 'flatParams' | 'sweepVar' }>;

/** A node without children. */
export const isLeaf = (e: IRExpr): e is Leaf => LEAVES.has(e.kind);

/** Every child of a node, for walkers. */
export const children = (e: IRExpr): readonly IRExpr[] => {
  if (isLeaf(e)) return [];
  switch (e.kind) {
    case 'call':
      return e.args;
    case 'layer':
      return [e.input];
    case 'binary':
      return [e.left, e.right];
    case 'neg':
    case 'reshape':
      return [e.operand];
    case 'mean':
    case 'deterministic':
    case 'over':
    case 'ref':
    case 'members':
    case 'mixup':
    case 'lambdaMax':
      return [e.body];
    case 'stateful':
      return [e.input];
  }
};
