/**
 * A failure while training, in the user's words: the expression that failed (from the compiled
 * node's span, compiler/lower/located.ts) rendered with its source line, the update that was running
 * it as a note, and one line for the manifest. A failure no node names (an optimizer's kernel) is
 * named by its update rule alone.
 */
import { type Diagnostic, error } from '../../dsl/diagnostic.js';
import { formatSpan, type Span } from '../../dsl/span.js';
import { causeIn, nodeFailureIn } from '../../compiler/lower/located.js';
import type { LoweredRule } from '../../compiler/lower/types.js';

/** A run-time failure at a place in the program (an expression, or an update when no expression is named). */
export const RUNTIME_FAILURE = 'E0701';

export class RuleFailure extends Error {
  constructor(
    readonly span: Span,
    readonly lossName: string | undefined,
    cause: unknown,
  ) {
    super(`the update at ${formatSpan(span)}${lossName !== undefined ? ` (on loss ${lossName})` : ''} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * Runs a rule's step so that a failure inside it names the rule's place in the program (and, through
 * the node that failed, the expression's).
 */
export const locatedIn = <T,>(r: LoweredRule, f: () => T): T => {
  try {
    return f();
  } catch (e) {
    throw new RuleFailure(r.ir.span, r.ir.lossName, e);
  }
};

/** A report's values failed to evaluate after `step` updates (the record's step, not the last one counted). */
export class ReportFailure extends Error {
  constructor(
    readonly step: number,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

export interface TrainingFailure {
  /** The update count it failed at (a report's failure: the count it reported after). */
  readonly step: number;
  /** For the manifest's `error` and the last line printed. */
  readonly line: string;
  /** The expression that failed, to render with its source line; absent when no node named it. */
  readonly diagnostic?: Diagnostic;
}

export const trainingFailure = (e: unknown, lastStep: number): TrainingFailure => {
  const message = e instanceof Error ? e.message : String(e);
  const step = causeIn(e, (x): x is ReportFailure => x instanceof ReportFailure)?.step ?? lastStep;
  const node = nodeFailureIn(e);
  if (node === undefined) return { step, line: `training failed at step ${step}: ${message}` };
  const rule = causeIn(e, (x): x is RuleFailure => x instanceof RuleFailure);
  const update = rule === undefined ? '' : ` (in the update at ${formatSpan(rule.span)}${rule.lossName !== undefined ? ` on loss ${rule.lossName}` : ''})`;
  const diagnostic: Diagnostic = {
    ...error(RUNTIME_FAILURE, `${node.what} failed at step ${step}: ${node.reason}`, node.span),
    ...(rule !== undefined ? { related: [{ span: rule.span, message: `while running this update${rule.lossName !== undefined ? ` on loss ${rule.lossName}` : ''}` }] } : {}),
  };
  return { step, line: `training failed at step ${step}: ${node.what} at ${formatSpan(node.span)} failed${update}: ${node.reason}`, diagnostic };
};
