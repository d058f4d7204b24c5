/** `xreg` run from the sources (tsx) as a child process, as bin/xreg.js runs the build: a pool worker for runPool. */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { SpawnWorker } from '../../cli/commands/run-pool.js';

export const root = path.join(import.meta.dirname, '..', '..');

/**
 * A worker that gets SIGINT once `interruptWhen` holds (polled every 50 ms), as Ctrl-C reaches every
 * worker of a pool (one process group).
 */
export const tsxWorkerInterrupted =
  (interruptWhen: () => boolean): SpawnWorker =>
  (args) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'cli', 'xreg.ts'), ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString('utf8')));
    const poll = setInterval(() => {
      if (!interruptWhen()) return;
      child.kill('SIGINT');
      clearInterval(poll);
    }, 50);
    const done = new Promise<{ code: number; stderr: string }>((resolve) =>
      child.on('close', (code) => {
        clearInterval(poll);
        resolve({ code: code ?? 1, stderr });
      }),
    );
    return { done, kill: () => void child.kill() };
  };

export const tsxWorker: SpawnWorker = tsxWorkerInterrupted(() => false);

/** A PoolIO that keeps what it is told. */
export const quietIO = () => {
  const info: string[] = [];
  const errors: string[] = [];
  return { info, errors, io: { info: (l: string) => void info.push(l), error: (l: string) => void errors.push(l) } };
};
