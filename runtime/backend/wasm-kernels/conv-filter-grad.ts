// The filter gradient of a 2-D convolution as one SIMD function of ours on the wasm heap:
// dW[i, j, ci, co] = Σ over (b, y, x) of xp[b, y·sh + i·dh, x·sw + j·dw, ci] · dy[b, y, x, co],
// with xp the input padded so that every tap's window lies inside it. One pass over the output
// positions: each reads its row of dy once and adds x·dy into every tap's accumulators (dW itself,
// small enough to stay in cache), four output channels per instruction. The composed path
// (conv2d-backprop-filter.ts: a strided slice and a product per tap) spent most of its time in
// tfjs-backend-wasm's StridedSlice and in packing dy. Needs out channels by 4.
import { forLoop, I, type Code, type WasmFunction } from '../../../stdlib/wasm/assemble.js';

// Parameters: xp, dy, dW (byte offsets); B, OH, OW; HP, WP (padded input); CI, CO; KH, KW; SH, SW; DH, DW.
const [PX, PDY, PDW, B, OH, OW, HP, WP, CI, CO, KH, KW, SH, SW, DH, DW] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
// Locals: loop indices, dy's running pointer, the position's corner in xp, the tap's x address,
// the tap's accumulators, bytes per dy row; then the broadcast x.
const [IB, IY, IX, TI, TJ, CIX, COB, DYP, CORNER, XA, WA, DYROW] = [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27];
const XV = 28;

const inner: Code[] = [
  // x address of tap (i, j): corner + (i·dh·WP + j·dw)·CI·4; accumulators at dW + ((i·KW + j)·CI)·CO·4
  I.get(CORNER), I.get(TI), I.get(DH), I.i32Mul, I.get(WP), I.i32Mul, I.get(TJ), I.get(DW), I.i32Mul, I.i32Add,
  I.get(CI), I.i32Mul, I.i32(2), I.i32Shl, I.i32Add, I.set(XA),
  I.get(PDW), I.get(TI), I.get(KW), I.i32Mul, I.get(TJ), I.i32Add, I.get(CI), I.i32Mul, I.get(DYROW), I.i32Mul, I.i32Add, I.set(WA),
  ...forLoop(CIX, [I.get(CI)], [I.i32(1)], [
    I.get(XA), I.load32SplatAt(0), I.set(XV),
    ...forLoop(COB, [I.get(DYROW)], [I.i32(16)], [
      I.get(WA), I.get(COB), I.i32Add,
      I.get(WA), I.get(COB), I.i32Add, I.v128Load,
      I.get(XV), I.get(DYP), I.get(COB), I.i32Add, I.v128Load, I.f32x4Mul,
      I.f32x4Add, I.v128Store,
    ]),
    I.get(XA), I.i32(4), I.i32Add, I.set(XA),
    I.get(WA), I.get(DYROW), I.i32Add, I.set(WA),
  ]),
];

export const convFilterGradWasm = (): WasmFunction => ({
  name: 'conv_filter_grad',
  params: Array<'i32'>(16).fill('i32'),
  results: [],
  locals: [...Array<'i32'>(12).fill('i32'), 'v128'],
  body: [
    I.get(CO), I.i32(2), I.i32Shl, I.set(DYROW),
    I.get(PDW), I.i32(0), I.get(KH), I.get(KW), I.i32Mul, I.get(CI), I.i32Mul, I.get(DYROW), I.i32Mul, I.memoryFill,
    I.get(PDY), I.set(DYP),
    ...forLoop(IB, [I.get(B)], [I.i32(1)], forLoop(IY, [I.get(OH)], [I.i32(1)], forLoop(IX, [I.get(OW)], [I.i32(1)], [
      // corner = xp + ((b·HP + y·sh)·WP + x·sw)·CI·4
      I.get(PX), I.get(IB), I.get(HP), I.i32Mul, I.get(IY), I.get(SH), I.i32Mul, I.i32Add, I.get(WP), I.i32Mul,
      I.get(IX), I.get(SW), I.i32Mul, I.i32Add, I.get(CI), I.i32Mul, I.i32(2), I.i32Shl, I.i32Add, I.set(CORNER),
      ...forLoop(TI, [I.get(KH)], [I.i32(1)], forLoop(TJ, [I.get(KW)], [I.i32(1)], inner)),
      I.get(DYP), I.get(DYROW), I.i32Add, I.set(DYP),
    ]))),
  ],
});
