// Sum over leading axes (a bias's gradient: dy [batch, …, C] summed to [C]) as a SIMD function of
// ours on the wasm heap. tfjs-backend-wasm reduces the last axis only, so it first transposed the
// whole of dy (18 ms for the conv step's [128, 28, 28, 32]). Here rows are added in order, 32
// columns at a time held in registers (then 4 at a time), each output the sum from the first row
// down. Needs the inner size by 4; other sums keep the library's kernel.
import * as tf from '@tensorflow/tfjs-core';
import { replacing } from './wasm-ops.js';
import { forLoop, I, type Code, type WasmFunction } from '../../../stdlib/wasm/assemble.js';
import { isWasmHeapBackend, kernelsOn, offsetOf } from '../../../stdlib/wasm/heap.js';

// Parameters: x, out (byte offsets); R rows; C columns.
const [PX, PO, R, C] = [0, 1, 2, 3];
// Locals: row index, column block start (bytes), bytes per row, the row pointer, the end of the
// wide blocks; then 8 accumulators.
const [IR, CB, ROWB, P, WIDE] = [4, 5, 6, 7, 8];
const ACC = (k: number): number => 9 + k;

/** Sums of `lanes` vectors per row from column block CB. */
const block = (lanes: number): Code[] => [
  ...Array.from({ length: lanes }, (_, k) => [I.get(ACC(k)), I.get(ACC(k)), I.v128Xor, I.set(ACC(k))]).flat(),
  I.get(PX), I.get(CB), I.i32Add, I.set(P),
  ...forLoop(IR, [I.get(R)], [I.i32(1)], [
    ...Array.from({ length: lanes }, (_, k) => [I.get(ACC(k)), I.get(P), I.v128LoadAt(16 * k), I.f32x4Add, I.set(ACC(k))]).flat(),
    I.get(P), I.get(ROWB), I.i32Add, I.set(P),
  ]),
  ...Array.from({ length: lanes }, (_, k) => [I.get(PO), I.get(CB), I.i32Add, I.get(ACC(k)), I.v128StoreAt(16 * k)]).flat(),
];

export const sumRowsWasm = (): WasmFunction => ({
  name: 'sum_rows',
  params: ['i32', 'i32', 'i32', 'i32'],
  results: [],
  locals: [...Array<'i32'>(5).fill('i32'), ...Array<'v128'>(8).fill('v128')],
  body: [
    I.get(C), I.i32(2), I.i32Shl, I.set(ROWB),
    // wide blocks of 32 columns (128 bytes) up to ROWB rounded down, then blocks of 4
    I.get(ROWB), I.i32(-128), I.i32And, I.set(WIDE),
    I.i32(0), I.set(CB),
    I.block, I.loop, I.get(CB), I.get(WIDE), I.i32GeU, I.brIf(1), ...block(8), I.get(CB), I.i32(128), I.i32Add, I.set(CB), I.br(0), I.end, I.end,
    I.block, I.loop, I.get(CB), I.get(ROWB), I.i32GeU, I.brIf(1), ...block(1), I.get(CB), I.i32(16), I.i32Add, I.set(CB), I.br(0), I.end, I.end,
  ],
});

type SumRows = (px: number, po: number, rows: number, cols: number) => void;

/** Rows and columns when `axes` are the leading axes of `shape` (float32, columns by 4), else undefined. */
export const leadingSum = (shape: readonly number[], axes: readonly number[]): { rows: number; cols: number } | undefined => {
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  if (sorted.length === 0 || sorted.length === shape.length || sorted.some((a, i) => a !== i)) return undefined;
  const rows = shape.slice(0, sorted.length).reduce((a, b) => a * b, 1);
  const cols = shape.slice(sorted.length).reduce((a, b) => a * b, 1);
  return cols % 4 === 0 && rows > 0 && cols > 0 ? { rows, cols } : undefined;
};

/** Sum with our function in front of the library's where it reduces leading axes. */
export function withOwnSum(library: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs;
    const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
    if (x === undefined || x.dtype !== 'float32' || !isWasmHeapBackend(backend)) return library.kernelFunc(args);
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const plan = leadingSum(x.shape, axes);
    const sum = plan !== undefined ? (kernelsOn(backend, 'sum_rows', () => [sumRowsWasm()])?.['sum_rows'] as SumRows | undefined) : undefined;
    if (plan === undefined || sum === undefined) return library.kernelFunc(args);
    const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    const out = backend.makeOutput(outShape, 'float32');
    sum(offsetOf(backend, x), offsetOf(backend, out), plan.rows, plan.cols);
    return out;
  };
  return replacing(library, kernelFunc);
}
