/**
 * Adam's update of one parameter as one kernel on the backends whose tensors live in JavaScript-
 * reachable memory (cpu: arrays; wasm: the module's heap): one pass over p, g, m and v writing the
 * new p, m and v, instead of 13 separate operations (each a kernel dispatch and a pass over memory).
 * The arithmetic is float32, operation by operation in adam.ts's order (adam-f32.ts): on wasm a
 * SIMD function of ours on the backend's heap, on cpu its JavaScript twin, equal bit for bit. The
 * kernel also records whether the new parameter is finite (finite-known.ts), so the run's
 * divergence watch need not read it again. Other backends (native TensorFlow, WebGPU) keep the op
 * path.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from '../tf.js';
import { floatsOf, heapBuffer, isWasmHeapBackend, kernelsOn, offsetOf, splitPool, type WasmHeapBackend } from '../wasm/heap.js';
import { adamChunkWasm, adamF32, adamWasm, CHUNK_BLOCK_BYTES, scalarOrder, type AdamScalars } from './adam-f32.js';
import { recordFinite } from './finite-known.js';

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

interface CpuLike {
  readonly data: { get: (id: unknown) => { values?: unknown } };
  readonly makeTensorInfo: (shape: number[], dtype: 'float32', values: Float32Array) => TensorInfo;
}
const isCpu = (b: unknown): b is CpuLike => typeof (b as Partial<CpuLike>).makeTensorInfo === 'function' && typeof (b as Partial<CpuLike>).data?.get === 'function';

const floats = (x: unknown, what: string): Float32Array => {
  if (!(x instanceof Float32Array)) throw new Error(`internal error: the fused Adam update needs float32 ${what}`);
  return x;
};

const scalarsOf = (a: AdamKernelAttrs): AdamScalars => ({
  b1: a.beta1,
  ob1: 1 - a.beta1,
  b2: a.beta2,
  ob2: 1 - a.beta2,
  eps: a.eps,
  stepSize: a.stepSize,
  bc2Sqrt: a.bc2Sqrt,
  coupled: !a.decoupled && a.weightDecay !== 0 ? a.weightDecay : 0,
  shrink: a.decoupled && a.weightDecay !== 0 ? 1 - a.lr * a.weightDecay : 1,
});

type AdamExport = (...args: number[]) => number;

/** Our SIMD Adam on this backend's heap, or undefined (then the JavaScript twin runs on the same heap). */
export const wasmAdam = (b: WasmHeapBackend): AdamExport | undefined => {
  const f = kernelsOn(b, 'adam', () => [adamWasm()])?.['adam'];
  return typeof f === 'function' ? (f as AdamExport) : undefined;
};

/** Below this many values an update is not split over threads: waking a worker costs more than it saves. */
const SPLIT_VALUES = 1 << 16;
/** Values per chunk (a multiple of 4, the vector width): some 30 µs of work. */
const CHUNK_VALUES = 1 << 14;

let splitCount = 0;
/** Updates split over threads so far in this process (tests and benches observe which path ran). */
export const splitUpdates = (): number => splitCount;

/** Per backend: the heap block `adam_chunk` reads its scalars from and raises its flag in. */
const blocks = new WeakMap<object, number>();

/**
 * The update split over the kernel pool's threads in chunks of CHUNK_VALUES (each value's
 * arithmetic is the same on any thread: the bits do not change); whether some new p is not finite.
 * Undefined where there is no pool or the parameter is small: the caller runs it here.
 */
const splitAdam = (backend: WasmHeapBackend, ptrs: readonly number[], n: number, s: AdamScalars): boolean | undefined => {
  const pool = splitPool(backend, 'adam_chunk', adamChunkWasm, n >= SPLIT_VALUES);
  const malloc = backend.wasm._malloc;
  if (pool === undefined || malloc === undefined) return undefined;
  const block = blocks.get(backend) ?? malloc(CHUNK_BLOCK_BYTES);
  blocks.set(backend, block);
  const heap = heapBuffer(backend);
  if (heap === undefined) return undefined;
  const flag = block + 4 * scalarOrder.length;
  new Float32Array(heap, block, scalarOrder.length).set(scalarOrder.map((k) => s[k]));
  new Int32Array(heap, flag, 1)[0] = 0;
  splitCount++;
  pool.run({
    chunks: Math.ceil(n / CHUNK_VALUES),
    base: [...ptrs, CHUNK_VALUES, block, flag],
    step: [...ptrs.map(() => 4 * CHUNK_VALUES), 0, 0, 0],
    count: { at: 7, step: CHUNK_VALUES, total: n },
  });
  return new Int32Array(heap, flag, 1)[0] !== 0;
};

/** p', m', v' for (p, g, m, v) on a backend whose memory JavaScript reaches; whether p' is finite. */
const update = (backend: unknown, p: TensorInfo, g: TensorInfo, m: TensorInfo, v: TensorInfo, s: AdamScalars): { out: TensorInfo[]; bad: boolean } => {
  if (isWasmHeapBackend(backend)) {
    // Outputs first: allocating may grow the heap and detach earlier views.
    const out = [backend.makeOutput(p.shape, 'float32'), backend.makeOutput(p.shape, 'float32'), backend.makeOutput(p.shape, 'float32')];
    const simd = wasmAdam(backend);
    if (simd !== undefined) {
      const n = p.shape.reduce((x, y) => x * y, 1);
      const ptrs = [p, g, m, v, ...out].map((t) => offsetOf(backend, t));
      const split = splitAdam(backend, ptrs, n, s);
      return { out, bad: split ?? simd(...ptrs, n, ...scalarOrder.map((k) => s[k])) !== 0 };
    }
    const read = (t: TensorInfo): Float32Array => floatsOf(backend, t);
    const [P, M, V] = out.map(read) as [Float32Array, Float32Array, Float32Array];
    return { out, bad: adamF32(s, read(p), read(g), read(m), read(v), P, M, V) };
  }
  if (isCpu(backend)) {
    const read = (t: TensorInfo): Float32Array => floats(backend.data.get(t.dataId).values, 'tensors');
    const n = p.shape.reduce((x, y) => x * y, 1);
    const [P, M, V] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    const bad = adamF32(s, read(p), read(g), read(m), read(v), P, M, V);
    return { out: [P, M, V].map((x) => backend.makeTensorInfo(p.shape, 'float32', x)), bad };
  }
  throw new Error(`internal error: the fused Adam update has no access to this backend's memory`);
};

const kernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { p, g, m, v } = inputs as Record<'p' | 'g' | 'm' | 'v', TensorInfo>;
  const { out, bad } = update(backend, p, g, m, v, scalarsOf(attrs as unknown as AdamKernelAttrs));
  const [po] = out;
  if (po !== undefined) recordFinite(po.dataId, !bad);
  return out;
};

const FUSED_BACKENDS = ['cpu', 'wasm'] as const;
let registered = false;

/** Whether the active backend runs the fused update (registering it on first use: `xreg check` loads no tfjs). */
export const fusedAdamAvailable = (): boolean => {
  if (!registered) {
    for (const b of FUSED_BACKENDS) if (tf.getKernel(ADAM_KERNEL, b) === undefined) tf.registerKernel({ kernelName: ADAM_KERNEL, backendName: b, kernelFunc: kernel });
    registered = true;
  }
  return (FUSED_BACKENDS as readonly string[]).includes(tf.getBackend());
};
