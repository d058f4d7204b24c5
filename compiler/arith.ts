/** Arithmetic on numbers known before training: `let` values, constant arguments, per-member options. */
import type { BinaryOp } from './ir.js';

/** `a op b`, or undefined for an operator that is not arithmetic on numbers (`@`). */
export const arith = (op: BinaryOp, a: number, b: number): number | undefined => {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '^':
      return a ** b;
    default:
      return undefined;
  }
};
