/**
 * Our kernels on tfjs-backend-wasm's own heap: the module's `WebAssembly.Memory` found on the
 * backend, each tensor's byte offset in it, and a module of ours instantiated against that memory
 * (once per backend instance). Anything not as expected answers undefined, and the caller keeps its
 * JavaScript path: these kernels are a speed-up, never a requirement.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { assemble, type WasmFunction } from './assemble.js';
import { CONTROL_BYTES, startPool, type KernelPool } from './workers.js';

/** The engine's WebAssembly API, as far as we use it (the project compiles without DOM types). */
interface Memory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
type Exports = Readonly<Record<string, unknown>>;
interface WasmApi {
  readonly Memory: abstract new (...args: never[]) => Memory;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Exports };
}
const wasmApi = (globalThis as unknown as { readonly WebAssembly: WasmApi }).WebAssembly;

interface EmscriptenLike {
  readonly _malloc?: (bytes: number) => number;
  readonly wasmMemory?: unknown;
  readonly asm?: { readonly memory?: unknown };
}

export interface WasmHeapBackend {
  readonly wasm: EmscriptenLike;
  readonly dataIdMap: { get: (id: object) => { memoryOffset?: number | null } | undefined };
  readonly makeOutput: (shape: number[], dtype: 'float32') => TensorInfo;
  readonly typedArrayFromHeap: (t: TensorInfo) => unknown;
}

export const isWasmHeapBackend = (b: unknown): b is WasmHeapBackend => {
  const w = b as Partial<WasmHeapBackend>;
  return (
    typeof w.makeOutput === 'function' &&
    typeof w.typedArrayFromHeap === 'function' &&
    typeof w.wasm === 'object' &&
    w.wasm !== null &&
    typeof w.dataIdMap?.get === 'function'
  );
};

/**
 * A float32 tensor's values as a view of the heap, for the JavaScript paths beside our functions.
 * Take views after making every output: making one may grow the heap and detach earlier views.
 */
export const floatsOf = (b: WasmHeapBackend, t: TensorInfo): Float32Array => {
  const v = b.typedArrayFromHeap(t);
  if (!(v instanceof Float32Array)) throw new Error('internal error: a kernel of ours needs float32 tensors');
  return v;
};

/** The backend's memory: the threaded build creates it in JavaScript, the single-threaded one exports it. */
const memoryOf = (b: WasmHeapBackend): Memory | undefined => {
  const m = b.wasm.wasmMemory ?? b.wasm.asm?.memory;
  return m instanceof wasmApi.Memory ? m : undefined;
};

/** The heap's bytes as they are now (growing the heap replaces them: take it after every allocation). */
export const heapBuffer = (b: WasmHeapBackend): ArrayBuffer | SharedArrayBuffer | undefined => memoryOf(b)?.buffer;

/** Byte offset of a tensor's values in the heap. */
export const offsetOf = (b: WasmHeapBackend, t: TensorInfo): number => {
  const off = b.dataIdMap.get(t.dataId)?.memoryOffset;
  if (typeof off !== 'number') throw new Error('internal error: a wasm tensor has no place in the heap');
  return off;
};

const isShared = (m: Memory): m is Memory & { readonly buffer: SharedArrayBuffer } =>
  typeof SharedArrayBuffer !== 'undefined' && m.buffer instanceof SharedArrayBuffer;

/** `make()` once per backend and key, the answer (undefined included) kept with the backend. */
const perBackend = <A>(cache: WeakMap<object, Map<string, A | undefined>>, b: WasmHeapBackend, key: string, make: () => A | undefined): A | undefined => {
  let known = cache.get(b);
  if (known === undefined) {
    known = new Map();
    cache.set(b, known);
  }
  if (!known.has(key)) known.set(key, make());
  return known.get(key);
};

const instances = new WeakMap<object, Map<string, Exports | undefined>>();

/**
 * The exports of `functions` (named together by `key`) on backend `b`'s heap; undefined where they
 * cannot run there (no memory found, no SIMD in this engine, a memory that refuses the import).
 */
export const kernelsOn = (b: WasmHeapBackend, key: string, functions: () => readonly WasmFunction[]): Exports | undefined =>
  perBackend(instances, b, key, () => {
    const memory = memoryOf(b);
    if (memory === undefined) return undefined;
    try {
      const bytes = assemble({ module: 'env', name: 'memory', shared: isShared(memory) }, functions());
      return new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } }).exports;
    } catch {
      return undefined;
    }
  });

const pools = new WeakMap<object, Map<string, KernelPool | undefined>>();

/**
 * A pool of `threads` threads (this one and workers) running `fn` on backend `b`'s heap, once per
 * backend and key; undefined where the heap is not shared (the single-threaded binary) or the
 * module cannot run.
 */
const poolOn = (b: WasmHeapBackend, key: string, fn: () => WasmFunction, threads: number): KernelPool | undefined =>
  perBackend(pools, b, key, () => {
    const memory = memoryOf(b);
    const f = fn();
    const here = kernelsOn(b, key, () => [f])?.[f.name];
    const malloc = b.wasm._malloc;
    if (threads <= 1 || memory === undefined || !isShared(memory) || typeof here !== 'function' || malloc === undefined) return undefined;
    try {
      return startPool(memory, malloc(CONTROL_BYTES), f, threads, here as (...args: number[]) => void);
    } catch {
      return undefined;
    }
  });

/**
 * Threads our kernels are split over (XREG_WASM_THREADS, set when the threaded binary started: only
 * its heap can be shared with our workers). XNNPACK's own pool stays at one thread then: it split
 * every small elementwise operation of a step too, and waking its threads cost more than they saved
 * (an MLP step's Add 0.09 → 0.4–0.9 ms, Multiply 0.13 → 0.3–0.5; bench/README.md).
 */
let kernelThreads = 1;
export const setKernelThreads = (n: number): void => {
  kernelThreads = Math.max(1, Math.floor(n));
};

/** The pool for `key` where threads are set and the call is `worthSplitting`; otherwise undefined (run it here). */
export const splitPool = (b: WasmHeapBackend, key: string, fn: () => WasmFunction, worthSplitting: boolean): KernelPool | undefined =>
  kernelThreads > 1 && worthSplitting ? poolOn(b, key, fn, kernelThreads) : undefined;
