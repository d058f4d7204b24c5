/**
 * XREG_WASM_THREADS (runtime/backend/wasm-threads.ts): the threaded wasm binary started by our own
 * loader trains an MLP (and xreg's Adam on a large parameter) to the same bits as the single-threaded one, our
 * products and Adam's updates split over 2 threads, and
 * leaves the globals it borrows during initialization as they were. Each setting runs in its own
 * process: the wasm backend initializes once per process.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { wasmThreadsRequested } from '../../runtime/backend/wasm-threads.js';

const root = path.join(import.meta.dirname, '..', '..');

interface ChildResult {
  readonly detail: string;
  readonly restored: boolean;
  readonly productThreads: number;
  readonly adamSplits: number;
  readonly finite: readonly (boolean | null)[];
  readonly digest: string;
}

const child = (env: Record<string, string>): ChildResult => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'test', 'helpers', 'wasm-threads-child.ts')], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (line === undefined) throw new Error(`no result from the child: ${out}`);
  return JSON.parse(line) as ChildResult;
};

describe('XREG_WASM_THREADS', () => {
  it('2 threads train to the same bits as 1, and the borrowed globals are put back', () => {
    const one = child({ XREG_WASM_THREADS: '' });
    const two = child({ XREG_WASM_THREADS: '2' });
    expect(one.detail).toMatch(/^WebAssembly \(XNNPACK, SIMD, 1 thread\)/);
    expect(two.detail).toMatch(/^WebAssembly \(XNNPACK, SIMD, 2 threads: xreg's products and Adam on 2, XNNPACK's operations on 1\)/);
    expect(two.restored).toBe(true);
    // Our product ran, split over two threads there and on one here.
    expect(one.productThreads).toBe(1);
    expect(two.productThreads).toBe(2);
    // xreg's Adam on a 90,300-value parameter: split there, not here; the NaN of the last step's
    // gradient is flagged in both.
    expect(one.adamSplits).toBe(0);
    expect(two.adamSplits).toBe(3);
    expect(one.finite).toEqual([true, true, false]);
    expect(two.finite).toEqual([true, true, false]);
    expect(two.digest).toBe(one.digest);
  }, 120_000);

  it('reads the count, and refuses what is not one', () => {
    expect(wasmThreadsRequested({})).toBeUndefined();
    expect(wasmThreadsRequested({ XREG_WASM_THREADS: '4' })).toEqual(E.right(4));
    expect(wasmThreadsRequested({ XREG_WASM_THREADS: '9' })).toEqual(E.left('XREG_WASM_THREADS=9: expected a thread count from 1 to 8'));
    expect(wasmThreadsRequested({ XREG_WASM_THREADS: 'two' })).toEqual(E.left('XREG_WASM_THREADS=two: expected a thread count from 1 to 8'));
  });
});
