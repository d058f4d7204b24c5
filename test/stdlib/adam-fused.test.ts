/**
 * Adam's fused update (stdlib/optimizers/adam-fused.ts) runs on cpu and on wasm; the float64
 * reference tests in optimizers.test.ts check it on cpu. Here: wasm (our SIMD function on the
 * backend's heap) gives the same numbers as cpu (its float32 JavaScript twin) bit for bit, with
 * weight decay both ways; a step leaks no tensor on wasm (its outputs live in the wasm heap); the
 * SIMD function equals the twin on every length (vector part and scalar tail), non-finite values
 * included; and each new parameter's finiteness is recorded for the divergence watch.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { adam, adamw } from '../../stdlib/optimizers/index.js';
import { ADAM_KERNEL, fusedAdamAvailable, wasmAdam } from '../../stdlib/optimizers/adam-fused.js';
import { adamChunkWasm, adamF32, CHUNK_BLOCK_BYTES, scalarOrder, type AdamScalars } from '../../stdlib/optimizers/adam-f32.js';
import { knownFinite } from '../../stdlib/optimizers/finite-known.js';
import { floatsOf, heapBuffer, kernelsOn, offsetOf, type WasmHeapBackend } from '../../stdlib/wasm/heap.js';
import type { OptimizerDef } from '../../stdlib/types.js';
import { cpuForThisFile, values } from './helpers/setup.js';

const run = (opt: OptimizerDef, options: Record<string, number>, steps: number): number[][] => {
  let params = [tf.tensor(Float32Array.from(values(300, 1)), [30, 10]), tf.tensor(Float32Array.from(values(7, 2)))];
  let state = opt.init(params, { lr: 0.01, ...options });
  for (let k = 0; k < steps; k++) {
    const grads = [tf.tensor(Float32Array.from(values(300, 10 + k)), [30, 10]), tf.tensor(Float32Array.from(values(7, 50 + k)))];
    const r = opt.step(params, grads, state, 0.01, { lr: 0.01, ...options });
    for (const t of [...params, ...grads, ...Object.values(state.slots).flat()]) t.dispose();
    params = [...r.params];
    state = r.state;
  }
  const out = [...params, ...Object.values(state.slots).flat()].map((t) => Array.from(t.dataSync()));
  for (const t of [...params, ...Object.values(state.slots).flat()]) t.dispose();
  return out;
};

describe('fused Adam update', () => {
  cpuForThisFile();

  it('wasm equals cpu bit for bit (adam with coupled decay, adamw decoupled), and leaks nothing', async () => {
    const cases: [OptimizerDef, Record<string, number>][] = [
      [adam, { weight_decay: 0.05, beta1: 0.8 }],
      [adamw, { weight_decay: 0.1 }],
    ];
    const cpu = cases.map(([o, opts]) => run(o, opts, 12));
    expect(await tf.setBackend('wasm')).toBe(true);
    const before = tf.memory().numTensors;
    const wasm = cases.map(([o, opts]) => run(o, opts, 12));
    expect(tf.memory().numTensors).toBe(before);
    await tf.setBackend('cpu');
    expect(wasm).toEqual(cpu);
    // The parameters moved: agreement is not that of two untouched copies.
    expect(cpu[0]![0]![0]).not.toBeCloseTo(values(300, 1)[0]!, 4);
  });

  const scalars: AdamScalars = { b1: 0.8, ob1: 1 - 0.8, b2: 0.99, ob2: 1 - 0.99, eps: 1e-6, stepSize: 0.01 / (1 - 0.8 ** 3), bc2Sqrt: Math.sqrt(1 - 0.99 ** 3), coupled: 0.05, shrink: 0.999 };

  it('the SIMD function equals its float32 JavaScript twin bit for bit on every length, and flags non-finite results', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    try {
      const b = tf.backend() as unknown as WasmHeapBackend & { disposeData: (id: object) => void };
      const simd = wasmAdam(b);
      // The SIMD path must really run here: a module that failed to build would fall back silently.
      expect(simd).toBeTypeOf('function');
      for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 1003]) {
        for (const poison of [undefined, 0, n - 1]) {
          const g = Float32Array.from(values(n, n + 3));
          if (poison !== undefined) g[poison] = poison === 0 ? Infinity : NaN;
          const ins = [Float32Array.from(values(n, n)), g, Float32Array.from(values(n, n + 5)), Float32Array.from(values(n, n + 9)).map(Math.abs)];
          const tensors = ins.map((x) => tf.tensor(x));
          const outs = [0, 1, 2].map(() => b.makeOutput([n], 'float32'));
          const bad = simd?.(...[...tensors, ...outs].map((t) => offsetOf(b, t)), n, ...scalarOrder.map((k) => scalars[k]));
          const twin = [new Float32Array(n), new Float32Array(n), new Float32Array(n)] as const;
          const [p0, g0, m0, v0] = ins as [Float32Array, Float32Array, Float32Array, Float32Array];
          const twinBad = adamF32(scalars, p0, g0, m0, v0, ...twin);
          const got = outs.map((t) => Array.from(floatsOf(b, t)));
          expect(got).toEqual(twin.map((x) => Array.from(x)));
          expect(bad).toBe(poison === undefined ? 0 : 1);
          expect(twinBad).toBe(poison !== undefined);
          tensors.forEach((t) => t.dispose());
          outs.forEach((t) => b.disposeData(t.dataId));
        }
      }
    } finally {
      await tf.setBackend('cpu');
    }
  });

  it('the chunk function (for the threads) equals the twin chunk by chunk, reads its scalars from the heap and raises its flag', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    try {
      const b = tf.backend() as unknown as WasmHeapBackend & { disposeData: (id: object) => void; wasm: { _malloc: (n: number) => number; _free: (p: number) => void } };
      const chunk = kernelsOn(b, 'adam_chunk_test', () => [adamChunkWasm()])?.['adam_chunk'];
      expect(chunk).toBeTypeOf('function');
      const n = 1003;
      const per = 96;
      for (const poison of [undefined, 500]) {
        const g = Float32Array.from(values(n, 4));
        if (poison !== undefined) g[poison] = NaN;
        const ins = [Float32Array.from(values(n, 1)), g, Float32Array.from(values(n, 6)), Float32Array.from(values(n, 8)).map(Math.abs)];
        const tensors = ins.map((x) => tf.tensor(x));
        const outs = [0, 1, 2].map(() => b.makeOutput([n], 'float32'));
        const block = b.wasm._malloc(CHUNK_BLOCK_BYTES);
        const heap = heapBuffer(b);
        if (heap === undefined) throw new Error('no heap');
        new Float32Array(heap, block, scalarOrder.length).set(scalarOrder.map((k) => scalars[k]));
        const flag = new Int32Array(heap, block + 4 * scalarOrder.length, 1);
        flag[0] = 0;
        const ptrs = [...tensors, ...outs].map((t) => offsetOf(b, t));
        // Chunks out of order, as threads would take them.
        for (const k of [3, 0, 10, 7, 1, 2, 4, 5, 6, 9, 8])
          (chunk as (...a: number[]) => void)(...ptrs.map((p) => p + 4 * k * per), Math.min(per, n - k * per), block, block + 4 * scalarOrder.length);
        const twin = [new Float32Array(n), new Float32Array(n), new Float32Array(n)] as const;
        const [p0, g0, m0, v0] = ins as [Float32Array, Float32Array, Float32Array, Float32Array];
        adamF32(scalars, p0, g0, m0, v0, ...twin);
        expect(outs.map((t) => Array.from(floatsOf(b, t)))).toEqual(twin.map((x) => Array.from(x)));
        expect(new Int32Array(heapBuffer(b) ?? new ArrayBuffer(0), block + 4 * scalarOrder.length, 1)[0]).toBe(poison === undefined ? 0 : 1);
        b.wasm._free(block);
        tensors.forEach((t) => t.dispose());
        outs.forEach((t) => b.disposeData(t.dataId));
      }
    } finally {
      await tf.setBackend('cpu');
    }
  });

  it("records whether each new parameter is finite, on cpu and on wasm", async () => {
    for (const backend of ['cpu', 'wasm']) {
      expect(await tf.setBackend(backend)).toBe(true);
      expect(fusedAdamAvailable()).toBe(true);
      const attrs = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, lr: 0.1, stepSize: 1, bc2Sqrt: 0.04 };
      const p = tf.tensor(Float32Array.from(values(9, 1)));
      const zeros = tf.zeros([9]);
      const finite = tf.tensor(Float32Array.from(values(9, 2)));
      const poisoned = tf.tensor(Float32Array.from(values(9, 3)).map((x, i) => (i === 8 ? Infinity : x)));
      const [ok, ...okRest] = tf.engine().runKernel(ADAM_KERNEL, { p, g: finite, m: zeros, v: zeros }, { ...attrs }) as tf.Tensor[];
      const [notOk, ...notOkRest] = tf.engine().runKernel(ADAM_KERNEL, { p, g: poisoned, m: zeros, v: zeros }, { ...attrs }) as tf.Tensor[];
      expect(knownFinite(ok!.dataId)).toBe(true);
      expect(knownFinite(notOk!.dataId)).toBe(false);
      // What the record says is what the values are.
      expect(Array.from(notOk!.dataSync()).every(Number.isFinite)).toBe(false);
      expect(Array.from(ok!.dataSync()).every(Number.isFinite)).toBe(true);
      // Tensors no kernel recorded are unknown (the watch reads them).
      expect(knownFinite(p.dataId)).toBeUndefined();
      tf.dispose([p, zeros, finite, poisoned, ok!, notOk!, ...okRest, ...notOkRest]);
    }
    await tf.setBackend('cpu');
  });
});
