/**
 * SIGKILL at random moments of a checkpointed run, many times: after each kill the run is resumed
 * (`--resume`), until one finishes. The result must equal an undisturbed run byte for byte
 * (metrics.jsonl) and bit for bit (the final checkpoint's tensors). Prints the counts.
 *
 *   npx tsx bench/faults/kill-resume.ts [kills] [seed]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { decodeFile } from '../../runtime/checkpoint/format.js';
import { makeRng } from '../../stdlib/data/random.js';

const wantKills = Number(process.argv[2] ?? 10);
const rng = makeRng(Number(process.argv[3] ?? 1));
const root = path.resolve(import.meta.dirname, '../..');
const program = `data d = correlated_features(base: 4, copies: 3, noise: 0.1, n: 400, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[12] = 0
loss fit = mse(x @ w, y) + 0.01 * l2(w) over train
update w by adam(lr: 0.01) on fit
run 3000 steps batch 16
report every 50 steps: fit
`;

const run = (args: string[], killAfterMs?: number): Promise<{ code: number | null; killed: boolean }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'cli/xreg.ts'), 'run', ...args, '--quiet', '--backend', 'cpu'], { cwd: root, stdio: 'ignore' });
    let killed = false;
    const timer = killAfterMs !== undefined ? setTimeout(() => ((killed = true), child.kill('SIGKILL')), killAfterMs) : undefined;
    child.on('exit', (code) => {
      if (timer !== undefined) clearTimeout(timer);
      resolve({ code, killed });
    });
  });

const tensorsOf = (dir: string): string => {
  const d = decodeFile(readFileSync(path.join(dir, 'checkpoint.xckpt')));
  if (E.isLeft(d)) throw new Error(d.left);
  return d.right.blob.toString('hex');
};

const main = async (): Promise<void> => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xreg-kill-'));
  try {
    const file = path.join(dir, 'p.xreg');
    writeFileSync(file, program);
    const whole = path.join(dir, 'whole');
    const t0 = Date.now();
    const w = await run([file, '--out', whole, '--checkpoint-every', '50']);
    if (w.code !== 0) throw new Error(`undisturbed run exited ${String(w.code)}`);
    const wholeMs = Date.now() - t0;
    const out = path.join(dir, 'out');
    let kills = 0;
    let segments = 0;
    for (;;) {
      // Kill somewhere between start-up and the end of an undisturbed run; stop killing after enough.
      const at = kills < wantKills ? Math.floor(rng.uniform() * wholeMs) : undefined;
      // Killed before its first checkpoint, a run has nothing to resume: it starts again (--force).
      const resumable = existsSync(path.join(out, 'checkpoint.xckpt'));
      const r = await run(resumable ? [file, '--resume', out, '--checkpoint-every', '50'] : [file, '--out', out, '--force', '--checkpoint-every', '50'], at);
      segments++;
      if (r.killed) kills++;
      if (!r.killed && r.code === 0) break;
      if (!r.killed && r.code !== 0) throw new Error(`segment ${segments} exited ${String(r.code)} without being killed`);
      if (segments > wantKills * 3 + 10) throw new Error('no progress');
    }
    const same = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8') === readFileSync(path.join(whole, 'metrics.jsonl'), 'utf8');
    const bits = tensorsOf(out) === tensorsOf(whole);
    const lost = same && bits ? 0 : 1;
    console.log(JSON.stringify({ kills, segments, metricsIdentical: same, finalTensorsIdentical: bits, dataLost: lost, load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') }));
    if (lost !== 0) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
await main();
