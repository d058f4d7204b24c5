/** Axis domains and tick values computed here, so that log axes carry only powers of ten. */

export interface LogAxis {
  readonly domain: readonly [number, number];
  readonly ticks: readonly number[];
}

const pow10 = (k: number): number => Number(`1e${k}`);

// Loops rather than Math.min(...xs): a long run has more values than the argument limit.
export const minOf = (xs: readonly number[]): number => xs.reduce((a, b) => (b < a ? b : a), Infinity);
export const maxOf = (xs: readonly number[]): number => xs.reduce((a, b) => (b > a ? b : a), -Infinity);

/**
 * The decades that enclose the positive values, with a tick on every power of ten (every second
 * or third one when there are many, so labels do not crowd). Undefined when no value is positive.
 */
export const logAxis = (values: readonly number[], maxTicks = 8): LogAxis | undefined => {
  const pos = values.filter((v) => Number.isFinite(v) && v > 0);
  if (pos.length === 0) return undefined;
  const lo = Math.floor(Math.log10(minOf(pos)) + 1e-9);
  let hi = Math.ceil(Math.log10(maxOf(pos)) - 1e-9);
  if (hi === lo) hi = lo + 1;
  const decades = hi - lo;
  const stride = Math.max(1, Math.ceil((decades + 1) / maxTicks));
  const ticks: number[] = [];
  for (let k = lo; k <= hi; k += stride) ticks.push(pow10(k));
  return { domain: [pow10(lo), pow10(hi)], ticks };
};

/** A log axis reads better when the values are positive and span at least two decades. */
export const prefersLog = (values: readonly number[]): boolean => {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0 || finite.some((v) => v <= 0)) return false;
  return maxOf(finite) / minOf(finite) >= 100;
};

/** Vega expression for tick labels: plain numbers near 1, `1e-5` style far from it. */
export const logLabelExpr = "abs(log(datum.value) / LN10) >= 4 ? format(datum.value, '.0e') : format(datum.value, '~g')";
