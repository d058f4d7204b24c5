/** `xreg` run from the sources (tsx) as a child process, as bin/xreg.js runs the build: a pool worker for runPool. */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { SpawnWorker } from '../../cli/commands/run-pool.js';

export const root = path.join(import.meta.dirname, '..', '..');

export const tsxWorker: SpawnWorker = (args) => {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'cli', 'xreg.ts'), ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => void (stderr += d.toString('utf8')));
  return { done: new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, stderr }))), kill: () => void child.kill() };
};

/** A PoolIO that keeps what it is told. */
export const quietIO = () => {
  const info: string[] = [];
  const errors: string[] = [];
  return { info, errors, io: { info: (l: string) => void info.push(l), error: (l: string) => void errors.push(l) } };
};
