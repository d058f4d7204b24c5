/**
 * A small WebAssembly assembler for our own kernels: a module that imports one memory (the
 * tensor heap of tfjs-backend-wasm, so a kernel reads and writes tensors where they already are)
 * and exports functions written as instruction lists. Only what our kernels use is encoded; the
 * engine validates the module when it is compiled, so a wrong byte is an error at start, never a
 * silent miscomputation.
 */

export type ValType = 'i32' | 'f32' | 'v128';
/** One instruction's bytes. */
export type Code = readonly number[];
const valByte: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

/** Unsigned LEB128. */
export const uleb = (n: number): number[] => {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
};

/** Signed LEB128 of a 32-bit integer. */
export const sleb = (n: number): number[] => {
  const out: number[] = [];
  let v = n | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
};

const utf8 = (s: string): number[] => [...uleb(Buffer.byteLength(s)), ...Buffer.from(s, 'utf8')];
const vec = (items: readonly number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** Instructions, as bytes. `simd(op)` is the 0xfd-prefixed SIMD opcode `op`. */
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
/** Memory argument: alignment as log2 bytes (a hint only), then offset. */
const memarg = (alignLog2: number, offset = 0): number[] => [...uleb(alignLog2), ...uleb(offset)];

export const I = {
  get: (i: number): number[] => [0x20, ...uleb(i)],
  set: (i: number): number[] => [0x21, ...uleb(i)],
  tee: (i: number): number[] => [0x22, ...uleb(i)],
  i32: (v: number): number[] => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32And: [0x71],
  i32Or: [0x72],
  i32Shl: [0x74],
  i32GeU: [0x4f],
  /** Block and loop with no result; `br n` / `brIf n` count enclosing labels outward from 0. */
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (n: number): number[] => [0x0c, ...uleb(n)],
  brIf: (n: number): number[] => [0x0d, ...uleb(n)],
  f32Load: [0x2a, ...memarg(2)],
  /** The float at address + offset. */
  f32LoadAt: (offset: number): Code => [0x2a, ...memarg(2, offset)],
  i32Store: [0x36, ...memarg(2)],
  i32Eqz: [0x45],
  f32Store: [0x38, ...memarg(2)],
  f32Add: [0x92],
  f32Sub: [0x93],
  f32Mul: [0x94],
  f32Div: [0x95],
  f32Sqrt: [0x91],
  f32Ne: [0x5c],
  v128Load: [...simd(0x00), ...memarg(2)],
  v128Store: [...simd(0x0b), ...memarg(2)],
  /** The 16 bytes at address + offset. */
  v128LoadAt: (offset: number): Code => [...simd(0x00), ...memarg(2, offset)],
  v128StoreAt: (offset: number): Code => [...simd(0x0b), ...memarg(2, offset)],
  /** The float at address + offset in all four lanes. */
  load32SplatAt: (offset: number): Code => [...simd(0x09), ...memarg(2, offset)],
  i32Mul: [0x6c],
  i32LtU: [0x49],
  v128Or: simd(0x50),
  /** bitselect(a, b, mask): a's bits where mask is 1, else b's. */
  v128Bitselect: simd(0x52),
  i32x4Splat: simd(0x11),
  i32x4Eq: simd(0x37),
  f32x4Gt: simd(0x44),
  f32: (v: number): Code => [0x43, ...new Uint8Array(Float32Array.of(v).buffer)],
  /** memory.fill(address, byte, length) */
  memoryFill: [0xfc, 0x0b, 0x00],
  v128Xor: simd(0x51),
  v128AnyTrue: simd(0x53),
  f32x4Splat: simd(0x13),
  f32x4Ne: simd(0x42),
  f32x4Sqrt: simd(0xe3),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f32x4Div: simd(0xe7),
} satisfies Record<string, Code | ((n: number) => Code)>;

/** `while (index < limit) { inner; index += stride }`, limit and stride as code that pushes one i32. */
export const loopUntil = (index: number, limit: readonly Code[], stride: readonly Code[], inner: readonly Code[]): Code[] => [
  I.block, I.loop, I.get(index), ...limit, I.i32GeU, I.brIf(1),
  ...inner,
  I.get(index), ...stride, I.i32Add, I.set(index), I.br(0), I.end, I.end,
];

/** `for (index = 0; index < limit; index += stride) inner`. */
export const forLoop = (index: number, limit: readonly Code[], stride: readonly Code[], inner: readonly Code[]): Code[] => [
  I.i32(0), I.set(index), ...loopUntil(index, limit, stride, inner),
];

export interface WasmFunction {
  readonly name: string;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  /** Locals after the parameters, numbered from `params.length`. */
  readonly locals: readonly ValType[];
  readonly body: readonly Code[];
}

export interface MemoryImport {
  readonly module: string;
  readonly name: string;
  /** A shared memory (the threaded backend's) must be imported as shared, with a maximum. */
  readonly shared: boolean;
}

/** The binary of a module importing `memory` and exporting `functions` by name. */
export const assemble = (memory: MemoryImport, functions: readonly WasmFunction[]): Uint8Array => {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((p) => [valByte[p]])), ...vec(f.results.map((r) => [valByte[r]]))]);
  // Limits: 0x00 min; 0x03 shared, min and max (65536 pages: 4 GiB, what the threaded backend declares).
  const limits = memory.shared ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const imports = [[...utf8(memory.module), ...utf8(memory.name), 0x02, ...limits]];
  const exports = functions.map((f, i) => [...utf8(f.name), 0x00, ...uleb(i)]);
  const codes = functions.map((f) => {
    // Locals compressed as runs of one type.
    const runs: number[][] = [];
    let k = 0;
    while (k < f.locals.length) {
      const t = f.locals[k] as ValType;
      let n = 0;
      while (f.locals[k + n] === t) n++;
      runs.push([...uleb(n), valByte[t]]);
      k += n;
    }
    const body = [...vec(runs), ...f.body.flat(), ...I.end];
    return [...uleb(body.length), ...body];
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(exports)),
    ...section(10, vec(codes)),
  ]);
};
