/**
 * What a clumsy program gets refused at check time instead of failing (or "training") at run
 * time: an empty file, a batch of 0, a parameter too large to allocate.
 */
import type { Program } from '../../dsl/ast.js';
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import { childrenOf, type Spanned } from '../../dsl/limits.js';
import type { Span } from '../../dsl/span.js';
import { Codes } from '../codes.js';

/**
 * 2^28 elements (1 GiB of float32) per parameter: past it a tensor cannot be allocated on most
 * machines, and TensorFlow.js would fail at the first step with an opaque message.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 28;

const batchOf = (n: Spanned): { readonly value: number; readonly span: Span } | undefined => {
  if (n.kind !== 'Run' && n.kind !== 'Over') return undefined;
  const b = (n as { readonly batch?: unknown }).batch;
  return typeof b === 'object' && b !== null && 'value' in b && typeof b.value === 'number' && 'span' in b ? (b as { value: number; span: Span }) : undefined;
};

export const checkInputLimits = (
  program: Program,
  params: Iterable<{ readonly path: string; readonly shape: readonly number[]; readonly span: Span }>,
  diags: Diagnostic[],
): void => {
  if (program.decls.length === 0) {
    diags.push(error(Codes.emptyProgram, 'the program is empty: it declares nothing to check or train', program.span, 'a program declares data, parameters, a loss, an update rule and a run'));
    return;
  }
  // Every `batch N` (in `run` and in `over`): an explicit stack, since trees can be deep.
  const stack: Spanned[] = [...program.decls];
  while (stack.length > 0) {
    const n = stack.pop() as Spanned;
    const b = batchOf(n);
    if (b !== undefined && !(Number.isInteger(b.value) && b.value >= 1)) {
      diags.push(error(Codes.badBatch, `a batch of ${b.value} examples: a batch is a whole number of at least 1`, b.span));
    }
    for (const [c] of childrenOf(n)) stack.push(c);
  }
  for (const p of params) {
    const elements = p.shape.reduce((a, b) => a * b, 1);
    if (elements > MAX_TENSOR_ELEMENTS) {
      diags.push(
        error(Codes.tensorTooLarge, `parameter '${p.path}' has ${elements.toLocaleString('en-US')} elements; xreg allows at most ${MAX_TENSOR_ELEMENTS.toLocaleString('en-US')} (2^28, 1 GiB of float32) per tensor`, p.span),
      );
    }
  }
};
