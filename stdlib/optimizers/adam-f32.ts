/**
 * Adam's update of one parameter in float32 arithmetic, twice: as a WebAssembly SIMD function that
 * runs on tfjs-backend-wasm's heap (four values per instruction), and as a JavaScript loop that
 * rounds every operation to float32 (`Math.fround`) for the cpu backend. Each operation is the
 * correctly rounded float32 result in both (float64 then rounding is exact for + − × ÷ √ of float32
 * operands), in the same order, so the two backends agree bit for bit. The order is adam.ts's
 * (PyTorch's): p·s − (η̂·m) / (√v / √(1 − β₂ᵏ) + ε). Both also say whether any new value of p is
 * not finite, which spares the run its separate check of the updated parameter.
 */
import { I, type Code, type WasmFunction } from '../wasm/assemble.js';

/** The scalars of one update, rounded to float32 where they meet the tensors. */
export interface AdamScalars {
  readonly b1: number;
  /** 1 − β₁ and 1 − β₂, computed in float64 before rounding. */
  readonly ob1: number;
  readonly b2: number;
  readonly ob2: number;
  readonly eps: number;
  /** η / (1 − β₁ᵏ) and √(1 − β₂ᵏ). */
  readonly stepSize: number;
  readonly bc2Sqrt: number;
  /** Coupled weight decay λ (added to g as λp); 0 without. */
  readonly coupled: number;
  /** Decoupled decay's factor 1 − ηλ; 1 without. */
  readonly shrink: number;
}

export const scalarOrder = ['b1', 'ob1', 'b2', 'ob2', 'eps', 'stepSize', 'bc2Sqrt', 'coupled', 'shrink'] as const;

/** The float32 update over arrays; returns true when some new p is NaN or infinite. */
export const adamF32 = (s: AdamScalars, p0: Float32Array, g0: Float32Array, m0: Float32Array, v0: Float32Array, P: Float32Array, M: Float32Array, V: Float32Array): boolean => {
  const f = Math.fround;
  const [b1, ob1, b2, ob2, eps, step, bc, coupled, shrink] = scalarOrder.map((k) => f(s[k])) as [number, number, number, number, number, number, number, number, number];
  let bad = false;
  for (let i = 0; i < P.length; i++) {
    const pi = p0[i] as number;
    const gi = f((g0[i] as number) + f(coupled * pi));
    const mi = f(f(b1 * (m0[i] as number)) + f(ob1 * gi));
    const vi = f(f(b2 * (v0[i] as number)) + f(f(ob2 * gi) * gi));
    const pn = f(f(pi * shrink) - f(f(step * mi) / f(f(f(Math.sqrt(vi)) / bc) + eps)));
    M[i] = mi;
    V[i] = vi;
    P[i] = pn;
    if (pn - pn !== 0) bad = true;
  }
  return bad;
};

// Parameters: byte offsets of p, g, m, v and of the outputs p', m', v'; the count; then either the
// scalars (`adam`) or the byte offsets of the scalars and of a flag to raise (`adam_chunk`, whose
// parameters are all integers: the kernel pool's workers pass nothing else). Locals follow: in
// `adam_chunk` first the scalars read from memory, where `adam` has them as parameters, so from
// there on every index is the same plus 2.
const [P0, G0, M0, V0, PO, MO, VO, N] = [0, 1, 2, 3, 4, 5, 6, 7];
const [SCALARS, FLAG] = [8, 9];
interface Layout {
  readonly S: (k: (typeof scalarOrder)[number]) => number;
  readonly IX: number;
  readonly END4: number;
  readonly ENDALL: number;
  readonly VS: (k: (typeof scalarOrder)[number]) => number;
  readonly vector: readonly [number, number, number, number, number, number, number];
  readonly scalar: readonly [number, number, number, number, number, number, number];
}
const layout = (o: number): Layout => ({
  S: (k) => 8 + o + scalarOrder.indexOf(k),
  IX: 17 + o,
  END4: 18 + o,
  ENDALL: 19 + o,
  VS: (k) => 20 + o + scalarOrder.indexOf(k),
  // gi, mi, vi, pi, p', d and the flag, as vectors (v128 locals) and as floats (the tail; an i32 flag)
  vector: [29 + o, 30 + o, 31 + o, 32 + o, 33 + o, 34 + o, 35 + o],
  scalar: [36 + o, 37 + o, 38 + o, 39 + o, 40 + o, 41 + o, 42 + o],
});

/** `at(base)`: the address base + i on the stack. */
const at = (L: Layout, base: number): Code[] => [I.get(base), I.get(L.IX), I.i32Add];

/**
 * The update as one loop body, for the vector (`v`) or scalar (`s`) instruction set: same
 * expressions, same order. Leaves nothing on the stack.
 */
const body = (L: Layout, v: boolean): Code[] => {
  const load = v ? I.v128Load : I.f32Load;
  const store = v ? I.v128Store : I.f32Store;
  const [add, sub, mul, div, sqrt, ne] = v
    ? [I.f32x4Add, I.f32x4Sub, I.f32x4Mul, I.f32x4Div, I.f32x4Sqrt, I.f32x4Ne]
    : [I.f32Add, I.f32Sub, I.f32Mul, I.f32Div, I.f32Sqrt, I.f32Ne];
  const c = (k: (typeof scalarOrder)[number]): Code => I.get(v ? L.VS(k) : L.S(k));
  const [gi, mi, vi, pi, pn, d, bad] = v ? L.vector : L.scalar;
  return [
    ...at(L, P0), load, I.set(pi),
    // gi = g + coupled·p
    ...at(L, G0), load, c('coupled'), I.get(pi), mul, add, I.set(gi),
    // mi = b1·m + ob1·gi
    c('b1'), ...at(L, M0), load, mul, c('ob1'), I.get(gi), mul, add, I.set(mi),
    // vi = b2·v + (ob2·gi)·gi
    c('b2'), ...at(L, V0), load, mul, c('ob2'), I.get(gi), mul, I.get(gi), mul, add, I.set(vi),
    ...at(L, MO), I.get(mi), store,
    ...at(L, VO), I.get(vi), store,
    // p' = p·shrink − (step·mi) / (√vi / bc + eps)
    ...at(L, PO),
    I.get(pi), c('shrink'), mul,
    c('stepSize'), I.get(mi), mul,
    I.get(vi), sqrt, c('bc2Sqrt'), div, c('eps'), add,
    div, sub, I.tee(pn), store,
    // not finite ⟺ p' − p' is NaN ⟺ (p' − p') ≠ (p' − p')
    I.get(pn), I.get(pn), sub, I.tee(d), I.get(d), ne,
    I.get(bad), v ? I.v128Or : I.i32Or, I.set(bad),
    I.get(L.IX), I.i32(v ? 16 : 4), I.i32Add, I.set(L.IX),
  ];
};

/** `loop until i ≥ end: body` */
const loopTo = (L: Layout, end: number, inner: Code[]): Code[] => [I.block, I.loop, I.get(L.IX), I.get(end), I.i32GeU, I.brIf(1), ...inner, I.br(0), I.end, I.end];

/** The update over n values; whether some new p is not finite. */
const update = (L: Layout): Code[] => [
  ...scalarOrder.flatMap((k) => [I.get(L.S(k)), I.f32x4Splat, I.set(L.VS(k))]),
  I.get(N), I.i32(-4), I.i32And, I.i32(2), I.i32Shl, I.set(L.END4),
  I.get(N), I.i32(2), I.i32Shl, I.set(L.ENDALL),
  ...loopTo(L, L.END4, body(L, true)),
  ...loopTo(L, L.ENDALL, body(L, false)),
  I.get(L.vector[6]), I.v128AnyTrue, I.get(L.scalar[6]), I.i32Or,
];

const workLocals = ['i32', 'i32', 'i32', ...Array<'v128'>(9 + 7).fill('v128'), ...Array<'f32'>(6).fill('f32'), 'i32'] as const;

export const adamWasm = (): WasmFunction => ({
  name: 'adam',
  params: [...Array<'i32'>(8).fill('i32'), ...Array<'f32'>(9).fill('f32')],
  results: ['i32'],
  locals: [...workLocals],
  body: update(layout(0)),
});

/**
 * Bytes of the block `adam_chunk` reads: the scalars as floats in `scalarOrder`, then the flag it
 * raises (an int32 set to 1 and never cleared, so that chunks on several threads only ever write 1).
 */
export const CHUNK_BLOCK_BYTES = 4 * (scalarOrder.length + 1);

/** `adam` for one chunk of a parameter, integer parameters only, for the kernel pool. */
export const adamChunkWasm = (): WasmFunction => {
  const L = layout(2);
  return {
    name: 'adam_chunk',
    params: Array<'i32'>(10).fill('i32'),
    results: [],
    locals: [...Array<'f32'>(9).fill('f32'), ...workLocals],
    body: [
      ...scalarOrder.flatMap((k, i) => [I.get(SCALARS), I.f32LoadAt(4 * i), I.set(L.S(k))]),
      // if (update ≠ 0) flag = 1
      I.block, ...update(L), I.i32Eqz, I.brIf(0), I.get(FLAG), I.i32(1), I.i32Store, I.end,
    ],
  };
};
