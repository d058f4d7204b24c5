/**
 * Run-time failures located in the program. Every compiled node that runs an operation of its own
 * catches a failure of that operation and names its expression's span, the way JAX attaches source
 * information to each equation: a shape a plugin's rule lied about, a kernel error, a product whose
 * symbolic inner dimension met another size at run time. The span comes from the IR, so the runtime
 * never reaches back into the source tree; it renders the span with the source line.
 *
 * Only the node's own operation is inside the `try`, after its children ran: a child's failure is
 * already a `NodeFailure` and passes through untouched, so the innermost expression is the one named.
 */
import type { Span } from '../../dsl/span.js';
import type { tf } from '../../stdlib/tf.js';
import type { IRExpr } from '../ir.js';

export class NodeFailure extends Error {
  constructor(
    /** The expression whose own operation failed. */
    readonly span: Span,
    /** The expression in the user's words, with the shapes it met (`the product '@' of shapes [10, 5] and [4]`). */
    readonly what: string,
    /** Why it failed (the library's or the plugin's message). */
    readonly reason: string,
    cause: unknown,
  ) {
    super(`${what} failed: ${reason}`, { cause });
  }
}

export const shapeText = (t: tf.Tensor): string => `[${t.shape.join(', ')}]`;

/** `[3, 4] and [4]`, `[3, 4], [4] and []`. */
export const shapesText = (ts: readonly tf.Tensor[]): string => {
  const s = ts.map(shapeText);
  return s.length <= 1 ? (s[0] ?? 'no arguments') : `${s.slice(0, -1).join(', ')} and ${s.at(-1) ?? ''}`;
};

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * `f()` with a failure named at `span`. `what` is only built when it fails (it reads the shapes of
 * the inputs), so the step pays for a `try` and nothing else.
 */
export const at = <T,>(span: Span, what: () => string, f: () => T): T => {
  try {
    return f();
  } catch (e) {
    if (e instanceof NodeFailure) throw e;
    throw new NodeFailure(span, what(), reasonOf(e), e);
  }
};

/** The nearest error in `e`'s chain of causes that `is` accepts (the runtime wraps failures per rule). */
export const causeIn = <C,>(e: unknown, is: (x: unknown) => x is C): C | undefined => {
  for (let x: unknown = e, depth = 0; x !== undefined && depth < 16; depth++) {
    if (is(x)) return x;
    x = x instanceof Error ? x.cause : undefined;
  }
  return undefined;
};

export const nodeFailureIn = (e: unknown): NodeFailure | undefined => causeIn(e, (x): x is NodeFailure => x instanceof NodeFailure);

const OP_WORDS: Readonly<Record<string, string>> = {
  '@': "the product '@'",
  '+': "the sum '+'",
  '-': "the difference '-'",
  '*': "the product '*'",
  '/': "the quotient '/'",
  '^': "the power '^'",
};

export const opWords = (op: string): string => OP_WORDS[op] ?? `'${op}'`;

/** An expression in the program's words, without shapes (for "the first value that is not finite"). */
export const nodeWords = (e: IRExpr): string => {
  switch (e.kind) {
    case 'const':
      return 'a constant';
    case 'field':
      return `the data field ${e.field} of ${e.split}`;
    case 'param':
      return `the parameter ${e.path}`;
    case 'appliedGrad':
      return `applied_grad(${e.path})`;
    case 'flatParams':
      return "the flattened parameters 'flat(…)'";
    case 'sweepVar':
      return `the sweep variable ${e.name}`;
    case 'call':
      return `the call ${e.fn}(…)`;
    case 'stateful':
      return `the call ${e.fn}(…)`;
    case 'layer':
      return `the layer ${e.layer}`;
    case 'binary':
      return opWords(e.op);
    case 'neg':
      return 'the negation';
    case 'reshape':
      return 'the model applied to one example';
    case 'mean':
      return `the average mean[${e.samples}]`;
    case 'deterministic':
      return "the value under 'deterministic'";
    case 'over':
      return `the expectation over ${e.split}`;
    case 'ref':
      return `the ${e.ref} ${e.name}`;
    case 'mixup':
      return "the value under 'mixup'";
    case 'lambdaMax':
      return "the curvature 'lambda_max(…)'";
    case 'members':
      return `the ensemble mean ${e.alias}(…)`;
  }
};
