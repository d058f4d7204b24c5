/**
 * A small tmpfs for full-disk and read-only tests. Mounting needs root; without it the test that
 * asks is skipped with a message rather than faked (the injected-writer tests cover the logic).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const canMount = (): boolean => process.getuid?.() === 0 && process.platform === 'linux';

export const withTmpfs = async (size: string, body: (dir: string) => Promise<void>): Promise<void> => {
  if (!canMount()) throw new Error('this test mounts a tmpfs and needs root on Linux');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xreg-tmpfs-'));
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  if (m.status !== 0) throw new Error(`mount failed: ${m.stderr.toString()}`);
  try {
    await body(dir);
  } finally {
    spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
};
