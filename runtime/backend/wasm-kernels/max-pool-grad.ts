// The gradient of a max pool on wasm, ours in every case: tfjs-backend-wasm 4.22's MaxPoolGrad gives
// wrong gradients (against tfjs-backend-cpu and an independent loop: 2×2 pools of stride 2, padded
// pools, 3 channels; test/backend/max-pool-grad.test.ts), and took 61 ms for a [128, 28, 28, 32]
// input. Each window's first strict maximum (`pixel > max`, as tfjs-backend-cpu chooses it, so a
// window of NaN or -Infinity routes nothing) receives that window's dy.
// - Windows that do not overlap (stride = window, no padding: what `max_pool(size: k)` makes),
//   channels by 4: a SIMD function of ours on the heap, four channels at a time.
// - Any other pool: a JavaScript loop over the heap (windows clipped to the input, overlapping
//   windows' contributions added).
import * as tf from '@tensorflow/tfjs-core';
import { replacing } from './wasm-ops.js';
import { forLoop, I, type Code, type WasmFunction } from '../../../stdlib/wasm/assemble.js';
import { floatsOf, isWasmHeapBackend, kernelsOn, offsetOf } from '../../../stdlib/wasm/heap.js';

// Parameters: x, dy, dx (byte offsets); B, H, W, C; OH, OW; FH, FW.
const [PX, PDY, PDX, B, H, W, C, OH, OW, FH, FW] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
// Locals: loop indices, bytes per pixel and per row, the window's corner, an address, the position
// counter, the offset into dy; then the running maximum, its position, a value, a mask, dy, -∞.
const [IB, IOY, IOX, CB, WY, WX, PIX, ROW, CORNER, ADDR, POS_N, DYOFF] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
const [MAXV, POS, V, MASK, D, NINF, MINUS1] = [23, 24, 25, 26, 27, 28, 29];

/** Every position (wy, wx) of the window at CORNER + CB in the tensor at `base`, ADDR set, POS_N counting from 0. */
const overWindow = (base: number, body: readonly Code[]): Code[] => [
  I.i32(0), I.set(POS_N),
  ...forLoop(WY, [I.get(FH)], [I.i32(1)], forLoop(WX, [I.get(FW)], [I.i32(1)], [
    I.get(base), I.get(CORNER), I.i32Add, I.get(CB), I.i32Add,
    I.get(WY), I.get(ROW), I.i32Mul, I.i32Add, I.get(WX), I.get(PIX), I.i32Mul, I.i32Add, I.set(ADDR),
    ...body,
    I.get(POS_N), I.i32(1), I.i32Add, I.set(POS_N),
  ])),
];

export const maxPoolGradWasm = (): WasmFunction => ({
  name: 'max_pool_grad',
  params: Array<'i32'>(11).fill('i32'),
  results: [],
  locals: [...Array<'i32'>(12).fill('i32'), ...Array<'v128'>(7).fill('v128')],
  body: [
    I.get(C), I.i32(2), I.i32Shl, I.set(PIX),
    I.get(W), I.get(PIX), I.i32Mul, I.set(ROW),
    I.f32(-Infinity), I.f32x4Splat, I.set(NINF),
    I.i32(-1), I.i32x4Splat, I.set(MINUS1),
    // dx = 0 (inputs no window covers keep it)
    I.get(PDX), I.i32(0), I.get(B), I.get(H), I.i32Mul, I.get(ROW), I.i32Mul, I.memoryFill,
    ...forLoop(IB, [I.get(B)], [I.i32(1)], forLoop(IOY, [I.get(OH)], [I.i32(1)], forLoop(IOX, [I.get(OW)], [I.i32(1)], [
      // corner = ((b·H + oy·FH)·W + ox·FW)·C·4
      I.get(IB), I.get(H), I.i32Mul, I.get(IOY), I.get(FH), I.i32Mul, I.i32Add, I.get(W), I.i32Mul,
      I.get(IOX), I.get(FW), I.i32Mul, I.i32Add, I.get(PIX), I.i32Mul, I.set(CORNER),
      ...forLoop(CB, [I.get(PIX)], [I.i32(16)], [
        I.get(NINF), I.set(MAXV), I.get(MINUS1), I.set(POS),
        ...overWindow(PX, [
          I.get(ADDR), I.v128Load, I.set(V),
          I.get(V), I.get(MAXV), I.f32x4Gt, I.set(MASK),
          I.get(V), I.get(MAXV), I.get(MASK), I.v128Bitselect, I.set(MAXV),
          I.get(POS_N), I.i32x4Splat, I.get(POS), I.get(MASK), I.v128Bitselect, I.set(POS),
        ]),
        I.get(PDY), I.get(DYOFF), I.i32Add, I.v128Load, I.set(D),
        I.get(DYOFF), I.i32(16), I.i32Add, I.set(DYOFF),
        ...overWindow(PDX, [
          I.get(ADDR),
          I.get(D), I.get(D), I.get(D), I.v128Xor, I.get(POS), I.get(POS_N), I.i32x4Splat, I.i32x4Eq, I.v128Bitselect,
          I.v128Store,
        ]),
      ]),
    ]))),
  ],
});

type Grad = (...args: number[]) => void;

/** Whether our function computes this pool's gradient: windows that do not overlap, no padding, channels by 4. */
export const ownPoolGradFits = (info: tf.backend_util.Conv2DInfo): boolean => {
  const { top, left, bottom, right } = info.padInfo;
  return info.strideHeight === info.filterHeight && info.strideWidth === info.filterWidth && top === 0 && left === 0 && bottom === 0 && right === 0 && info.inChannels % 4 === 0;
};

/** dx of any 2-D max pool (NHWC float32 arrays), windows clipped to the input. */
export const maxPoolGradJs = (x: Float32Array, dy: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo): void => {
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  dx.fill(0);
  for (let b = 0; b < batchSize; b++)
    for (let oy = 0; oy < OH; oy++)
      for (let ox = 0; ox < OW; ox++)
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let at = -1;
          for (let wy = 0; wy < filterHeight; wy++) {
            const y = oy * strideHeight - top + wy;
            if (y < 0 || y >= H) continue;
            for (let wx = 0; wx < filterWidth; wx++) {
              const xx = ox * strideWidth - left + wx;
              if (xx < 0 || xx >= W) continue;
              const i = ((b * H + y) * W + xx) * C + c;
              const v = x[i] as number;
              if (v > best) {
                best = v;
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] = (dx[at] as number) + (dy[((b * OH + oy) * OW + ox) * C + c] as number);
        }
};

/** MaxPoolGrad on wasm: our SIMD function where the pool's windows do not overlap, our loop elsewhere; the library's kernel only for other types or backends. */
export function withOwnMaxPoolGrad(library: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, input } = inputs;
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
    if (dy === undefined || input === undefined || input.dtype !== 'float32' || !isWasmHeapBackend(backend)) return library.kernelFunc(args);
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const grad = ownPoolGradFits(info) ? (kernelsOn(backend, 'max_pool_grad', () => [maxPoolGradWasm()])?.['max_pool_grad'] as Grad | undefined) : undefined;
    const dx = backend.makeOutput(input.shape, 'float32');
    if (grad !== undefined) grad(offsetOf(backend, input), offsetOf(backend, dy), offsetOf(backend, dx), info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.filterHeight, info.filterWidth);
    else maxPoolGradJs(floatsOf(backend, input), floatsOf(backend, dy), floatsOf(backend, dx), info);
    return dx;
  };
  return replacing(library, kernelFunc);
}
