/**
 * Misused distributed forms (`--seeds`, `--member` on an ensemble, …), each a command line in
 * test/distributed/golden/NAME.cmd run as `xreg` runs it: its exit code and error output must
 * equal NAME.expected. `UPDATE_GOLDEN=1` rewrites them (read them by eye before committing).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers/tsx-worker.js';

const dir = path.join('test', 'distributed', 'golden');
const update = process.env['UPDATE_GOLDEN'] === '1';

const xreg = (args: readonly string[]): Promise<{ code: number; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'cli', 'xreg.ts'), ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString('utf8')));
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });

describe('distributed forms misused: golden diagnostics', () => {
  for (const name of readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.cmd')).sort()) {
    it(name, async () => {
      const args = readFileSync(path.join(root, dir, name), 'utf8').trim().split(/\s+/);
      const r = await xreg(args);
      const got = `exit ${r.code}\n${r.stderr}`;
      const expectedPath = path.join(root, dir, name.replace(/\.cmd$/, '.expected'));
      if (update || !existsSync(expectedPath)) writeFileSync(expectedPath, got);
      expect(r.code).not.toBe(0);
      expect(got).toBe(readFileSync(expectedPath, 'utf8'));
      // Nothing was written where the refused run would have written.
      expect(existsSync(path.join(root, dir, 'never'))).toBe(false);
    });
  }
});
