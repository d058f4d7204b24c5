/**
 * Bilinear sampling in float64 with zero outside an h × w grid: the independent reference for the
 * resampler and the augmentation layers. `pixel(x, y)` reads the grid inside its bounds.
 */
export const bilinear = (pixel: (x: number, y: number) => number, h: number, w: number, sx: number, sy: number): number => {
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  let s = 0;
  for (const [dy, dx] of [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ] as const) {
    const xi = x0 + dx;
    const yi = y0 + dy;
    if (xi < 0 || xi >= w || yi < 0 || yi >= h) continue;
    const wx = dx === 1 ? sx - x0 : 1 - (sx - x0);
    const wy = dy === 1 ? sy - y0 : 1 - (sy - y0);
    s += wx * wy * pixel(xi, yi);
  }
  return s;
};
