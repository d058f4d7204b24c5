/**
 * C = op(A)·B without transposing A: the product every dense layer's weight gradient asks for
 * (dW = xᵀ·dy). As a sum of outer products over the shared dimension k (the batch), both operands
 * are read along their rows, where they lie in memory: for each 4×8 tile of C, row k of A gives four
 * floats (each broadcast to a vector) and row k of B two vectors of four. So there is nothing to
 * transpose and nothing to pack, where the XNNPACK path copied A into Aᵀ and packed B on every call
 * (B is new each step). Our own WebAssembly SIMD function on tfjs-backend-wasm's heap; its
 * JavaScript twin rounds every operation to float32 in the same order (sums from k = 0 up), so the
 * two agree bit for bit. C's columns go 8 at a time, then 4, then one by one; shapes with M not a
 * multiple of 4 keep the old path.
 */
import { forLoop, I, loopUntil, type Code, type WasmFunction } from '../../../stdlib/wasm/assemble.js';

export const TILE_M = 4;

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
// Locals: B's row stride in bytes, the tile's corner (i as an index, j as a byte offset), the
// walking pointers into B and B's end, C's tile pointer, the walking pointers into the tile's four
// rows of op(A), the byte ends of C's 8-column and 4-column parts; then 8 vector accumulators,
// b0, b1, a; then 4 scalar accumulators, b and a for the last columns (N not a multiple of 4).
const [SB, II, J4, QB, QEND, QC] = [8, 9, 10, 11, 12, 13];
const QA = (r: number): number => 14 + r;
const [N8B, N4B] = [18, 19];
const ACC = (r: number, h: number): number => 20 + 2 * r + h;
const [B0, B1, AV] = [28, 29, 30];
const SACC = (r: number): number => 31 + r;
const [SBV, SAV] = [35, 36];

/** Columns a tile covers: two vectors, one vector, or one float. */
type Width = 8 | 4 | 1;

/** The 4×w tile of C at (i, j): Σ over k of op(A)[i..i+3, k] ⊗ B[k, j..j+w−1], from k = 0 up. */
const tile = (w: Width): Code[] => {
  const vec = w !== 1;
  const halves = w === 8 ? [0, 1] : [0];
  const acc = (r: number, h: number): number => (vec ? ACC(r, h) : SACC(r));
  const [add, mul] = vec ? [I.f32x4Add, I.f32x4Mul] : [I.f32Add, I.f32Mul];
  const bOf = (h: number): number => (vec ? (h === 0 ? B0 : B1) : SBV);
  const av = vec ? AV : SAV;
  return [
    ...[0, 1, 2, 3].flatMap((r) => halves.map((h) => (vec ? [I.get(B0), I.get(B0), I.v128Xor, I.set(acc(r, h))] : [I.f32(0), I.set(acc(r, h))])).flat()),
    // Row r of the tile in op(A) starts at A + (i + r)·SM; B's walk from B + j·4 to B + j·4 + K·SB.
    ...[0, 1, 2, 3].flatMap((r) => [I.get(PA), I.get(II), I.i32(r), I.i32Add, I.get(SM), I.i32Mul, I.i32Add, I.set(QA(r))]),
    I.get(PB), I.get(J4), I.i32Add, I.set(QB),
    I.get(QB), I.get(K), I.get(SB), I.i32Mul, I.i32Add, I.set(QEND),
    I.block, I.loop, I.get(QB), I.get(QEND), I.i32GeU, I.brIf(1),
    ...halves.flatMap((h) => [I.get(QB), vec ? I.v128LoadAt(16 * h) : I.f32Load, I.set(bOf(h))]),
    ...[0, 1, 2, 3].flatMap((r) => [
      I.get(QA(r)), vec ? I.load32SplatAt(0) : I.f32Load, I.set(av),
      ...halves.flatMap((h) => [I.get(acc(r, h)), I.get(av), I.get(bOf(h)), mul, add, I.set(acc(r, h))]),
      I.get(QA(r)), I.get(SK), I.i32Add, I.set(QA(r)),
    ]),
    I.get(QB), I.get(SB), I.i32Add, I.set(QB),
    I.br(0), I.end, I.end,
    // C's tile at C + i·SB + j·4; row r at + r·SB.
    I.get(PC), I.get(II), I.get(SB), I.i32Mul, I.i32Add, I.get(J4), I.i32Add, I.set(QC),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...halves.flatMap((h) => [I.get(QC), I.get(acc(r, h)), vec ? I.v128StoreAt(16 * h) : I.f32Store]),
      ...(r < 3 ? [I.get(QC), I.get(SB), I.i32Add, I.set(QC)] : []),
    ]),
  ];
};

export const gemmWasm = (): WasmFunction => ({
  name: 'gemm',
  params: Array<'i32'>(8).fill('i32'),
  results: [],
  locals: [...Array<'i32'>(12).fill('i32'), ...Array<'v128'>(11).fill('v128'), ...Array<'f32'>(6).fill('f32')],
  body: [
    I.get(N), I.i32(2), I.i32Shl, I.set(SB),
    I.get(N), I.i32(-8), I.i32And, I.i32(2), I.i32Shl, I.set(N8B),
    I.get(N), I.i32(-4), I.i32And, I.i32(2), I.i32Shl, I.set(N4B),
    // i counts rows by 4; j walks C's row in bytes: 8 columns at a time, then 4, then 1.
    ...forLoop(II, [I.get(M)], [I.i32(TILE_M)], [
      ...forLoop(J4, [I.get(N8B)], [I.i32(32)], tile(8)),
      ...loopUntil(J4, [I.get(N4B)], [I.i32(16)], tile(4)),
      ...loopUntil(J4, [I.get(SB)], [I.i32(4)], tile(1)),
    ]),
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
 * batches (leading dimensions all 1), M a multiple of 4, B small enough to stay in cache.
 */
export const gemmPlan = (a: readonly number[], b: readonly number[], transposeA: boolean, transposeB: boolean): GemmPlan | undefined => {
  if (a.length < 2 || b.length < 2 || size(a.slice(0, -2)) !== 1 || size(b.slice(0, -2)) !== 1) return undefined;
  const [a0, a1] = a.slice(-2) as [number, number];
  const [b0, b1] = b.slice(-2) as [number, number];
  const [M, K] = transposeA ? [a1, a0] : [a0, a1];
  const [K2, N] = transposeB ? [b1, b0] : [b0, b1];
  if (K !== K2 || M === 0 || N === 0 || K === 0 || M % TILE_M !== 0 || K * N > MAX_B) return undefined;
  const outShape = [...Array<number>(Math.max(a.length, b.length) - 2).fill(1), M, N];
  return { M, K, N, sm: transposeA ? 1 : K, sk: transposeA ? M : 1, transposeB, outShape };
};
