/**
 * The assembler of our wasm kernels (stdlib/wasm/assemble.ts): LEB128 against the specification's
 * examples, and modules the engine accepts for both kinds of memory the backend may have.
 */
import { describe, expect, it } from 'vitest';
import { assemble, I, sleb, uleb } from '../../stdlib/wasm/assemble.js';
import { adamWasm } from '../../stdlib/optimizers/adam-f32.js';

const wasm = (globalThis as unknown as { WebAssembly: { validate: (b: Uint8Array) => boolean; Memory: new (d: object) => object; Instance: new (m: object, i: object) => { exports: Record<string, (...a: number[]) => number> }; Module: new (b: Uint8Array) => object } }).WebAssembly;

describe('wasm assembler', () => {
  it('encodes LEB128 as the specification does', () => {
    expect(uleb(0)).toEqual([0x00]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(uleb(65536)).toEqual([0x80, 0x80, 0x04]);
    expect(sleb(0)).toEqual([0x00]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-64)).toEqual([0x40]);
    expect(sleb(-65)).toEqual([0xbf, 0x7f]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });

  it('builds the Adam module for a plain and a shared memory', () => {
    expect(wasm.validate(assemble({ module: 'env', name: 'memory', shared: false }, [adamWasm()]))).toBe(true);
    expect(wasm.validate(assemble({ module: 'env', name: 'memory', shared: true }, [adamWasm()]))).toBe(true);
  });

  it('runs a loop it assembled: the sum of the first n integers, over a memory it imports', () => {
    // locals: 2 i = counter, 3 acc; params 0 n (unused memory arg 1 stores the result at address 0)
    const sum = {
      name: 'sum',
      params: ['i32', 'i32'] as const,
      results: ['i32'] as const,
      locals: ['i32', 'i32'] as const,
      body: [I.block, I.loop, I.get(2), I.get(0), I.i32GeU, I.brIf(1), I.get(2), I.i32(1), I.i32Add, I.tee(2), I.get(3), I.i32Add, I.set(3), I.br(0), I.end, I.end, I.get(3)],
    };
    const memory = new wasm.Memory({ initial: 1 });
    const inst = new wasm.Instance(new wasm.Module(assemble({ module: 'env', name: 'memory', shared: false }, [sum])), { env: { memory } });
    for (const n of [0, 1, 10, 1000]) expect(inst.exports['sum']?.(n, 0)).toBe((n * (n + 1)) / 2);
  });
});
