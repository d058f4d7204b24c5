/** Static shape helpers shared by layers and functions. */
import type { Dim, Shape } from '../types.js';

export const showShape = (s: readonly Dim[]): string => `[${s.join(', ')}]`;

export const product = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Two dimensions may meet: equal, or at least one only known at run time (a symbol such as `B`). */
export const dimsMeet = (a: Dim, b: Dim): boolean => a === b || typeof a === 'string' || typeof b === 'string';

export const shapesMeet = (a: Shape, b: Shape): boolean =>
  a.length === b.length && a.every((d, i) => dimsMeet(d, b[i] ?? d));

/** The size of a shape: a number when every dimension is known, else a symbolic product. */
export const sizeOf = (s: Shape): Dim =>
  s.every((d): d is number => typeof d === 'number')
    ? product(s)
    : s.length === 0
      ? 1
      : s.filter((d) => d !== 1).join('*');
