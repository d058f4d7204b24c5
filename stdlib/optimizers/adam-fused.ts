/**
 * Adam's update of one parameter as one kernel on the backends whose tensors live in JavaScript-
 * reachable memory (cpu: arrays; wasm: the module's heap): one pass over p, g, m and v writing the
 * new p, m and v, instead of 13 separate operations (each a kernel dispatch and a pass over memory;
 * 16% of the MLP step). The arithmetic is adam.ts's, in float64 with one rounding per stored value,
 * so it is at least as close to the float64 reference as the op-by-op float32 path. Other backends
 * (native TensorFlow, WebGPU) keep the op path.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from '../tf.js';

export const ADAM_KERNEL = 'XregAdamUpdate';

export interface AdamKernelAttrs {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Coupled (added to g) or decoupled (p scaled by 1 − lr·λ) weight decay λ; 0 for none. */
  readonly weightDecay: number;
  readonly decoupled: boolean;
  readonly lr: number;
  /** η / (1 − β₁ᵏ) and √(1 − β₂ᵏ), computed once per step in float64. */
  readonly stepSize: number;
  readonly bc2Sqrt: number;
}

/** What the kernel needs of a backend: read a float32 tensor's values, make a float32 output to write. */
interface Memory {
  readonly read: (t: TensorInfo) => Float32Array;
  readonly output: (shape: number[]) => TensorInfo;
}

interface CpuLike {
  readonly data: { get: (id: unknown) => { values?: unknown } };
  readonly makeTensorInfo: (shape: number[], dtype: 'float32', values: Float32Array) => TensorInfo;
}
interface WasmLike {
  readonly typedArrayFromHeap: (t: TensorInfo) => unknown;
  readonly makeOutput: (shape: number[], dtype: 'float32') => TensorInfo;
}

const isCpu = (b: unknown): b is CpuLike => typeof (b as Partial<CpuLike>).makeTensorInfo === 'function' && typeof (b as Partial<CpuLike>).data?.get === 'function';
const isWasm = (b: unknown): b is WasmLike => typeof (b as Partial<WasmLike>).typedArrayFromHeap === 'function' && typeof (b as Partial<WasmLike>).makeOutput === 'function';

const floats = (x: unknown, what: string): Float32Array => {
  if (!(x instanceof Float32Array)) throw new Error(`internal error: the fused Adam update needs float32 ${what}`);
  return x;
};

const memoryOf = (backendName: string, backend: unknown): Memory => {
  if (backendName === 'wasm' && isWasm(backend)) {
    return {
      read: (t) => floats(backend.typedArrayFromHeap(t), 'tensors'),
      output: (shape) => backend.makeOutput(shape, 'float32'),
    };
  }
  if (isCpu(backend)) {
    return {
      read: (t) => floats(backend.data.get(t.dataId).values, 'tensors'),
      output: (shape) => backend.makeTensorInfo(shape, 'float32', new Float32Array(shape.reduce((a, b) => a * b, 1))),
    };
  }
  throw new Error(`internal error: the fused Adam update has no access to the ${backendName} backend's memory`);
};

const kernel =
  (backendName: string): KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const { p, g, m, v } = inputs as Record<'p' | 'g' | 'm' | 'v', TensorInfo>;
    const a = attrs as unknown as AdamKernelAttrs;
    const mem = memoryOf(backendName, backend);
    // Outputs first: on wasm, allocating may grow the heap and detach earlier views.
    const [po, mo, vo] = [mem.output(p.shape), mem.output(p.shape), mem.output(p.shape)];
    const [P, M, V] = [mem.read(po), mem.read(mo), mem.read(vo)];
    const [p0, g0, m0, v0] = [mem.read(p), mem.read(g), mem.read(m), mem.read(v)];
    const coupled = !a.decoupled && a.weightDecay !== 0 ? a.weightDecay : 0;
    const shrink = a.decoupled && a.weightDecay !== 0 ? 1 - a.lr * a.weightDecay : 1;
    const { beta1: b1, beta2: b2, eps, stepSize, bc2Sqrt } = a;
    for (let i = 0; i < P.length; i++) {
      const pi = p0[i] as number;
      const gi = (g0[i] as number) + coupled * pi;
      const mi = b1 * (m0[i] as number) + (1 - b1) * gi;
      const vi = b2 * (v0[i] as number) + (1 - b2) * gi * gi;
      M[i] = mi;
      V[i] = vi;
      P[i] = pi * shrink - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
    }
    return [po, mo, vo];
  };

const FUSED_BACKENDS = ['cpu', 'wasm'] as const;
let registered = false;

/** Whether the active backend runs the fused update (registering it on first use: `xreg check` loads no tfjs). */
export const fusedAdamAvailable = (): boolean => {
  if (!registered) {
    for (const b of FUSED_BACKENDS) if (tf.getKernel(ADAM_KERNEL, b) === undefined) tf.registerKernel({ kernelName: ADAM_KERNEL, backendName: b, kernelFunc: kernel(b) });
    registered = true;
  }
  return (FUSED_BACKENDS as readonly string[]).includes(tf.getBackend());
};
