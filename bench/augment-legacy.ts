// The augmentation layers as of commit 56ab187 (three gather-based resamplings with logical masks,
// one gather per corner), kept only so that bench/augment-step.ts can time before and after in
// the same process under the same load. Not used by xreg.
import * as tf from '@tensorflow/tfjs-core';

const detach = (t: tf.Tensor): tf.Tensor => {
  const engine = tf.engine();
  const copy = engine.makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
  engine.backend.incRef(t.dataId);
  return copy;
};

const bilinearSample = (img: tf.Tensor4D, sx: tf.Tensor, sy: tf.Tensor): tf.Tensor4D => {
  const [b, h, w, c] = img.shape;
  const flat = tf.reshape(img, [b * h * w, c]);
  const batchOffset = tf.reshape(tf.mul(tf.range(0, b, 1, 'int32'), tf.scalar(h * w, 'int32')), [b, 1, 1]);
  const x0 = tf.floor(detach(sx));
  const y0 = tf.floor(detach(sy));
  const fx = tf.sub(sx, x0);
  const fy = tf.sub(sy, y0);
  const corner = (dy: number, dx: number, weight: tf.Tensor): tf.Tensor => {
    const xi = tf.add(x0, dx);
    const yi = tf.add(y0, dy);
    const inside = tf.cast(
      tf.logicalAnd(
        tf.logicalAnd(tf.greaterEqual(xi, 0), tf.lessEqual(xi, w - 1)),
        tf.logicalAnd(tf.greaterEqual(yi, 0), tf.lessEqual(yi, h - 1)),
      ),
      'float32',
    );
    const xc = tf.cast(tf.clipByValue(xi, 0, w - 1), 'int32');
    const yc = tf.cast(tf.clipByValue(yi, 0, h - 1), 'int32');
    const idx = tf.reshape(tf.add(batchOffset, tf.add(tf.mul(yc, tf.scalar(w, 'int32')), xc)), [-1]);
    const values = tf.reshape(tf.gather(flat, idx), [b, h, w, c]);
    return tf.mul(values, tf.expandDims(tf.mul(weight, inside), -1));
  };
  const gx = tf.sub(1, fx);
  const gy = tf.sub(1, fy);
  return tf.addN([
    corner(0, 0, tf.mul(gy, gx)),
    corner(0, 1, tf.mul(gy, fx)),
    corner(1, 0, tf.mul(fy, gx)),
    corner(1, 1, tf.mul(fy, fx)),
  ]) as tf.Tensor4D;
};

interface Grid {
  readonly rows: tf.Tensor;
  readonly cols: tf.Tensor;
  readonly cy: number;
  readonly cx: number;
}
type Warp = (g: Grid, amount: (k: number) => tf.Tensor) => { readonly sx: tf.Tensor; readonly sy: tf.Tensor };

const legacyLayer =
  (draws: number, warp: Warp) =>
  (magnitude: tf.Tensor, x: tf.Tensor, seed: number): tf.Tensor =>
    tf.tidy(() => {
      const [b = 1, h = 1, w = 1] = x.shape;
      const c = x.rank === 4 ? (x.shape[3] ?? 1) : 1;
      const u = tf.randomUniform([b, draws, 1, 1], -1, 1, 'float32', seed);
      const alphaU = tf.mul(magnitude, u);
      const amount = (k: number): tf.Tensor => tf.reshape(tf.slice(alphaU, [0, k, 0, 0], [-1, 1, -1, -1]), [b, 1, 1]);
      const rows = tf.tile(tf.reshape(tf.range(0, h, 1, 'float32'), [1, h, 1]), [1, 1, w]);
      const cols = tf.tile(tf.reshape(tf.range(0, w, 1, 'float32'), [1, 1, w]), [1, h, 1]);
      const { sx, sy } = warp({ rows, cols, cy: (h - 1) / 2, cx: (w - 1) / 2 }, amount);
      return tf.reshape(bilinearSample(tf.reshape(x, [b, h, w, c]) as tf.Tensor4D, sx, sy), x.shape);
    });

export const legacyTranslate = legacyLayer(2, (g, amount) => ({
  sx: tf.sub(g.cols, amount(0)),
  sy: tf.sub(g.rows, amount(1)),
}));

export const legacyRotate = legacyLayer(1, (g, amount) => {
  const theta = tf.mul(amount(0), Math.PI / 180);
  const cos = tf.cos(theta);
  const sin = tf.sin(theta);
  const xr = tf.sub(g.cols, g.cx);
  const yr = tf.sub(g.rows, g.cy);
  return {
    sx: tf.add(tf.add(tf.mul(cos, xr), tf.mul(sin, yr)), g.cx),
    sy: tf.add(tf.sub(tf.mul(cos, yr), tf.mul(sin, xr)), g.cy),
  };
});

export const legacyShear = legacyLayer(1, (g, amount) => ({
  sx: tf.add(g.cols, tf.mul(amount(0), tf.sub(g.rows, g.cy))),
  sy: g.rows,
}));
