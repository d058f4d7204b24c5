/**
 * C = op(A)·B without transposing A: the product every dense layer's weight gradient asks for
 * (dW = xᵀ·dy). As a sum of outer products over the shared dimension k (the batch), both operands
 * are read along their rows, where they lie in memory: for each 4×8 tile of C, row k of A gives four
 * floats (each broadcast to a vector) and row k of B two vectors of four. So there is nothing to
 * transpose and nothing to pack, where the XNNPACK path copied A into Aᵀ and packed B on every call
 * (B is new each step). Our own WebAssembly SIMD function on tfjs-backend-wasm's heap; its
 * JavaScript twin rounds every operation to float32 in the same order (sums from k = 0 up), so the
 * two agree bit for bit. Shapes with M not a multiple of 4 or N not of 8 keep the old path.
 */
import { forLoop, I, type Code, type WasmFunction } from '../../../stdlib/wasm/assemble.js';

export const TILE_M = 4;
export const TILE_N = 8;

/**
 * C[M×N] = op(A)·B in float32 arithmetic, element (i, k) of op(A) at a[i·sm + k·sk] (strides in
 * floats): sm = 1, sk = M for Aᵀ stored K×M; sm = K, sk = 1 for A stored M×K. The twin of `gemmWasm`.
 */
export const gemmF32 = (a: Float32Array, b: Float32Array, c: Float32Array, K: number, M: number, N: number, sm: number, sk: number): void => {
  const f = Math.fround;
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc = f(acc + f((a[i * sm + k * sk] as number) * (b[k * N + j] as number)));
      c[i * N + j] = acc;
    }
};

// Parameters: byte offsets of A, B, C; K, M, N; A's strides in bytes along i and along k.
const [PA, PB, PC, K, M, N, SM, SK] = [0, 1, 2, 3, 4, 5, 6, 7];
// Locals: B's row stride in bytes, the tile's corner (i, j as indices), the walking pointers into
// the tile's four rows of op(A) and into B, the end of B's walk, C's tile pointer; then 8
// accumulators, b0, b1, a.
const [SB, II, J4, QB, QEND, QC] = [8, 9, 10, 11, 12, 13];
const QA = (r: number): number => 14 + r;
const ACC = (r: number, h: number): number => 18 + 2 * r + h;
const [B0, B1, AV] = [26, 27, 28];

const tile: Code[] = [
  ...Array.from({ length: 8 }, (_, x) => [I.get(B0), I.get(B0), I.v128Xor, I.set(ACC(0, 0) + x)]).flat(),
  // Row r of the tile in op(A) starts at A + (i + r)·SM; B's walk from B + j·4 to B + j·4 + K·SB.
  ...[0, 1, 2, 3].flatMap((r) => [I.get(PA), I.get(II), I.i32(r), I.i32Add, I.get(SM), I.i32Mul, I.i32Add, I.set(QA(r))]),
  I.get(PB), I.get(J4), I.i32Add, I.set(QB),
  I.get(QB), I.get(K), I.get(SB), I.i32Mul, I.i32Add, I.set(QEND),
  I.block, I.loop, I.get(QB), I.get(QEND), I.i32GeU, I.brIf(1),
  I.get(QB), I.v128LoadAt(0), I.set(B0),
  I.get(QB), I.v128LoadAt(16), I.set(B1),
  ...[0, 1, 2, 3].flatMap((r) => [
    I.get(QA(r)), I.load32SplatAt(0), I.set(AV),
    I.get(ACC(r, 0)), I.get(AV), I.get(B0), I.f32x4Mul, I.f32x4Add, I.set(ACC(r, 0)),
    I.get(ACC(r, 1)), I.get(AV), I.get(B1), I.f32x4Mul, I.f32x4Add, I.set(ACC(r, 1)),
    I.get(QA(r)), I.get(SK), I.i32Add, I.set(QA(r)),
  ]),
  I.get(QB), I.get(SB), I.i32Add, I.set(QB),
  I.br(0), I.end, I.end,
  // C's tile at C + i·SB + j·4; row r at + r·SB.
  I.get(PC), I.get(II), I.get(SB), I.i32Mul, I.i32Add, I.get(J4), I.i32Add, I.set(QC),
  ...[0, 1, 2, 3].flatMap((r) => [
    I.get(QC), I.get(ACC(r, 0)), I.v128StoreAt(0),
    I.get(QC), I.get(ACC(r, 1)), I.v128StoreAt(16),
    ...(r < 3 ? [I.get(QC), I.get(SB), I.i32Add, I.set(QC)] : []),
  ]),
];

export const gemmWasm = (): WasmFunction => ({
  name: 'gemm',
  params: Array<'i32'>(8).fill('i32'),
  results: [],
  locals: [...Array<'i32'>(10).fill('i32'), ...Array<'v128'>(11).fill('v128')],
  body: [
    I.get(N), I.i32(2), I.i32Shl, I.set(SB),
    // i counts rows by 4; j walks C's row in bytes by 32 (8 columns).
    ...forLoop(II, [I.get(M)], [I.i32(TILE_M)], forLoop(J4, [I.get(SB)], [I.i32(4 * TILE_N)], tile)),
  ],
});

/** B's size (floats) above which the XNNPACK path is kept: the kernel streams all of B per 4 rows of C, so B should stay in cache. */
export const MAX_B = 1 << 18;

export interface GemmPlan {
  readonly M: number;
  readonly K: number;
  readonly N: number;
  /** Strides of op(A) in floats along i and k. */
  readonly sm: number;
  readonly sk: number;
  /** op(B) = Bᵀ: B is transposed first (the kernel reads B along its rows). */
  readonly transposeB: boolean;
  readonly outShape: number[];
}

const size = (shape: readonly number[]): number => shape.reduce((x, y) => x * y, 1);

/**
 * Whether `gemmWasm` computes op(A)·op(B) for these shapes, and how: float32 operands without
 * batches (leading dimensions all 1), M a multiple of 4, N of 8, B small enough to stay in cache.
 */
export const gemmPlan = (a: readonly number[], b: readonly number[], transposeA: boolean, transposeB: boolean): GemmPlan | undefined => {
  if (a.length < 2 || b.length < 2 || size(a.slice(0, -2)) !== 1 || size(b.slice(0, -2)) !== 1) return undefined;
  const [a0, a1] = a.slice(-2) as [number, number];
  const [b0, b1] = b.slice(-2) as [number, number];
  const [M, K] = transposeA ? [a1, a0] : [a0, a1];
  const [K2, N] = transposeB ? [b1, b0] : [b0, b1];
  if (K !== K2 || M === 0 || N === 0 || K === 0 || M % TILE_M !== 0 || N % TILE_N !== 0 || K * N > MAX_B) return undefined;
  const outShape = [...Array<number>(Math.max(a.length, b.length) - 2).fill(1), M, N];
  return { M, K, N, sm: transposeA ? 1 : K, sk: transposeA ? M : 1, transposeB, outShape };
};
