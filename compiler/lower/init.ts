/** Fresh parameters from their initializers, each seeded by (run seed, path). */
import { tf } from '../../stdlib/tf.js';
import { retractToSphere } from '../../stdlib/geometry/index.js';
import type { IRParam } from '../ir.js';
import { paramSeed } from './seeds.js';
import { tfSeed } from '../../stdlib/random/tf-seed.js';

const draw = (p: IRParam, seed: number): tf.Tensor => {
  const shape = [...p.shape];
  const init = p.init;
  switch (init.kind) {
    case 'zeros':
      return tf.zeros(shape);
    case 'ones':
      return tf.ones(shape);
    case 'constant':
      return tf.fill(shape, init.value);
    case 'normal':
      return tf.randomNormal(shape, init.mean, init.std, 'float32', tfSeed(seed));
    case 'uniform':
      return tf.randomUniform(shape, init.low, init.high, 'float32', tfSeed(seed));
    case 'glorot': {
      const limit = Math.sqrt(6 / Math.max(1, init.fanIn + init.fanOut));
      return tf.randomUniform(shape, -limit, limit, 'float32', tfSeed(seed));
    }
    case 'he':
      return tf.randomNormal(shape, 0, Math.sqrt(2 / Math.max(1, init.fanIn)), 'float32', tfSeed(seed));
  }
};

export const initParam = (p: IRParam, seed: number): tf.Tensor =>
  tf.tidy(() => {
    const t = draw(p, paramSeed(seed, p.path));
    return p.onSphere ? (retractToSphere([t])[0] ?? t) : t;
  });
