// Thin typed wrappers that run registered wasm kernels directly on the backend,
// so our kernels compose native wasm kernels without re-entering the engine
// (nested engine ops would create tracked Tensors and tape entries).
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type Info = tf.TensorInfo;

/** Intermediates created by a composed kernel; freed together at the end. */
export class Scratch {
  private readonly owned: Info[] = [];
  constructor(readonly backend: BackendWasm) {}

  run(kernel: string, inputs: tf.NamedTensorInfoMap | Info[], attrs: tf.NamedAttrMap = {}): Info {
    const config = tf.getKernel(kernel, 'wasm');
    if (config === undefined) {
      throw new Error(`xreg wasm kernels: native wasm kernel ${kernel} is not registered`);
    }
    // Concat/AddN take their inputs as an array; the registry types them as a map.
    const out = config.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend: this.backend, attrs });
    if (Array.isArray(out)) {
      throw new Error(`xreg wasm kernels: ${kernel} returned several outputs`);
    }
    this.owned.push(out);
    return out;
  }

  /** Adopts a tensor made directly on the backend (e.g. by makeOutput). */
  own(t: Info): Info {
    this.owned.push(t);
    return t;
  }

  /** Frees every intermediate except `result` (which the engine takes over). */
  release(result: Info): Info {
    for (const t of this.owned) {
      if (t !== result) this.backend.disposeData(t.dataId);
    }
    this.owned.length = 0;
    return result;
  }

  /** Frees every intermediate after a failure, then rethrows. */
  abandon(err: unknown): never {
    for (const t of this.owned) this.backend.disposeData(t.dataId);
    this.owned.length = 0;
    throw err;
  }

  reshape(x: Info, shape: number[]): Info {
    return this.run('Reshape', { x }, { shape });
  }
  transpose(x: Info, perm: number[]): Info {
    return this.run('Transpose', { x }, { perm });
  }
  /** x with its last two axes swapped (a matrix, or a batch of them, transposed). */
  transposeLastTwo(x: Info): Info {
    return this.transpose(x, swapLastTwo(x.shape.length));
  }
  pad(x: Info, paddings: Array<[number, number]>): Info {
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }
  slice(x: Info, begin: number[], size: number[]): Info {
    return this.run('Slice', { x }, { begin, size });
  }
  stridedSlice(x: Info, begin: number[], end: number[], strides: number[]): Info {
    return this.run('StridedSlice', { x }, {
      begin, end, strides, beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
    });
  }
  matMul(a: Info, b: Info, transposeA: boolean, transposeB: boolean): Info {
    return this.run('BatchMatMul', { a, b }, { transposeA, transposeB });
  }
  mul(a: Info, b: Info): Info {
    return this.run('Multiply', { a, b });
  }
  sum(x: Info, axis: number[]): Info {
    return this.run('Sum', { x }, { axis, keepDims: false });
  }
  concat(xs: Info[], axis: number): Info {
    return this.run('Concat', xs, { axis });
  }
  reverse(x: Info, dims: number[]): Info {
    return this.run('Reverse', { x }, { dims });
  }
}

/** The permutation that swaps the last two of `rank` axes. */
export function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

export function asWasm(backend: {}): BackendWasm {
  return backend as BackendWasm;
}

/** Runs `body` with a scratch area, freeing intermediates on success and on failure. */
export function composed(backend: {}, body: (s: Scratch) => Info): Info {
  const s = new Scratch(asWasm(backend));
  let result: Info;
  try {
    result = body(s);
  } catch (err) {
    return s.abandon(err);
  }
  return s.release(result);
}

/** Pads with non-negative amounts and crops where an amount is negative. */
export function padOrCrop(s: Scratch, x: Info, amounts: Array<[number, number]>): Info {
  const padded = amounts.some(([lo, hi]) => lo > 0 || hi > 0)
    ? s.pad(x, amounts.map(([lo, hi]) => [Math.max(lo, 0), Math.max(hi, 0)]))
    : x;
  if (!amounts.some(([lo, hi]) => lo < 0 || hi < 0)) return padded;
  const begin = amounts.map(([lo]) => Math.max(-lo, 0));
  const size = padded.shape.map((d, i) => {
    const [lo, hi] = amounts[i] ?? [0, 0];
    return d - Math.max(-lo, 0) - Math.max(-hi, 0);
  });
  return s.slice(padded, begin, size);
}

/** A kernel of ours registered in place of `library`, keeping its setup and disposal (which bind the module's functions). */
export function replacing(library: tf.KernelConfig, kernelFunc: tf.KernelFunc): tf.KernelConfig {
  const config: tf.KernelConfig = { kernelName: library.kernelName, backendName: 'wasm', kernelFunc };
  if (library.setupFunc !== undefined) config.setupFunc = library.setupFunc;
  if (library.disposeFunc !== undefined) config.disposeFunc = library.disposeFunc;
  return config;
}
