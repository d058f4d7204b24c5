/**
 * Differentiable bilinear resampling: out[b, i, j] = img[b, sy, sx] interpolated between the four
 * surrounding pixels, zero outside the image. The corner indices come from floor() (no gradient);
 * the weights are the fractional parts, so the output is differentiable in the coordinates.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Row and column index grids, each [1, H, W]. */
export const pixelGrid = (h: number, w: number): { readonly rows: tf.Tensor; readonly cols: tf.Tensor } => {
  const rows = tf.tile(tf.reshape(tf.range(0, h, 1, 'float32'), [1, h, 1]), [1, 1, w]);
  const cols = tf.tile(tf.reshape(tf.range(0, w, 1, 'float32'), [1, 1, w]), [1, h, 1]);
  return { rows, cols };
};

/**
 * The same values with no link to the gradient tape (tfjs-core has no stopGradient op). The
 * corner indices must not descend from the differentiated parameters: tfjs requires a float32
 * gradient for every input on the path, and gather's int32 indices cannot have one.
 */
export const detach = (t: tf.Tensor): tf.Tensor => {
  const engine = tf.engine();
  const copy = engine.makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
  // The copy shares t's buffer, so the buffer needs one more reference (as reshape's kernels do).
  engine.backend.incRef(t.dataId);
  return copy;
};

/** `img` [B, H, W, C]; `sx`, `sy` [B, H, W] source columns and rows (in pixels) of each output pixel. */
export const bilinearSample = (img: tf.Tensor4D, sx: tf.Tensor, sy: tf.Tensor): tf.Tensor4D => {
  const [b, h, w, c] = img.shape;
  const flat = tf.reshape(img, [b * h * w, c]);
  // Index arithmetic stays int32: a plain JS number operand would promote it to float32.
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
