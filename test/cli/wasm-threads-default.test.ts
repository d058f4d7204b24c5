/**
 * `xreg run`'s default for XREG_WASM_THREADS (cli/commands/wasm-threads-default.ts): every core for
 * a process training alone, cores ÷ N for each of `--workers N`, at least 1 and at most the binary's
 * 8, and never over what the user set. Then the real command: its start line names the threads.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyWasmThreadsDefault, defaultWasmThreads } from '../../cli/commands/wasm-threads-default.js';
import { seededProgram } from '../helpers/sweep-parts.js';

describe('the default thread count of xreg run on wasm', () => {
  it('is the cores a process trains on, from 1 to 8', () => {
    expect([
      [2, 1],
      [2, 2],
      [2, 4],
      [1, 1],
      [16, 1],
      [16, 3],
      [6, 2],
    ].map(([c, p]) => defaultWasmThreads(c as number, p as number))).toEqual([2, 1, 1, 1, 8, 5, 3]);
  });

  it('leaves a value the user set, and fills an empty one', () => {
    const set: NodeJS.ProcessEnv = { XREG_WASM_THREADS: '1' };
    applyWasmThreadsDefault(set, 4, 1);
    expect(set['XREG_WASM_THREADS']).toBe('1');
    const blank: NodeJS.ProcessEnv = { XREG_WASM_THREADS: ' ' };
    applyWasmThreadsDefault(blank, 4, 1);
    expect(blank['XREG_WASM_THREADS']).toBe('4');
    const none: NodeJS.ProcessEnv = {};
    applyWasmThreadsDefault(none, 4, 2);
    expect(none['XREG_WASM_THREADS']).toBe('2');
  });

  it("shows in xreg run's start line, and XREG_WASM_THREADS=1 overrides it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xreg-threads-'));
    const file = path.join(dir, 'p.xreg');
    writeFileSync(file, seededProgram);
    const run = (threads: string | undefined, out: string): string => {
      const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
      delete env['XREG_WASM_THREADS'];
      if (threads !== undefined) env['XREG_WASM_THREADS'] = threads;
      const r = spawnSync(process.execPath, ['--import', 'tsx', path.resolve('cli/xreg.ts'), 'run', file, '--backend', 'wasm', '--steps', '1', '--out', path.join(dir, out)], { encoding: 'utf8', env });
      expect(r.status, r.stderr).toBe(0);
      return `${r.stdout}${r.stderr}`.split('\n').find((l) => l.startsWith('backend:')) ?? '';
    };
    const n = defaultWasmThreads(availableParallelism(), 1);
    expect(run(undefined, 'a')).toContain(n > 1 ? `${n} threads: xreg's products and Adam on ${n}` : '1 thread)');
    expect(run('1', 'b')).toContain('1 thread)');
  });
});
