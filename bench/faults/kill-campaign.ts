/**
 * SIGKILL at random moments of a checkpointed run, many times: after each kill the run is resumed
 * (`--resume`), until one finishes. The result must equal an undisturbed run byte for byte
 * (metrics.jsonl) and bit for bit (the final checkpoint's tensors). Used by bench/faults/kill-resume.ts
 * (a long campaign) and test/faults/kill-resume.test.ts (a short one on every test run).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { decodeFile } from '../../runtime/checkpoint/format.js';
import { makeRng } from '../../stdlib/data/random.js';

const root = path.resolve(import.meta.dirname, '../..');
const programOf = (steps: number): string => `data d = correlated_features(base: 4, copies: 3, noise: 0.1, n: 400, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[12] = 0
loss fit = mse(x @ w, y) + 0.01 * l2(w) over train
update w by adam(lr: 0.01) on fit
run ${steps} steps batch 16
report every 50 steps: fit
`;

/** When to kill: after a time, or once the run's metrics.jsonl holds a number of records. */
type Kill = { readonly afterMs: number } | { readonly metrics: string; readonly records: number };

const recordsIn = (file: string): number => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').length : 0);

const run = (args: string[], kill?: Kill): Promise<{ code: number | null; killed: boolean }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'cli/xreg.ts'), 'run', ...args, '--quiet', '--backend', 'cpu'], { cwd: root, stdio: 'ignore' });
    let killed = false;
    const stop = (): void => {
      killed = true;
      child.kill('SIGKILL');
    };
    const timer =
      kill === undefined ? undefined : 'afterMs' in kill ? setTimeout(stop, kill.afterMs) : setInterval(() => recordsIn(kill.metrics) >= kill.records && !killed && stop(), 5);
    child.on('exit', (code) => {
      if (timer !== undefined) clearInterval(timer);
      resolve({ code, killed });
    });
  });

const tensorsOf = (dir: string): string => {
  const d = decodeFile(readFileSync(path.join(dir, 'checkpoint.xckpt')));
  if (E.isLeft(d)) throw new Error(d.left);
  return d.right.blob.toString('hex');
};

export interface CampaignResult {
  readonly kills: number;
  readonly segments: number;
  /** Segments that went on from a checkpoint (`--resume`), not from the start. */
  readonly resumes: number;
  readonly metricsIdentical: boolean;
  readonly finalTensorsIdentical: boolean;
  readonly dataLost: number;
}

/**
 * `by: 'time'` kills at a random moment of an undisturbed run's duration (start-up included);
 * `'progress'` at a random point of training: once the run has logged a random number of its
 * remaining records (one every 50 steps), so every kill falls among the checkpoints.
 */
export const killCampaign = async (o: { readonly kills: number; readonly seed: number; readonly steps: number; readonly by: 'time' | 'progress' }): Promise<CampaignResult> => {
  const rng = makeRng(o.seed);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xreg-kill-'));
  try {
    const file = path.join(dir, 'p.xreg');
    writeFileSync(file, programOf(o.steps));
    const whole = path.join(dir, 'whole');
    const t0 = Date.now();
    const w = await run([file, '--out', whole, '--checkpoint-every', '50']);
    if (w.code !== 0) throw new Error(`undisturbed run exited ${String(w.code)}`);
    const wholeMs = Date.now() - t0;
    const out = path.join(dir, 'out');
    const metrics = path.join(out, 'metrics.jsonl');
    const total = o.steps / 50;
    let kills = 0;
    let segments = 0;
    let resumes = 0;
    for (;;) {
      // Stop killing after enough.
      const now = recordsIn(metrics);
      const at: Kill | undefined =
        kills >= o.kills
          ? undefined
          : o.by === 'time'
            ? { afterMs: Math.floor(rng.uniform() * wholeMs) }
            : // From the second record on: the first checkpoint (written just after the first record) exists.
              { metrics, records: Math.min(total - 1, Math.max(2, now + 1) + Math.floor(rng.uniform() * Math.max(1, total - 1 - Math.max(2, now + 1)))) };
      // Killed before its first checkpoint, a run has nothing to resume: it starts again (--force).
      const resumable = existsSync(path.join(out, 'checkpoint.xckpt'));
      if (resumable) resumes++;
      const r = await run(resumable ? [file, '--resume', out, '--checkpoint-every', '50'] : [file, '--out', out, '--force', '--checkpoint-every', '50'], at);
      segments++;
      if (r.killed) kills++;
      if (!r.killed && r.code === 0) break;
      if (!r.killed && r.code !== 0) throw new Error(`segment ${segments} exited ${String(r.code)} without being killed`);
      if (segments > o.kills * 3 + 10) throw new Error('no progress');
    }
    const same = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8') === readFileSync(path.join(whole, 'metrics.jsonl'), 'utf8');
    const bits = tensorsOf(out) === tensorsOf(whole);
    return { kills, segments, resumes, metricsIdentical: same, finalTensorsIdentical: bits, dataLost: same && bits ? 0 : 1 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
